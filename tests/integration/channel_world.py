"""A Wix channel of Acme made directly in the database (no Wix calls) for the channel page tests."""

from __future__ import annotations

from flask import Flask

from wixoms.extensions import db
from wixoms.models import Account, Carrier, Channel, Product, Variant, Warehouse

INSTANCE_ID = "5b1f0c7e-2a4d-4e8f-9c3b-7d6e5f4a3b21"


def add_channel(app: Flask, account_name: str = "Acme", **settings) -> int:
    """Create the account's Wix channel with made-up Wix ids; returns its id."""
    with app.app_context():
        account = db.session.scalar(db.select(Account).where(Account.name == account_name))
        channel = Channel(
            account_id=account.id,
            name=settings.pop("name", f"{account_name} Wix store"),
            instance_id=settings.pop("instance_id", f"{INSTANCE_ID[:-4]}{account.id:04d}"),
            catalog_version=settings.pop("catalog_version", "v3"),
            access_token="made-up-access-token",
            refresh_token="made-up-refresh-token",
            **settings,
        )
        db.session.add(channel)
        db.session.commit()
        return channel.id


def load_channel(app: Flask, channel_id: int) -> Channel | None:
    """A detached copy of the channel as stored now."""
    with app.app_context():
        channel = db.session.get(Channel, channel_id)
        if channel is not None:
            db.session.expunge(channel)
        return channel


def add_catalog(app: Flask, account_name: str = "Acme", skus=("MUG-RED", "MUG-BLUE")) -> None:
    """A product with the given SKUs, two warehouses and two carriers for the account."""
    with app.app_context():
        account = db.session.scalar(db.select(Account).where(Account.name == account_name))
        product = Product(account_id=account.id, name="Mug")
        db.session.add(product)
        for sku in skus:
            db.session.add(Variant(account_id=account.id, product=product, sku=sku))
        db.session.add_all(
            [
                Warehouse(account_id=account.id, code="MAIN", name="Main warehouse"),
                Warehouse(account_id=account.id, code="EAST", name="East depot"),
                Carrier(account_id=account.id, name="UPS", code="ups"),
                Carrier(account_id=account.id, name="DHL", code="dhl"),
            ]
        )
        db.session.commit()

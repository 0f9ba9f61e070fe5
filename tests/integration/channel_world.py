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


def add_tee_and_places(account_id: int) -> tuple[Product, Warehouse, Warehouse, Carrier]:
    """In the current session: the OMS tee (TEE-S, TEE-M), warehouses MAIN and EAST and carrier
    UPS of the account, added (not committed)."""
    tee = Product(account_id=account_id, name="OMS Tee")
    for size in ("S", "M"):
        tee.variants.append(
            Variant(account_id=account_id, sku=f"TEE-{size}", options={"Size": size})
        )
    main = Warehouse(account_id=account_id, code="MAIN", name="Main warehouse")
    east = Warehouse(account_id=account_id, code="EAST", name="East depot")
    ups = Carrier(account_id=account_id, name="UPS", code="ups")
    db.session.add_all([tee, main, east, ups])
    return tee, main, east, ups


def settings_post(**overrides) -> dict:
    """A complete, valid Save of every settings tab (the model's defaults), with overrides.

    A value of None leaves the field out, as a browser does for an unchecked box.
    """
    data = {
        "is_active": None,
        "channel_mode": "scheduled",
        "use_channel_names": None,
        "auto_merge_orders": None,
        "import_type": "last_days",
        "import_from_date": "",
        "import_last_days": "7",
        "payment_filter": "any",
        "skip_fulfilled": "y",
        "mask_personal_data_days": "",
        "exclude_pii_from_logs": "y",
        "log_retention_days": "30",
        "request_timeout_s": "30",
        "dry_run": None,
        "api_url": "https://www.wixapis.com",
        "site_id": "",
        "order_statuses": ["APPROVED"],
        "throughput_plan": "standard",
        "process_pickup_orders": "no",
        "stock_buffer": "0",
        "max_stock_level": "",
    }
    for kind, (auto, every) in {
        "orders": ("y", "15"),
        "inventory": (None, "30"),
        "products": (None, "360"),
        "catalog_import": (None, "1440"),
        "fulfillments": ("y", "15"),
    }.items():
        data[f"{kind}_auto"] = auto
        data[f"{kind}_interval_min"] = every
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}

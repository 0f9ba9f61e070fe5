"""Fixtures of the sync tests: a connected Wix shop with a product the OMS also sells."""

from __future__ import annotations

import pytest

from wixoms.extensions import db
from wixoms.models import Channel, Order, Product, SyncRun, Variant
from wixoms.sync.runs import run_now


@pytest.fixture
def shop(wix_app, world, sandbox, connected_channel):
    """A connected channel whose Wix site sells a T-shirt (S, M) that the OMS also has."""

    def _shop(catalog: str = "v3", oms_skus=("TEE-S", "TEE-M"), **settings) -> Shop:
        channel = connected_channel(catalog=catalog, **settings)
        product = sandbox.add_product(
            channel.site_id, name="Wix Tee", price=20, options={"Size": ["S", "M"]},
            skus={"S": "TEE-S", "M": "TEE-M"}, quantity=100,
        )  # fmt: skip
        with wix_app.app_context():
            oms = Product(account_id=world.acme.id, name="OMS T-shirt")
            for sku in oms_skus:
                size = sku.rsplit("-", 1)[-1]
                variant = Variant(account_id=world.acme.id, sku=sku, options={"Size": size})
                oms.variants.append(variant)
            db.session.add(oms)
            db.session.commit()
        return Shop(wix_app, sandbox, channel, product)

    return _shop


class Shop:
    def __init__(self, app, sandbox, channel: Channel, product: dict) -> None:
        self.app, self.sandbox, self.channel, self.product = app, sandbox, channel, product

    def order(self, size: str = "S", quantity: int = 1, **spec) -> dict:
        spec.setdefault("lines", [{"productId": self.product["id"], "choices": {"Size": size},
                                   "quantity": quantity}])  # fmt: skip
        return self.sandbox.place_order(self.channel.site_id, **spec)

    def sync(self) -> SyncRun:
        with self.app.app_context():
            run = run_now(self.channel.id, "orders")
            db.session.refresh(run)
            _ = list(run.entries)
            db.session.expunge_all()
            return run

    def settings(self, **values) -> None:
        with self.app.app_context():
            channel = db.session.get(Channel, self.channel.id)
            for key, value in values.items():
                setattr(channel, key, value)
            db.session.commit()

    def orders(self) -> list[Order]:
        with self.app.app_context():
            rows = list(db.session.scalars(db.select(Order).order_by(Order.id)))
            for row in rows:
                _ = list(row.lines)
            db.session.expunge_all()
            return rows

    def one(self, wix_order: dict) -> Order:
        matches = [o for o in self.orders() if o.external_id == wix_order["id"]]
        assert len(matches) == 1, f"{len(matches)} OMS orders for Wix order {wix_order['number']}"
        return matches[0]

    def add(self, *objects) -> None:
        with self.app.app_context():
            db.session.add_all(objects)
            db.session.commit()
            for obj in objects:
                db.session.refresh(obj)
            db.session.expunge_all()

"""Phase 1 of bench/inventory_truth.py: each kind of drift once, on each catalog."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from _truth_world import CATALOGS, app_config, connect, sync
from sqlalchemy import func, select, update

from wixoms import create_app
from wixoms.extensions import db
from wixoms.models import (
    Channel,
    InventoryLevel,
    Order,
    Shipment,
    ShipmentLine,
    SkuMapping,
    SyncCheckpoint,
    Variant,
)
from wixoms.models._base import utcnow
from wixoms.sync.inventory_targets import build_targets
from wixoms.sync.stock import allocated, consume_shipment

SIMPLE = ("MUG", "CAP", "PIN", "BAG", "PEN", "HAT")
CASES = {  # kind → the Wix SKUs it touches
    "merchant_edit_in_wix": ["TEE-S"],
    "wix_sale": ["MUG"],
    "oms_receipt": ["CAP"],
    "cancel": ["PIN"],
    "return": ["BAG"],
    "extra_sku_mapping": ["PEN", "PEN-BUNDLE"],
    "first_catalog_import": ["TEE-M", "TEE-L", "HAT"],
}
__all__ = ["CASES", "CATALOGS", "drift_phase"]


class Shop:
    """One site's catalog: a Tee (S, M, L), six simple products and a bundle, 10 of each."""

    def __init__(self, server, control, catalog: str, tmp: Path, key: str) -> None:
        self.server, self.control, self.catalog = server, control, catalog
        self.app = create_app(app_config(tmp, f"drift-{catalog}", server.url, key))
        self.channel_id, self.site_id = connect(
            self.app, control, server.url, catalog, order_statuses=["APPROVED", "CANCELED"]
        )
        self.products = {
            "TEE": control.add_product(
                self.site_id,
                name="Tee",
                price=20,
                options={"Size": ["S", "M", "L"]},
                skus={"S": "TEE-S", "M": "TEE-M", "L": "TEE-L"},
                quantity=10,
            )  # fmt: skip
        }
        for sku in (*SIMPLE, "PEN-BUNDLE"):
            self.products[sku] = control.add_product(
                self.site_id, name=sku.title(), price=5, sku=sku, quantity=10
            )

    def oms(self, sql):
        with self.app.app_context():
            try:
                return sql()
            finally:
                db.session.commit()
                db.session.remove()

    def variant_id(self, sku: str) -> int:
        return self.oms(lambda: db.session.scalar(select(Variant.id).where(Variant.sku == sku)))

    def add_on_hand(self, sku: str, units: int) -> None:
        variant_id = self.variant_id(sku)
        self.oms(
            lambda: db.session.execute(
                update(InventoryLevel)
                .where(InventoryLevel.variant_id == variant_id)
                .values(on_hand=InventoryLevel.on_hand + units)
            )
        )

    def wix_quantity(self, sku: str) -> int | None:
        store = self.server.store
        with store.lock:
            for product in store.site_products[self.site_id].values():
                for v in product.variants:
                    if (v.sku or (product.sku if not v.choices else "")) == sku:
                        return v.quantity if v.track_quantity else None
        return None

    def buy(self, sku: str, quantity: int) -> dict:
        return self.control.place_order(
            self.site_id, lines=[{"sku": sku, "quantity": quantity}], pickup=False
        )

    def ship_all(self, wix_order_id: str) -> None:
        def work():
            order = db.session.scalar(select(Order).where(Order.external_id == wix_order_id))
            shipment = Shipment(order=order, tracking_number=f"T-{order.number}")
            db.session.add(shipment)
            for line in order.lines:
                shipment.lines.append(ShipmentLine(order_line=line, quantity=line.quantity))
            consume_shipment(shipment)
            order.status = "shipped"

        self.oms(work)

    def due(self) -> None:
        """The reconciliation schedule comes round."""

        def work():
            cp = db.session.get(SyncCheckpoint, (self.channel_id, "inventory"))
            cp.updated_since = utcnow() - timedelta(days=2)

        self.oms(work)

    def wanted(self) -> dict[str, int]:
        """Wix SKU → what Wix should show, by the OMS's own rules."""

        def work():
            channel = db.session.get(Channel, self.channel_id)
            warehouses = [m.warehouse_id for m in channel.warehouse_mappings]
            return {t.sku: t.quantity for t in build_targets(channel, warehouses)}

        return self.oms(work)

    def oversold(self) -> int:
        def work():
            channel = db.session.get(Channel, self.channel_id)
            held: dict[int, int] = {}
            for (variant_id, _w), units in allocated(channel.account_id).items():
                held[variant_id] = held.get(variant_id, 0) + units
            on_hand = dict(
                db.session.execute(
                    select(InventoryLevel.variant_id, func.sum(InventoryLevel.on_hand)).group_by(
                        InventoryLevel.variant_id
                    )
                ).all()
            )
            return sum(max(0, units - int(on_hand.get(v, 0))) for v, units in held.items())

        return self.oms(work)


def drift_phase(server, control, catalog: str, tmp: Path, key: str) -> dict:
    shop = Shop(server, control, catalog, tmp, key)
    sync(shop.app, shop.channel_id, "catalog_import")  # takes stock from Wix: nothing zeroed
    sync(shop.app, shop.channel_id, "inventory")
    shop.control.set_inventory(shop.products["TEE"]["id"], [{"sku": "TEE-S", "quantity": 50}])
    shop.buy("MUG", 2)
    shop.add_on_hand("CAP", 5)
    cancelled = shop.buy("PIN", 3)
    returned = shop.buy("BAG", 2)
    sync(shop.app, shop.channel_id, "orders")
    shop.control.update_order(cancelled["id"], status="CANCELED")
    shop.ship_all(returned["id"])
    shop.add_on_hand("BAG", 1)  # one unit comes back
    pen = shop.variant_id("PEN")  # the merchant maps the Wix bundle to the OMS's PEN
    shop.oms(
        lambda: db.session.execute(
            update(SkuMapping)
            .where(SkuMapping.channel_id == shop.channel_id, SkuMapping.wix_sku == "PEN-BUNDLE")
            .values(variant_id=pen)
        )
    )
    sync(shop.app, shop.channel_id, "orders")
    shop.due()
    sync(shop.app, shop.channel_id, "inventory")  # one reconcile and push
    wanted = shop.wanted()
    wrong = {sku for sku, q in wanted.items() if shop.wix_quantity(sku) != q}
    cases = {kind: sum(1 for sku in skus if sku in wrong) for kind, skus in CASES.items()}
    # Buyers take everything Wix shows, one SKU at a time, each sale downloaded and pushed.
    for sku in sorted(wanted):
        shown = shop.wix_quantity(sku) or 0
        if shown > 0:
            shop.buy(sku, shown)
            sync(shop.app, shop.channel_id, "orders")
            sync(shop.app, shop.channel_id, "inventory")
    return {"cases": cases, "mismatches": len(wrong), "oversold": shop.oversold()}

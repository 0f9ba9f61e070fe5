"""Issue 14, inventory side: what Wix shows is what the OMS can sell, and drift heals."""

from __future__ import annotations

from datetime import timedelta

from tests.integration.sync.test_inventory_push import BOTH, messages, stock  # noqa: F401
from wixoms.extensions import db
from wixoms.models import InventoryLevel, Order, SkuMapping, SyncCheckpoint, Variant
from wixoms.models._base import utcnow
from wixoms.sync.runs import run_now


def download_orders(s) -> None:
    with s.app.app_context():
        run = run_now(s.channel.id, "orders")
        assert run.state == "succeeded", run.summary


def age_reconcile(s, hours: float = 25) -> None:
    """As if the last read-back of Wix's quantities was ``hours`` ago."""
    with s.app.app_context():
        cp = db.session.get(SyncCheckpoint, (s.channel.id, "inventory"))
        if cp is None:
            cp = SyncCheckpoint(channel_id=s.channel.id, kind="inventory")
            db.session.add(cp)
        cp.updated_since = utcnow() - timedelta(hours=hours)
        db.session.commit()


@BOTH
def test_a_wix_sale_then_an_oms_receipt_pushes_what_is_left_to_sell(stock, catalog):  # noqa: F811
    """Wix shows 10, a Wix sale of 2 brings it to 8, one unit is received: Wix must show 9."""
    s = stock(catalog)
    s.map_warehouse()
    s.level("TEE-S", on_hand=10)
    s.push()
    s.sandbox.place_order(s.channel.site_id, lines=[{"sku": "TEE-S", "quantity": 2}])
    assert s.wix_quantities()["TEE-S"] == 8
    download_orders(s)  # the order allocates its 2 units
    s.level("TEE-S", on_hand=11)  # one unit received
    run = s.push()
    assert run.state == "succeeded", messages(run)
    assert s.wix_quantities()["TEE-S"] == 9


@BOTH
def test_a_cancel_in_wix_releases_the_allocation(stock, catalog):  # noqa: F811
    s = stock(catalog)
    s.map_warehouse()
    s.level("TEE-M", on_hand=6)
    placed = s.sandbox.place_order(s.channel.site_id, lines=[{"sku": "TEE-M", "quantity": 4}])
    download_orders(s)
    s.push()
    assert s.wix_quantities()["TEE-M"] == 2
    s.sandbox.update_order(placed["id"], status="CANCELED")
    s.settings(order_statuses=["APPROVED", "CANCELED"])
    download_orders(s)
    with s.app.app_context():
        assert db.session.scalar(db.select(Order.status)) == "cancelled"
    s.push()
    assert s.wix_quantities()["TEE-M"] == 6


@BOTH
def test_a_merchant_edit_in_wix_is_found_named_and_fixed(stock, catalog):  # noqa: F811
    """The v1 push sent deltas from what it last sent: 50 set in Wix, 5 → 8 gave 53, forever."""
    s = stock(catalog)
    s.map_warehouse()
    s.level("TEE-S", on_hand=5)
    s.push()
    s.sandbox.set_inventory(s.wix["id"], [{"sku": "TEE-S", "quantity": 50}])
    s.level("TEE-S", on_hand=8)
    s.push()
    assert s.wix_quantities()["TEE-S"] == 8
    s.sandbox.set_inventory(s.wix["id"], [{"sku": "TEE-S", "quantity": 50}])
    age_reconcile(s)  # the read-back schedule comes round; nothing changed in the OMS
    run = s.push()
    assert run.state == "succeeded", messages(run)
    assert s.wix_quantities()["TEE-S"] == 8
    assert "TEE-S: drift — Wix had 50, wixoms last sent 8; set to 8." in messages(run)
    assert s.push().api_calls == 0  # healed: the next push has nothing to do


def test_before_a_v1_delta_wix_is_read_so_drift_is_never_carried(stock):  # noqa: F811
    s = stock("v1")
    s.map_warehouse()
    skus = ("MUG", "CAP", "PIN", "BAG", "PEN", "HAT")
    mug = s.add_simple("MUG")
    for sku in skus:
        if sku != "MUG":
            s.add_simple(sku)
        s.level(sku, on_hand=5)
    s.push()
    s.sandbox.set_inventory(mug["id"], [{"variantId": mug["variants"][0]["id"], "quantity": 50}])
    for sku in skus:
        s.level(sku, on_hand=8)
    run = s.push()  # deltas are cheaper here: they start from Wix's quantities, read first
    assert {sku: s.wix_quantities()[sku] for sku in skus} == dict.fromkeys(skus, 8)
    assert "strategy: mixed (2 calls)" in messages(run)  # MUG set absolutely, the rest by +3
    assert "MUG: drift — Wix had 50, wixoms last sent 5; set to 8." in messages(run)
    assert "MUG: 50 → 8" in messages(run)


@BOTH
def test_the_first_catalog_import_takes_stock_from_wix_so_a_push_never_zeroes_it(
    stock,  # noqa: F811
    catalog,
):
    s = stock(catalog)
    shirt = s.sandbox.add_product(
        s.channel.site_id, name="Shirt", price=15, options={"Color": ["Blue", "Red"]},
        skus={"Blue": "SHIRT-S-BLUE", "Red": "SHIRT-S-RED"}, quantity=4,
    )  # fmt: skip
    s.map_warehouse()
    with s.app.app_context():
        run = run_now(s.channel.id, "catalog_import")
        assert run.state == "succeeded", run.summary
        assert "Took stock levels from Wix" in messages(run)
        on_hand = dict(
            db.session.execute(
                db.select(Variant.sku, InventoryLevel.on_hand)
                .join(InventoryLevel, InventoryLevel.variant_id == Variant.id)
                .where(Variant.sku.like("SHIRT%"), InventoryLevel.warehouse_id == s.main_id)
            ).all()
        )
    assert on_hand == {"SHIRT-S-BLUE": 4, "SHIRT-S-RED": 4}
    s.push()
    store = s.server.store
    with store.lock:
        assert [v.quantity for v in store.products[shirt["id"]].variants] == [4, 4]


@BOTH
def test_an_extra_sku_mapping_does_not_starve_the_variant_named_with_the_oms_sku(
    stock,  # noqa: F811
    catalog,
):
    s = stock(catalog)
    s.map_warehouse()
    s.sandbox.add_product(s.channel.site_id, name="Tee bundle", price=30, sku="TEE-S-BUNDLE")
    with s.app.app_context():
        db.session.add(
            SkuMapping(
                channel_id=s.channel.id, wix_sku="TEE-S-BUNDLE", variant_id=s.variants["TEE-S"]
            )
        )
        db.session.commit()
    s.level("TEE-S", on_hand=6)
    run = s.push()
    assert run.state == "succeeded", messages(run)
    store = s.server.store
    with store.lock:
        bundle = next(p for p in store.products.values() if p.name == "Tee bundle")
        assert bundle.variants[0].quantity == 6
    assert s.wix_quantities()["TEE-S"] == 6

"""Inventory push rules (ARCHITECTURE §1.3, techOMS guide) against the live sandbox, v1 and v3."""

from __future__ import annotations

import pytest

from wixoms.extensions import db
from wixoms.models import (
    Channel,
    InventoryLevel,
    InventoryPushState,
    Order,
    OrderLine,
    Product,
    SkuMapping,
    SyncRun,
    Variant,
    Warehouse,
    WarehouseMapping,
)
from wixoms.sync.runs import run_now

BOTH = pytest.mark.parametrize("catalog", ["v1", "v3"])


class Stock:
    """A channel whose Wix site sells a T-shirt (S, M, L); the OMS has the same SKUs."""

    def __init__(self, app, sandbox, server, channel: Channel, account_id: int) -> None:
        self.app, self.sandbox, self.server = app, sandbox, server
        self.channel, self.account_id = channel, account_id
        self.wix = sandbox.add_product(
            channel.site_id, name="Wix Tee", price=20, options={"Size": ["S", "M", "L"]},
            skus={"S": "TEE-S", "M": "TEE-M", "L": "TEE-L"}, quantity=0,
        )  # fmt: skip
        with app.app_context():
            product = Product(account_id=account_id, name="T-shirt")
            for size in "SML":
                product.variants.append(
                    Variant(account_id=account_id, sku=f"TEE-{size}", options={"Size": size})
                )
            self.main = Warehouse(account_id=account_id, code="MAIN", name="Main")
            self.other = Warehouse(account_id=account_id, code="OTHER", name="Other")
            db.session.add_all([product, self.main, self.other])
            db.session.commit()
            self.variants = {v.sku: v.id for v in product.variants}
            self.main_id, self.other_id = self.main.id, self.other.id
        self.simple: dict[str, str] = {}

    def add_simple(self, sku: str) -> dict:
        """A product without options, in Wix and in the OMS, with the same SKU."""
        wix = self.sandbox.add_product(self.channel.site_id, name=sku.title(), price=5, sku=sku)
        with self.app.app_context():
            product = Product(account_id=self.account_id, name=sku.title())
            product.variants.append(Variant(account_id=self.account_id, sku=sku))
            db.session.add(product)
            db.session.commit()
            self.variants[sku] = product.variants[0].id
        self.simple[sku] = wix["id"]
        return wix

    def map_warehouse(self, which: str = "main") -> None:
        warehouse_id = self.main_id if which == "main" else self.other_id
        self.add(WarehouseMapping(channel_id=self.channel.id, warehouse_id=warehouse_id))

    def level(self, sku: str, on_hand: int, where: str = "main") -> None:
        warehouse_id = self.main_id if where == "main" else self.other_id
        with self.app.app_context():
            key = (self.variants[sku], warehouse_id)
            row = db.session.get(InventoryLevel, key) or InventoryLevel(
                variant_id=key[0], warehouse_id=key[1]
            )
            row.on_hand = on_hand
            db.session.add(row)
            db.session.commit()

    def settings(self, **values) -> None:
        with self.app.app_context():
            channel = db.session.get(Channel, self.channel.id)
            for key, value in values.items():
                setattr(channel, key, value)
            db.session.commit()

    def add(self, *objects) -> None:
        with self.app.app_context():
            db.session.add_all(objects)
            db.session.commit()

    def push(self) -> SyncRun:
        with self.app.app_context():
            run = run_now(self.channel.id, "inventory")
            db.session.refresh(run)
            _ = list(run.entries)
            db.session.expunge_all()
            return run

    def wix_quantities(self) -> dict[str, int | None]:
        """What Wix shows per SKU (None: quantity not tracked)."""
        store = self.server.store
        with store.lock:
            products = [store.products[i] for i in [self.wix["id"], *self.simple.values()]]
            return {
                (v.sku or product.sku): (v.quantity if v.track_quantity else None)
                for product in products
                for v in product.variants
                if v.sku or (product.sku and not v.choices)
            }

    def wix_calls(self) -> int:
        return self.sandbox.counters()["total"]


@pytest.fixture
def stock(wix_app, world, sandbox, sandbox_server, connected_channel):
    def _stock(catalog: str = "v3", **settings) -> Stock:
        channel = connected_channel(catalog=catalog, **settings)
        return Stock(wix_app, sandbox, sandbox_server, channel, world.acme.id)

    return _stock


def messages(run: SyncRun) -> str:
    return "\n".join(e.message for e in run.entries)


@BOTH
def test_stock_of_mapped_warehouses_is_summed_minus_buffer_and_capped(stock, catalog):
    s = stock(catalog, stock_buffer=2, max_stock_level=5)
    s.map_warehouse("main")
    s.level("TEE-S", on_hand=8)  # 8 − 2 = 6 → capped at 5
    s.level("TEE-S", on_hand=50, where="other")  # not mapped: Wix has no stock by location
    s.level("TEE-M", on_hand=3)  # 3 − 2 = 1
    s.level("TEE-L", on_hand=1)  # 1 − 2 < 0 → 0
    run = s.push()
    assert run.state == "succeeded", messages(run)
    assert s.wix_quantities() == {"TEE-S": 5, "TEE-M": 1, "TEE-L": 0}
    assert (run.seen, run.updated) == (3, 2)  # the first push reads Wix: TEE-L already shows 0


@BOTH
def test_every_mapped_warehouse_counts(stock, catalog):
    s = stock(catalog)
    s.map_warehouse("main")
    s.map_warehouse("other")
    s.level("TEE-S", on_hand=4)
    s.level("TEE-S", on_hand=5, where="other")
    s.push()
    assert s.wix_quantities()["TEE-S"] == 9


def test_without_a_warehouse_mapping_nothing_is_sent_and_the_run_says_why(stock):
    s = stock("v3")
    s.level("TEE-S", on_hand=10)
    before = s.wix_calls()
    run = s.push()
    assert run.state == "skipped"
    assert "no warehouse is mapped" in run.summary
    assert s.wix_calls() == before
    assert s.wix_quantities() == {"TEE-S": 0, "TEE-M": 0, "TEE-L": 0}


@BOTH
def test_a_second_push_with_nothing_changed_makes_no_wix_call(stock, catalog):
    s = stock(catalog)
    s.map_warehouse()
    s.level("TEE-S", on_hand=7)
    assert s.push().updated == 1  # TEE-M and TEE-L: Wix already shows 0
    before = s.wix_calls()
    run = s.push()
    assert (run.state, run.updated, run.api_calls) == ("succeeded", 0, 0)
    assert s.wix_calls() == before


@BOTH
def test_only_skus_whose_quantity_changed_are_sent(stock, catalog):
    s = stock(catalog)
    s.map_warehouse()
    for sku in ("TEE-S", "TEE-M", "TEE-L"):
        s.level(sku, on_hand=5)
    s.push()
    s.level("TEE-M", on_hand=9)
    run = s.push()
    assert (run.updated, run.skipped) == (1, 2)
    assert [e.item_ref for e in run.entries if e.item_ref] == ["TEE-M"]
    assert s.wix_quantities() == {"TEE-S": 5, "TEE-M": 9, "TEE-L": 5}


SIX = ("MUG", "CAP", "PIN", "BAG", "PEN", "HAT")


def test_v1_run_log_names_the_strategy_and_uses_deltas_only_after_reading_wix(stock):
    s = stock("v1")
    s.map_warehouse()
    for sku in SIX:
        s.add_simple(sku)
        s.level(sku, on_hand=5)
    first = s.push()
    assert "strategy: patch_per_product (6 calls)" in messages(first)  # the Tee shows 0 already
    for sku, quantity in zip(SIX, (8, 2, 9, 1, 7, 3), strict=True):
        s.level(sku, on_hand=quantity)
    second = s.push()  # 1 read + 1 increment + 1 decrement call, against 6 PATCHes
    assert "Read 9 quantities back from Wix: 0 drifts found." in messages(second)
    assert "strategy: increment_decrement (2 calls)" in messages(second)
    assert second.api_calls == 3
    wanted = {"MUG": 8, "CAP": 2, "PIN": 9, "BAG": 1, "PEN": 7, "HAT": 3}
    assert s.wix_quantities() == {"TEE-S": 0, "TEE-M": 0, "TEE-L": 0, **wanted}


def test_v1_sale_in_wix_is_not_counted_twice(stock, wix_app):
    """Wix lowers its quantity on purchase; once the OMS allocates the same units, a delta from
    what we last sent would lower it again. The pushed value must equal the OMS value."""
    s = stock("v1")
    s.map_warehouse()
    for sku in ("MUG", "CAP", "PIN"):
        s.add_simple(sku)
        s.level(sku, on_hand=10)
    s.push()
    placed = s.sandbox.place_order(
        s.channel.site_id, lines=[{"productId": s.simple["MUG"], "quantity": 2}]
    )
    assert s.wix_quantities()["MUG"] == 8  # Wix deducted the sale itself
    with wix_app.app_context():  # the orders download brings the order and reserves its units
        order = Order(
            account_id=s.account_id, channel_id=s.channel.id, external_id=placed["id"],
            number=placed["number"], channel_status="APPROVED",
        )  # fmt: skip
        order.lines.append(OrderLine(variant_id=s.variants["MUG"], sku="MUG", quantity=2))
        db.session.add(order)
        db.session.commit()
    s.level("CAP", on_hand=4)
    s.level("PIN", on_hand=3)
    run = s.push()
    assert run.state == "succeeded", messages(run)
    assert s.wix_quantities() == {"TEE-S": 0, "TEE-M": 0, "TEE-L": 0, "MUG": 8, "CAP": 4, "PIN": 3}


@BOTH
def test_dry_run_computes_and_logs_but_sends_nothing(stock, catalog):
    s = stock(catalog, dry_run=True)
    s.map_warehouse()
    s.level("TEE-S", on_hand=6)
    before = s.wix_calls()
    run = s.push()
    assert run.state == "succeeded"
    assert "Would set TEE-S to 6 (was 0)." in messages(run)  # as just read from Wix
    assert s.wix_quantities() == {"TEE-S": 0, "TEE-M": 0, "TEE-L": 0}
    with s.app.app_context():
        assert db.session.scalar(db.select(db.func.count(InventoryPushState.id))) == 0
    # Only the SKU lookup reads Wix; nothing is written.
    assert s.wix_calls() - before == run.api_calls


@BOTH
def test_sku_mapping_sends_stock_to_the_mapped_wix_variant(stock, catalog):
    s = stock(catalog)
    s.map_warehouse()
    extra = s.sandbox.add_product(s.channel.site_id, name="Wix Mug", price=9, sku="WIX-MUG")
    with s.app.app_context():
        mug = Product(account_id=s.account_id, name="Mug")
        mug.variants.append(Variant(account_id=s.account_id, sku="OMS-MUG"))
        db.session.add(mug)
        db.session.flush()
        variant_id = extra["variants"][0]["id"] if catalog == "v1" else _v3_variant(extra)
        db.session.add(
            SkuMapping(
                channel_id=s.channel.id, wix_sku="WIX-MUG", variant=mug.variants[0],
                wix_product_id=extra["id"], wix_variant_id=variant_id,
            )
        )  # fmt: skip
        db.session.add(InventoryLevel(variant=mug.variants[0], warehouse_id=s.main_id, on_hand=3))
        db.session.commit()
    s.push()
    store = s.server.store
    with store.lock:
        assert store.products[extra["id"]].variants[0].quantity == 3


def _v3_variant(product: dict) -> str:
    return product["variantsInfo"]["variants"][0]["id"]


@BOTH
def test_sku_missing_in_wix_is_reported_once_and_costs_nothing_later(stock, catalog):
    s = stock(catalog)
    s.map_warehouse()
    with s.app.app_context():
        cap = Product(account_id=s.account_id, name="Cap")
        cap.variants.append(Variant(account_id=s.account_id, sku="CAP-ONLY-OMS"))
        db.session.add(cap)
        db.session.commit()
    run = s.push()
    assert "CAP-ONLY-OMS is not in Wix" in messages(run)
    before = s.wix_calls()
    again = s.push()
    assert (again.api_calls, s.wix_calls() - before) == (0, 0)


def test_v1_push_cut_by_wix_errors_is_completed_from_a_fresh_read_by_the_next_run(stock):
    """A delta call with an unknown outcome must never be repeated from what we sent: the next
    run reads Wix's quantities first and goes on from those."""
    s = stock("v1")
    s.map_warehouse()
    for sku in SIX:
        s.add_simple(sku)
        s.level(sku, on_hand=5)
    s.push()
    for sku in SIX:
        s.level(sku, on_hand=2)
    s.sandbox.burst("/stores/v2/inventoryItems/decrement", status=500, count=10)
    failed = s.push()
    assert failed.state == "failed"
    s.sandbox.clear_faults()
    run = s.push()
    assert run.state == "succeeded", messages(run)
    assert "Read 9 quantities back from Wix" in messages(run)
    assert s.wix_quantities() == {"TEE-S": 0, "TEE-M": 0, "TEE-L": 0, **dict.fromkeys(SIX, 2)}
    assert s.push().api_calls == 0

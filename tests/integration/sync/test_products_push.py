"""Product push rules (ARCHITECTURE §1.3, techOMS guide) against the live sandbox, v1 and v3."""

from __future__ import annotations

from decimal import Decimal

import pytest

from wixoms.extensions import db
from wixoms.models import Channel, Product, ProductPushState, SkuMapping, SyncRun, Variant
from wixoms.sync.runs import run_now

BOTH = pytest.mark.parametrize("catalog", ["v1", "v3"])


class Catalog:
    """A connected channel and helpers to shape OMS products and read Wix's."""

    def __init__(self, app, sandbox, server, channel: Channel, account_id: int) -> None:
        self.app, self.sandbox, self.server = app, sandbox, server
        self.channel, self.account_id = channel, account_id

    def product(self, name: str, *variants: tuple[str, dict, str]) -> int:
        with self.app.app_context():
            product = Product(account_id=self.account_id, name=name)
            for sku, options, price in variants:
                product.variants.append(
                    Variant(
                        account_id=self.account_id, sku=sku, options=options, price=Decimal(price)
                    )
                )
            db.session.add(product)
            db.session.commit()
            return product.id

    def reshape(self, product_id: int, *variants: tuple[str, dict, str]) -> None:
        """Give the product these variants: SKUs kept where they repeat, others removed."""
        with self.app.app_context():
            product = db.session.get(Product, product_id)
            wanted = {sku: (options, Decimal(price)) for sku, options, price in variants}
            for v in list(product.variants):
                if v.sku not in wanted:
                    product.variants.remove(v)
            db.session.flush()
            have = {v.sku: v for v in product.variants}
            for sku, (options, price) in wanted.items():
                v = have.get(sku)
                if v is None:
                    v = Variant(account_id=self.account_id, sku=sku)
                    product.variants.append(v)
                v.options, v.price = options, price
            db.session.commit()

    def push(self) -> SyncRun:
        with self.app.app_context():
            run = run_now(self.channel.id, "products")
            db.session.refresh(run)
            _ = list(run.entries)
            db.session.expunge_all()
            return run

    def wix_products(self) -> list:
        store = self.server.store
        with store.lock:
            return list(store.site_products[self.channel.site_id].values())

    def wix_one(self):
        products = self.wix_products()
        assert len(products) == 1, f"{len(products)} products in Wix"
        return products[0]

    def wix_calls(self) -> int:
        return self.sandbox.counters()["total"]

    def mappings(self) -> dict[str, tuple[str, str, str]]:
        with self.app.app_context():
            return {
                m.wix_sku: (m.variant.sku, m.wix_product_id, m.wix_variant_id)
                for m in db.session.scalars(db.select(SkuMapping))
            }


@pytest.fixture
def shop(wix_app, world, sandbox, sandbox_server, connected_channel):
    def _shop(catalog: str = "v3", **settings) -> Catalog:
        channel = connected_channel(catalog=catalog, **settings)
        return Catalog(wix_app, sandbox, sandbox_server, channel, world.acme.id)

    return _shop


def wix_sku(product, variant) -> str:
    """The SKU Wix shows for a variant (a v1 product without options keeps it on the product)."""
    return variant.sku or (product.sku if not variant.choices else "")


def skus_by_choices(product) -> dict[tuple, tuple[str, bool]]:
    return {
        tuple(sorted(v.choices.items())): (wix_sku(product, v), v.visible) for v in product.variants
    }


TEE = (
    ("TEE-S", {"Size": "S"}, "20.00"),
    ("TEE-M", {"Size": "M"}, "22.50"),
)


@BOTH
def test_product_without_variants_is_created_with_its_sku_and_price(shop, catalog):
    s = shop(catalog)
    s.product("Mug", ("MUG-1", {}, "9.50"))
    run = s.push()
    assert (run.state, run.created) == ("succeeded", 1), run.summary
    wix = s.wix_one()
    assert (wix.name, wix.options, wix.price) == ("Mug", [], Decimal("9.50"))
    assert [wix_sku(wix, v) for v in wix.variants] == ["MUG-1"]
    assert s.mappings() == {"MUG-1": ("MUG-1", wix.id, wix.variants[0].id)}


@BOTH
def test_product_with_variants_is_created_with_one_wix_variant_per_sku(shop, catalog):
    s = shop(catalog)
    s.product("Tee", *TEE)
    s.push()
    wix = s.wix_one()
    assert skus_by_choices(wix) == {
        (("Size", "S"),): ("TEE-S", True),
        (("Size", "M"),): ("TEE-M", True),
    }
    prices = {wix_sku(wix, v): v.price or wix.price for v in wix.variants}
    assert prices == {"TEE-S": Decimal("20.00"), "TEE-M": Decimal("22.50")}
    by_sku = {v.sku: v.id for v in wix.variants}
    assert s.mappings() == {sku: (sku, wix.id, by_sku[sku]) for sku in ("TEE-S", "TEE-M")}


@BOTH
def test_unchanged_products_send_nothing_and_changed_ones_are_updated(shop, catalog):
    s = shop(catalog)
    tee = s.product("Tee", *TEE)
    s.product("Mug", ("MUG-1", {}, "9.50"))
    s.push()
    before = s.wix_calls()
    again = s.push()
    assert (again.skipped, again.api_calls, s.wix_calls() - before) == (2, 0, 0)
    s.reshape(tee, ("TEE-S", {"Size": "S"}, "25.00"), ("TEE-M", {"Size": "M"}, "22.50"))
    changed = s.push()
    assert (changed.updated, changed.skipped, changed.created) == (1, 1, 0)
    assert len(s.wix_products()) == 2
    tee_wix = next(p for p in s.wix_products() if p.name == "Tee")
    assert {wix_sku(tee_wix, v): v.price or tee_wix.price for v in tee_wix.variants}[
        "TEE-S"
    ] == Decimal("25.00")


@BOTH
def test_cartesian_combinations_the_oms_lacks_stay_in_wix_without_sku_and_hidden(shop, catalog):
    s = shop(catalog)
    s.product(
        "Tee",
        ("TEE-S-RED", {"Size": "S", "Color": "Red"}, "20"),
        ("TEE-M-RED", {"Size": "M", "Color": "Red"}, "20"),
        ("TEE-S-BLUE", {"Size": "S", "Color": "Blue"}, "20"),
    )
    run = s.push()
    assert run.state == "succeeded", run.summary
    wix = s.wix_one()
    assert skus_by_choices(wix) == {
        (("Color", "Red"), ("Size", "S")): ("TEE-S-RED", True),
        (("Color", "Red"), ("Size", "M")): ("TEE-M-RED", True),
        (("Color", "Blue"), ("Size", "S")): ("TEE-S-BLUE", True),
        (("Color", "Blue"), ("Size", "M")): ("", False),  # generated by Wix, not in the OMS
    }
    assert set(s.mappings()) == {"TEE-S-RED", "TEE-M-RED", "TEE-S-BLUE"}


@BOTH
def test_product_that_gains_variants_is_converted_in_wix(shop, catalog):
    s = shop(catalog)
    tee = s.product("Tee", ("TEE", {}, "20"))
    s.push()
    s.reshape(tee, ("TEE", {"Size": "S"}, "20"), ("TEE-M", {"Size": "M"}, "20"))
    run = s.push()
    assert (run.state, run.updated, run.created) == ("succeeded", 1, 0), run.summary
    wix = s.wix_one()
    assert wix.options and skus_by_choices(wix) == {
        (("Size", "S"),): ("TEE", True),
        (("Size", "M"),): ("TEE-M", True),
    }
    mappings = s.mappings()
    assert set(mappings) == {"TEE", "TEE-M"}
    assert {m[2] for m in mappings.values()} == {v.id for v in wix.variants}


@BOTH
def test_product_that_loses_its_variants_is_converted_back(shop, catalog):
    s = shop(catalog)
    tee = s.product("Tee", *TEE)
    s.push()
    s.reshape(tee, ("TEE-S", {}, "20"))
    run = s.push()
    assert (run.state, run.updated) == ("succeeded", 1), run.summary
    wix = s.wix_one()
    assert wix.options == []
    assert [wix_sku(wix, v) for v in wix.variants if v.visible] == ["TEE-S"]
    assert set(s.mappings()) == {"TEE-S"}  # TEE-M was dropped with its variant
    assert s.mappings()["TEE-S"][2] == wix.variants[0].id


@BOTH
def test_product_deleted_in_wix_is_created_again(shop, catalog):
    s = shop(catalog)
    tee = s.product("Tee", *TEE)
    s.push()
    store = s.server.store
    with store.lock:
        gone = s.wix_one().id
        store.site_products[s.channel.site_id].pop(gone)
        store.products.pop(gone)
    s.reshape(tee, ("TEE-S", {"Size": "S"}, "21"), ("TEE-M", {"Size": "M"}, "22.50"))
    run = s.push()
    assert (run.state, run.created) == ("succeeded", 1), run.summary
    with s.app.app_context():
        state = db.session.scalar(db.select(ProductPushState))
        assert state.wix_product_id == s.wix_one().id != gone


def test_product_wix_cannot_express_is_reported_and_the_others_still_pushed(shop):
    s = shop("v3")
    s.product("Twins", ("TW-1", {}, "5"), ("TW-2", {}, "5"))
    s.product("Mug", ("MUG-1", {}, "9.50"))
    run = s.push()
    assert (run.state, run.failed, run.created) == ("partial", 1, 1)
    assert any(
        "Twins was not pushed: it has several SKUs but no options" in e.message for e in run.entries
    )
    assert [p.name for p in s.wix_products()] == ["Mug"]


def test_dry_run_pushes_nothing(shop):
    s = shop("v1", dry_run=True)
    s.product("Mug", ("MUG-1", {}, "9.50"))
    before = s.wix_calls()
    run = s.push()
    assert run.state == "succeeded"
    assert "Would create it in Wix: Mug." in [e.message for e in run.entries]
    assert (s.wix_products(), s.wix_calls() - before) == ([], 0)

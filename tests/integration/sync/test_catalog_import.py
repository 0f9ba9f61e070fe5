"""Catalog import rules (ARCHITECTURE §1.3) against the live sandbox, v1 and v3."""

from __future__ import annotations

from decimal import Decimal

import pytest

from wixoms.extensions import db
from wixoms.models import Product, SkuMapping, SyncRun, Variant
from wixoms.sync.runs import run_now

BOTH = pytest.mark.parametrize("catalog", ["v1", "v3"])


@pytest.fixture
def site(wix_app, world, sandbox, sandbox_server, connected_channel):
    def _site(catalog: str = "v3", **settings) -> Site:
        return Site(wix_app, sandbox, connected_channel(catalog=catalog, **settings), world)

    return _site


class Site:
    def __init__(self, app, sandbox, channel, world) -> None:
        self.app, self.sandbox, self.channel, self.account_id = app, sandbox, channel, world.acme.id

    def add(self, **spec) -> dict:
        return self.sandbox.add_product(self.channel.site_id, **spec)

    def run(self, kind: str = "catalog_import") -> SyncRun:
        with self.app.app_context():
            run = run_now(self.channel.id, kind)
            db.session.refresh(run)
            _ = list(run.entries)
            db.session.expunge_all()
            return run

    def oms(self) -> dict[str, tuple[str, dict, Decimal]]:
        """OMS SKU → (product name, options, price)."""
        with self.app.app_context():
            return {
                v.sku: (v.product.name, dict(v.options or {}), v.price)
                for v in db.session.scalars(db.select(Variant))
            }

    def mappings(self) -> dict[str, tuple[str, str, str]]:
        with self.app.app_context():
            return {
                m.wix_sku: (m.variant.sku, m.wix_product_id, m.wix_variant_id)
                for m in db.session.scalars(db.select(SkuMapping))
            }

    def count(self, model) -> int:
        with self.app.app_context():
            return db.session.scalar(db.select(db.func.count()).select_from(model))


def _variant_ids(product: dict) -> dict[str, str]:
    """SKU → Wix variant id from the product as the catalog API renders it."""
    if "variantsInfo" in product:
        return {v["sku"]: v["id"] for v in product["variantsInfo"]["variants"] if v.get("sku")}
    return {v["variant"]["sku"]: v["id"] for v in product["variants"] if v["variant"].get("sku")}


def messages(run: SyncRun) -> str:
    return "\n".join(e.message for e in run.entries)


@BOTH
def test_wix_products_and_variants_become_oms_skus_with_mappings(site, catalog):
    s = site(catalog)
    tee = s.add(
        name="Tee", price=20, options={"Size": ["S", "M"]}, skus={"S": "TEE-S", "M": "TEE-M"}
    )
    mug = s.add(name="Mug", price=9.5, sku="MUG-1")
    run = s.run()
    assert (run.state, run.seen, run.created) == ("succeeded", 2, 3), messages(run)
    assert s.oms() == {
        "TEE-S": ("Tee", {"Size": "S"}, Decimal("20.00")),
        "TEE-M": ("Tee", {"Size": "M"}, Decimal("20.00")),
        "MUG-1": ("Mug", {}, Decimal("9.50")),
    }
    ids = {**_variant_ids(tee), **_variant_ids(mug)}
    assert s.mappings() == {
        "TEE-S": ("TEE-S", tee["id"], ids["TEE-S"]),
        "TEE-M": ("TEE-M", tee["id"], ids["TEE-M"]),
        "MUG-1": ("MUG-1", mug["id"], ids["MUG-1"]),
    }
    assert s.count(Product) == 2


@BOTH
def test_products_and_variants_without_sku_are_reported_not_invented(site, catalog):
    s = site(catalog)
    s.add(name="Nameless Mug", price=5)
    s.add(name="Half Tee", price=20, options={"Size": ["S", "M"]}, skus={"S": "HALF-S"})
    run = s.run()
    assert run.state == "succeeded"
    assert set(s.oms()) == {"HALF-S"}
    text = messages(run)
    assert "Nameless Mug has no SKU in Wix: not imported" in text
    assert "Half Tee: 1 variant without SKU not imported (M)" in text


@BOTH
def test_existing_oms_skus_are_matched_not_duplicated(site, catalog):
    s = site(catalog)
    with s.app.app_context():
        mine = Product(account_id=s.account_id, name="Our Tee")
        mine.variants.append(
            Variant(account_id=s.account_id, sku="TEE-S", options={"Size": "S"}, price=18)
        )
        db.session.add(mine)
        db.session.commit()
    s.add(name="Tee", price=20, options={"Size": ["S", "M"]}, skus={"S": "TEE-S", "M": "TEE-M"})
    run = s.run()
    assert (run.created, run.updated) == (1, 1)
    oms = s.oms()
    assert oms["TEE-S"] == ("Our Tee", {"Size": "S"}, Decimal("18.00"))  # ours, untouched
    assert oms["TEE-M"][0] == "Our Tee"  # the sibling joins the same OMS product
    assert s.count(Product) == 1
    assert set(s.mappings()) == {"TEE-S", "TEE-M"}


@BOTH
def test_importing_again_changes_nothing(site, catalog):
    s = site(catalog)
    s.add(name="Tee", price=20, options={"Size": ["S", "M"]}, skus={"S": "TEE-S", "M": "TEE-M"})
    s.run()
    before = (s.oms(), s.mappings(), s.count(Product))
    again = s.run()
    assert (again.created, again.updated, again.skipped) == (0, 0, 1)
    assert (s.oms(), s.mappings(), s.count(Product)) == before


@BOTH
def test_product_push_after_import_sends_nothing_until_the_oms_changes(site, catalog):
    s = site(catalog)
    s.add(name="Tee", price=20, options={"Size": ["S", "M"]}, skus={"S": "TEE-S", "M": "TEE-M"})
    s.run()
    push = s.run("products")
    assert (push.created, push.skipped, push.api_calls) == (0, 1, 0), messages(push)
    with s.app.app_context():
        variant = db.session.scalar(db.select(Variant).where(Variant.sku == "TEE-M"))
        variant.price = Decimal("25")
        db.session.commit()
    push = s.run("products")
    assert (push.created, push.updated) == (0, 1), messages(push)
    assert len(s.sandbox.products(s.channel.site_id)) == 1


def test_import_reads_wix_page_by_page(site, sandbox):
    s = site("v1")
    for i in range(105):
        s.add(name=f"Item {i}", price=1, sku=f"ITEM-{i:03d}")
    sandbox.reset_counters()
    run = s.run()
    assert (run.seen, run.created) == (105, 105)
    assert sandbox.counters()["endpoints"] and run.api_calls == 2  # two pages of ≤ 100


def test_dry_run_imports_nothing(site):
    s = site("v3", dry_run=True)
    s.add(name="Mug", price=9.5, sku="MUG-1")
    run = s.run()
    assert run.state == "succeeded"
    assert "Would import Mug: 1 new SKU" in messages(run)
    assert (s.oms(), s.mappings()) == ({}, {})

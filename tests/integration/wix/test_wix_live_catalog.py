"""Catalog v1 and v3 against the live sandbox: products, conversions, hiding, inventory."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.integration.wix.conftest import CATALOGS
from wixoms.wix import CatalogVersion, ProductSpec, VariantRef, VariantSpec, WixNotFound

SIZES = ["S", "M", "L"]
COLOURS = ["Black", "White"]


def shirt(skus: dict[tuple[str, str], str]) -> ProductSpec:
    return ProductSpec(
        name="Tee",
        price=Decimal("19.90"),
        options=[("Size", SIZES), ("Color", COLOURS)],
        variants=[
            VariantSpec({"Size": s, "Color": c}, sku, price=Decimal("21.50") if s == "L" else None)
            for (s, c), sku in skus.items()
        ],
    )


@pytest.fixture(params=CATALOGS, ids=["v1", "v3"])
def wix(request, connect):
    return connect(request.param)


def gateway(wix):
    return wix.client.catalog(wix.client.catalog_version())


def by_choices(product):
    return {(v.choices["Size"], v.choices["Color"]): v for v in product.variants}


def test_create_with_variants_hides_combinations_the_oms_lacks(wix):
    catalog = gateway(wix)
    created = catalog.create_product(shirt({("S", "Black"): "T-S-B", ("L", "White"): "T-L-W"}))
    [product] = [p for p in catalog.iter_products() if p.id == created.id]
    variants = by_choices(product)
    assert len(variants) == 6  # every cartesian combination exists
    assert variants[("S", "Black")].sku == "T-S-B" and variants[("S", "Black")].visible
    assert variants[("L", "White")].price == Decimal("21.50")
    hidden = catalog.generated_variants_without_sku(product)
    assert {(v.choices["Size"], v.choices["Color"]) for v in hidden} == {
        ("S", "White"),
        ("M", "Black"),
        ("M", "White"),
        ("L", "Black"),
    }
    assert all(not v.visible for v in hidden)


def test_convert_with_variants_to_without_and_back(wix):
    catalog = gateway(wix)
    created = catalog.create_product(shirt({("S", "Black"): "T-S-B"}))
    single = catalog.update_product(
        created.id, ProductSpec(name="Tee single", price=Decimal("15"), sku="TEE")
    )
    assert not single.has_variants
    assert [v.sku for v in single.variants] == ["TEE"]
    assert catalog.find_variants_by_sku(["TEE"]) == {"TEE": single.variants[0].ref}
    again = catalog.update_product(created.id, shirt({("M", "White"): "T-M-W"}))
    variants = by_choices(again)
    assert len(variants) == 6
    assert variants[("M", "White")].sku == "T-M-W"
    assert [v.sku for v in variants.values() if v.sku] == ["T-M-W"]
    assert sum(1 for v in variants.values() if v.visible) == 1


def test_update_drops_a_variant_by_hiding_it_and_clearing_its_sku(wix):
    catalog = gateway(wix)
    created = catalog.create_product(shirt({("S", "Black"): "A", ("M", "Black"): "B"}))
    updated = catalog.update_product(created.id, shirt({("S", "Black"): "A"}))
    variants = by_choices(updated)
    assert variants[("M", "Black")].sku is None and not variants[("M", "Black")].visible
    assert variants[("S", "Black")].id == by_choices(created)[("S", "Black")].id


def test_find_variants_by_sku_maps_only_known_skus(wix):
    catalog = gateway(wix)
    created = catalog.create_product(shirt({("S", "Black"): "F-1", ("L", "Black"): "F-2"}))
    found = catalog.find_variants_by_sku(["F-1", "F-2", "NOPE"])
    assert set(found) == {"F-1", "F-2"}
    assert found["F-1"] == by_choices(created)[("S", "Black")].ref


def test_delete_product(wix):
    catalog = gateway(wix)
    created = catalog.create_product(ProductSpec(name="Gone", price=Decimal("1"), sku="GONE"))
    catalog.delete_product(created.id)
    assert all(p.id != created.id for p in catalog.iter_products())
    with pytest.raises(WixNotFound):
        catalog.delete_product(created.id)


def quantities(sandbox, site_id: str) -> dict[str, int]:
    """SKU → quantity as the sandbox's own (Wix-side) view renders it."""
    out = {}
    for p in sandbox.products(site_id):
        for v in p.get("variants") or []:
            sku = (v.get("variant") or {}).get("sku") or v.get("sku")
            qty = (v.get("stock") or {}).get("quantity")
            if sku and qty is not None:
                out[sku] = qty
    return out


def test_set_inventory_sets_absolute_quantities(wix):
    catalog = gateway(wix)
    created = catalog.create_product(shirt({("S", "Black"): "I-1", ("M", "Black"): "I-2"}))
    simple = catalog.create_product(ProductSpec(name="Mug", price=Decimal("5"), sku="I-3"))
    refs = catalog.find_variants_by_sku(["I-1", "I-2", "I-3"])
    result = catalog.set_inventory({refs["I-1"]: 4, refs["I-2"]: 0, refs["I-3"]: 12})
    assert sorted(result.updated, key=str) == sorted(refs.values(), key=str)
    assert result.failed == {}
    stock = {v.sku: v.quantity for p in catalog.iter_products() for v in p.variants if v.sku}
    if wix.client.catalog_version() is CatalogVersion.V1:
        assert (stock["I-1"], stock["I-2"], stock["I-3"]) == (4, 0, 12)
    assert created.id != simple.id


def test_inventory_lands_in_wix(wix, sandbox):
    catalog = gateway(wix)
    catalog.create_product(shirt({("S", "Black"): "Q-1", ("L", "White"): "Q-2"}))
    refs = catalog.find_variants_by_sku(["Q-1", "Q-2"])
    catalog.set_inventory({refs["Q-1"]: 7, refs["Q-2"]: 3})
    first = items_by_sku(wix, sandbox)
    assert (first["Q-1"], first["Q-2"]) == (7, 3)
    result = catalog.set_inventory(
        {refs["Q-1"]: 9, refs["Q-2"]: 1}, last_known={refs["Q-1"]: 7, refs["Q-2"]: 3}
    )
    second = items_by_sku(wix, sandbox)
    assert (second["Q-1"], second["Q-2"]) == (9, 1)
    assert result.calls <= 2


def items_by_sku(wix, sandbox) -> dict[str, int]:
    """Read stock straight from Wix's inventory endpoints (not through the gateway)."""
    client = wix.client
    out: dict[str, int] = {}
    if client.catalog_version() is CatalogVersion.V1:
        skus = {
            (p.id, v.id): v.sku
            for p in client.catalog(CatalogVersion.V1).iter_products()
            for v in p.variants
        }
        body = client.request(
            "POST", "/stores/v2/inventoryItems/query", json={"query": {}}, safe_to_retry=True
        )
        for item in body.get("inventoryItems") or []:
            for v in item.get("variants") or []:
                sku = skus.get((item["productId"], v["variantId"]))
                if sku and "quantity" in v:
                    out[sku] = v["quantity"]
    else:
        body = client.request(
            "POST", "/stores/v3/inventory-items/query", json={"query": {}}, safe_to_retry=True
        )
        for item in body.get("inventoryItems") or []:
            sku = (item.get("product") or {}).get("variantSku")
            if sku and "quantity" in item:
                out[sku] = item["quantity"]
    return out


def test_v1_inventory_uses_increments_from_last_known_when_cheaper(connect, sandbox):
    wix = connect("V1_CATALOG")
    catalog = gateway(wix)
    skus = [f"D-{i}" for i in range(6)]
    for sku in skus:
        catalog.create_product(ProductSpec(name=sku, price=Decimal("3"), sku=sku))
    refs = catalog.find_variants_by_sku(skus)
    catalog.set_inventory({refs[s]: 10 for s in skus})
    result = catalog.set_inventory(
        {refs[s]: 10 + (i % 2 and 2 or -3) for i, s in enumerate(skus)},
        last_known={refs[s]: 10 for s in skus},
    )
    assert (result.strategy, result.calls) == ("increment_decrement", 2)
    stock = items_by_sku(wix, sandbox)
    assert [stock[s] for s in skus] == [7, 12, 7, 12, 7, 12]


def test_v3_stale_cached_revision_is_recovered(connect, sandbox):
    wix = connect("V3_CATALOG")
    catalog = gateway(wix)
    created = catalog.create_product(ProductSpec(name="Rev", price=Decimal("3"), sku="R-1"))
    ref = VariantRef(created.id, created.variants[0].id)
    catalog.set_inventory({ref: 5})  # caches the revision
    sandbox.set_inventory(created.id, [{"sku": "R-1", "quantity": 2}])  # Wix changes it
    result = catalog.set_inventory({ref: 8})
    assert result.updated == [ref] and result.failed == {}
    assert result.calls == 3  # stale bulk update, re-read of the revision, bulk update
    assert items_by_sku(wix, sandbox)["R-1"] == 8


def test_iter_products_streams_many_pages(connect, sandbox):
    wix = connect("V1_CATALOG", plan="pro")
    for i in range(25):
        sandbox.add_product(wix.site_id, name=f"P{i}", price=2, sku=f"PG-{i}")
    from wixoms.wix import ThroughputPlan

    wix.client.plan = ThroughputPlan("small", "small", 60, 10, products_page_size=10)
    catalog = wix.client.catalog(CatalogVersion.V1)
    skus = [p.sku for p in catalog.iter_products()]
    assert sorted(skus) == sorted(f"PG-{i}" for i in range(25))

"""Catalog gateways against mocked HTTP: variant hiding, inventory strategies, revisions."""

from __future__ import annotations

import base64
import json
from decimal import Decimal
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.unit.wix import wix_samples as s
from tests.unit.wix.conftest import BASE
from wixoms.wix import CatalogVersion, ProductSpec, VariantRef, VariantSpec

V1_PRODUCT_URL = f"{BASE}/stores/v1/products"


def body_of(call) -> dict:
    return json.loads(call.request.body)


def query_of(call) -> dict:
    """The payload of a GET query sent as the official SDK sends it (``.r`` = base64url)."""
    encoded = parse_qs(urlsplit(call.request.url).query)[".r"][0]
    return json.loads(base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4)))


def tshirt_spec() -> ProductSpec:
    return ProductSpec(
        name="T-shirt",
        price=Decimal("25.50"),
        options=[("Size", ["S", "M"]), ("Color", ["Blue"])],
        variants=[VariantSpec({"Size": "S", "Color": "Blue"}, "TS-S-BLUE", Decimal("26.00"))],
    )


def test_v1_create_with_options_sets_skus_and_hides_combinations_the_spec_lacks(
    mocked, make_client
):
    generated = {
        **s.PRODUCT_V1,
        "variants": [
            {**v, "variant": {**v["variant"], "sku": ""}} for v in s.PRODUCT_V1["variants"]
        ],
    }
    mocked.post(V1_PRODUCT_URL, json={"product": generated})
    mocked.patch(f"{V1_PRODUCT_URL}/prod-1/variants", json={"variants": s.PRODUCT_V1["variants"]})
    product = make_client().catalog(CatalogVersion.V1).create_product(tshirt_spec())
    sent_product = body_of(mocked.calls[0])["product"]
    assert sent_product["manageVariants"] is True
    assert sent_product["priceData"] == {"price": 25.5}
    assert sent_product["productType"] == "physical"
    assert [o["name"] for o in sent_product["productOptions"]] == ["Size", "Color"]
    assert body_of(mocked.calls[1]) == {
        "id": "prod-1",
        "variants": [
            {
                "choices": {"Size": "S", "Color": "Blue"},
                "sku": "TS-S-BLUE",
                "visible": True,
                "price": 26,
            },
            {"choices": {"Size": "M", "Color": "Blue"}, "visible": False},
        ],
    }
    assert product.variants[0].sku == "TS-S-BLUE"


def test_v1_update_clears_a_stale_sku_on_a_combination_now_hidden(mocked, make_client):
    current = {**s.PRODUCT_V1}
    current["variants"] = [
        {**v, "variant": {**v["variant"], "sku": f"OLD-{i}"}}
        for i, v in enumerate(s.PRODUCT_V1["variants"])
    ]
    mocked.patch(f"{V1_PRODUCT_URL}/prod-1", json={"product": current})
    mocked.patch(f"{V1_PRODUCT_URL}/prod-1/variants", json={"variants": s.PRODUCT_V1["variants"]})
    make_client().catalog(CatalogVersion.V1).update_product("prod-1", tshirt_spec())
    hidden = body_of(mocked.calls[1])["variants"][1]
    assert hidden == {"choices": {"Size": "M", "Color": "Blue"}, "visible": False, "sku": ""}


def test_v1_convert_to_no_variants_sends_sku_and_no_options(mocked, make_client):
    mocked.patch(
        f"{V1_PRODUCT_URL}/prod-1", json={"product": {**s.PRODUCT_V1_SIMPLE, "id": "prod-1"}}
    )
    spec = ProductSpec(name="T-shirt", price=Decimal("20"), sku="TS")
    product = make_client().catalog(CatalogVersion.V1).update_product("prod-1", spec)
    sent_product = body_of(mocked.calls[0])["product"]
    assert (
        sent_product["productOptions"],
        sent_product["manageVariants"],
        sent_product["sku"],
    ) == ([], False, "TS")
    assert len(mocked.calls) == 1
    assert not product.has_variants


def test_spec_with_a_choice_outside_the_options_is_refused(make_client):
    spec = tshirt_spec()
    spec.variants.append(VariantSpec({"Size": "XL", "Color": "Blue"}, "TS-XL"))
    with pytest.raises(ValueError, match="XL"):
        make_client().catalog(CatalogVersion.V1).create_product(spec)


def test_v1_iter_products_pages_by_numeric_id(mocked, make_client):
    from wixoms.wix import ThroughputPlan

    plan = ThroughputPlan("t", "t", 60, 10, products_page_size=2)
    second = {**s.PRODUCT_V1_SIMPLE, "id": "prod-3", "numericId": "1700000000000003"}
    mocked.post(
        f"{V1_PRODUCT_URL}/query",
        json={"products": [s.PRODUCT_V1, s.PRODUCT_V1_SIMPLE], "totalResults": 3},
    )
    mocked.post(f"{V1_PRODUCT_URL}/query", json={"products": [second], "totalResults": 1})
    ids = [p.id for p in make_client(plan=plan).catalog(CatalogVersion.V1).iter_products()]
    assert ids == ["prod-1", "prod-2", "prod-3"]
    first_query, next_query = body_of(mocked.calls[0]), body_of(mocked.calls[1])
    assert first_query["includeVariants"] is True
    # hidden products never come back without it (products typings, QueryProductsRequest)
    assert first_query["includeHiddenProducts"] is True
    assert json.loads(first_query["query"]["sort"]) == [{"numericId": "asc"}]
    assert "filter" not in first_query["query"]
    assert json.loads(next_query["query"]["filter"]) == {"numericId": {"$gt": 1700000000000002}}


def test_v1_find_variants_by_sku_stops_when_all_are_found(mocked, make_client):
    mocked.post(
        f"{V1_PRODUCT_URL}/query",
        json={"products": [s.PRODUCT_V1, s.PRODUCT_V1_SIMPLE], "totalResults": 500},
    )
    found = make_client().catalog(CatalogVersion.V1).find_variants_by_sku(["MUG", "TS-S-BLUE"])
    assert found == {
        "MUG": VariantRef("prod-2", "00000000-0000-0000-0000-000000000000"),
        "TS-S-BLUE": VariantRef("prod-1", "00000000-0000-0020-0005-ad9cdc10d3b8"),
    }
    assert len(mocked.calls) == 1


def test_v1_generated_variants_without_sku_are_reported(make_client):
    from wixoms.wix.catalog_v1 import parse_product_v1

    catalog = make_client().catalog(CatalogVersion.V1)
    without = catalog.generated_variants_without_sku(parse_product_v1(s.PRODUCT_V1))
    assert [v.choices for v in without] == [{"Size": "M", "Color": "Blue"}]
    assert catalog.generated_variants_without_sku(parse_product_v1(s.PRODUCT_V1_SIMPLE)) == []


def refs(n: int, products: int) -> list[VariantRef]:
    return [VariantRef(f"p{i % products}", f"v{i}") for i in range(n)]


def test_v1_inventory_uses_deltas_when_fewer_calls(mocked, make_client):
    mocked.post(f"{BASE}/stores/v2/inventoryItems/increment", json={})
    mocked.post(f"{BASE}/stores/v2/inventoryItems/decrement", json={})
    rs = refs(10, products=10)
    last = {r: 5 for r in rs}
    levels = {r: (7 if i < 6 else 2) for i, r in enumerate(rs)}
    result = make_client().catalog(CatalogVersion.V1).set_inventory(levels, last_known=last)
    assert (result.strategy, result.calls, len(result.updated)) == ("increment_decrement", 2, 10)
    inc = body_of(mocked.calls[0])["incrementData"]
    assert inc[0] == {"productId": "p0", "variantId": "v0", "incrementBy": 2}
    assert len(inc) == 6
    assert body_of(mocked.calls[1])["decrementData"][0]["decrementBy"] == 3


def test_v1_inventory_patches_per_product_when_fewer_calls(mocked, make_client):
    mocked.patch(f"{BASE}/stores/v2/inventoryItems/product/p0", json={})
    rs = refs(4, products=1)
    last = {r: 5 for r in rs}
    levels = {rs[0]: 9, rs[1]: 1, rs[2]: 5, rs[3]: 6}
    result = make_client().catalog(CatalogVersion.V1).set_inventory(levels, last_known=last)
    assert (result.strategy, result.calls) == ("patch_per_product", 1)
    assert body_of(mocked.calls[0]) == {
        "inventoryItem": {
            "trackQuantity": True,
            "variants": [
                {"variantId": "v0", "quantity": 9},
                {"variantId": "v1", "quantity": 1},
                {"variantId": "v3", "quantity": 6},
            ],
            "productId": "p0",
        }
    }


def test_v1_inventory_batches_deltas_by_300(mocked, make_client):
    mocked.post(f"{BASE}/stores/v2/inventoryItems/increment", json={})
    rs = refs(700, products=700)
    result = (
        make_client()
        .catalog(CatalogVersion.V1)
        .set_inventory({r: 2 for r in rs}, last_known={r: 1 for r in rs})
    )
    assert result.calls == 3
    assert [len(body_of(c)["incrementData"]) for c in mocked.calls] == [300, 300, 100]


def test_v1_inventory_without_last_known_patches_and_negative_becomes_zero(mocked, make_client):
    mocked.patch(f"{BASE}/stores/v2/inventoryItems/product/p0", json={})
    result = make_client().catalog(CatalogVersion.V1).set_inventory({VariantRef("p0", "v0"): -3})
    assert result.strategy == "patch_per_product"
    assert body_of(mocked.calls[0])["inventoryItem"]["variants"] == [
        {"variantId": "v0", "quantity": 0}
    ]


def test_v1_inventory_skips_unchanged_levels(mocked, make_client):
    ref = VariantRef("p0", "v0")
    result = make_client().catalog(CatalogVersion.V1).set_inventory({ref: 4}, last_known={ref: 4})
    assert (result.strategy, result.calls) == ("none", 0)
    assert len(mocked.calls) == 0


# --- v3 -------------------------------------------------------------------------------------

V3 = f"{BASE}/stores/v3"


def test_v3_create_makes_inventory_with_the_product_and_hides_missing_combinations(
    mocked, make_client
):
    mocked.post(f"{V3}/products-with-inventory", json={"product": s.PRODUCT_V3})
    make_client().catalog(CatalogVersion.V3).create_product(tshirt_spec())
    sent = body_of(mocked.calls[0])
    # Create Product makes no inventory items; products-with-inventory does (§10)
    assert mocked.calls[0].request.url == f"{V3}/products-with-inventory"
    assert sent["fields"] == ["VARIANT_OPTION_CHOICE_NAMES"]
    product = sent["product"]
    assert product["productType"] == "PHYSICAL" and product["physicalProperties"] == {}
    variants = product["variantsInfo"]["variants"]
    assert len(variants) == 2
    assert variants[0]["sku"] == "TS-S-BLUE" and variants[0]["visible"] is True
    assert variants[0]["price"] == {"actualPrice": {"amount": "26.00"}}
    assert all(v["physicalProperties"] == {} for v in variants)
    assert all(v["inventoryItem"] == {"quantity": 0} for v in variants)
    assert variants[1]["visible"] is False and "sku" not in variants[1]
    assert variants[1]["choices"][0]["optionChoiceNames"] == {
        "optionName": "Size",
        "choiceName": "M",
        "renderType": "TEXT_CHOICES",
    }


def test_v3_simple_product_has_one_variant_with_the_sku(mocked, make_client):
    mocked.post(f"{V3}/products-with-inventory", json={"product": s.PRODUCT_V3})
    make_client().catalog(CatalogVersion.V3).create_product(
        ProductSpec(name="Mug", price=Decimal("9.99"), sku="MUG")
    )
    product = body_of(mocked.calls[0])["product"]
    assert product["options"] == []
    assert product["variantsInfo"]["variants"] == [
        {
            "choices": [],
            "price": {"actualPrice": {"amount": "9.99"}},
            "physicalProperties": {},
            "sku": "MUG",
            "visible": True,
            "inventoryItem": {"quantity": 0},
        }
    ]


def test_v3_product_without_sku_omits_it_rather_than_sending_empty(mocked, make_client):
    mocked.post(f"{V3}/products-with-inventory", json={"product": s.PRODUCT_V3})
    make_client().catalog(CatalogVersion.V3).create_product(
        ProductSpec(name="Mug", price=Decimal("9.99"))
    )
    [variant] = body_of(mocked.calls[0])["product"]["variantsInfo"]["variants"]
    assert "sku" not in variant  # minLength 1 (products-v-3 typings)


def test_v3_update_asks_for_choice_names_and_keeps_variant_ids(mocked, make_client):
    mocked.get(f"{V3}/products/p3-1", json={"product": s.PRODUCT_V3})
    mocked.patch(f"{V3}/products/p3-1", json={"product": s.PRODUCT_V3})
    spec = ProductSpec(
        name="Hoodie",
        price=Decimal("129.99"),
        options=[("Size", ["S", "M"])],
        variants=[VariantSpec({"Size": "M"}, "HD-M")],
    )
    make_client().catalog(CatalogVersion.V3).update_product("p3-1", spec)
    asked = parse_qs(urlsplit(mocked.calls[0].request.url).query)
    assert asked == {"productId": ["p3-1"], "fields": ["VARIANT_OPTION_CHOICE_NAMES"]}
    product = body_of(mocked.calls[1])["product"]
    assert product["revision"] == "4" and product["id"] == "p3-1"
    by_id = {v["id"]: v for v in product["variantsInfo"]["variants"]}
    assert by_id["v3-m"]["sku"] == "HD-M" and by_id["v3-m"]["visible"] is True
    # the stale SKU is cleared by leaving it out: variants are replaced whole
    assert by_id["v3-s"]["visible"] is False and "sku" not in by_id["v3-s"]
    assert len(mocked.calls) == 2  # no new variant: no inventory item to create


def test_v3_update_matches_variants_by_choice_ids_when_names_are_missing(mocked, make_client):
    """Get Product without fields=VARIANT_OPTION_CHOICE_NAMES gives choice ids only."""
    without_names = json.loads(json.dumps(s.PRODUCT_V3))
    for v in without_names["variantsInfo"]["variants"]:
        for c in v["choices"]:
            del c["optionChoiceNames"]
    mocked.get(f"{V3}/products/p3-1", json={"product": without_names})
    mocked.patch(f"{V3}/products/p3-1", json={"product": s.PRODUCT_V3})
    spec = ProductSpec(
        name="Hoodie", price=Decimal("129.99"), options=[("Size", ["S", "M"])],
        variants=[VariantSpec({"Size": "M"}, "HD-M")],
    )  # fmt: skip
    make_client().catalog(CatalogVersion.V3).update_product("p3-1", spec)
    ids = [v.get("id") for v in body_of(mocked.calls[1])["product"]["variantsInfo"]["variants"]]
    assert ids == ["v3-s", "v3-m"]


def test_v3_update_gives_added_variants_an_inventory_item(mocked, make_client):
    grown = json.loads(json.dumps(s.PRODUCT_V3))
    new_variant = json.loads(json.dumps(grown["variantsInfo"]["variants"][1]))
    new_variant.update(id="v3-l", sku="HD-L")
    grown["variantsInfo"]["variants"].append(new_variant)
    mocked.get(f"{V3}/products/p3-1", json={"product": s.PRODUCT_V3})
    mocked.patch(f"{V3}/products/p3-1", json={"product": grown})
    mocked.post(f"{V3}/bulk/inventory-items/create", json={"results": []})
    spec = ProductSpec(name="Hoodie", price=Decimal("129.99"), options=[("Size", ["S", "M"])])
    make_client().catalog(CatalogVersion.V3).update_product("p3-1", spec)
    assert body_of(mocked.calls[2]) == {
        "inventoryItems": [{"variantId": "v3-l", "productId": "p3-1", "quantity": 0}],
        "returnEntity": True,
    }


def item(variant: str, product: str = "p3-1", revision: str = "1", sku: str | None = None) -> dict:
    return {
        "id": f"inv-{variant}",
        "revision": revision,
        "productId": product,
        "variantId": variant,
        "locationId": "loc",
        "trackQuantity": True,
        "quantity": 1,
        "product": {"variantName": variant, "variantSku": sku or f"SKU-{variant}"},
    }


def bulk_ok(items: list[dict], revision: str = "2") -> dict:
    return {
        "results": [
            {
                "itemMetadata": {"id": i["id"], "originalIndex": n, "success": True},
                "item": {**i, "revision": revision},
            }
            for n, i in enumerate(items)
        ],
        "bulkActionMetadata": {"totalSuccesses": len(items), "totalFailures": 0},
    }


def test_v3_inventory_queries_revisions_once_then_uses_the_cache(mocked, make_client):
    items = [item("a"), item("b")]
    mocked.get(
        f"{V3}/inventory-items/query",
        json={"inventoryItems": items, "pagingMetadata": {"count": 2, "cursors": {}}},
    )
    mocked.post(f"{V3}/bulk/inventory-items/update", json=bulk_ok(items))
    client = make_client()
    levels = {VariantRef("p3-1", "a"): 5, VariantRef("p3-1", "b"): 6}
    first = client.catalog(CatalogVersion.V3).set_inventory(levels)
    assert (first.strategy, first.calls, len(first.updated)) == ("bulk_update", 2, 2)
    sent_items = body_of(mocked.calls[1])["inventoryItems"]
    # trackQuantity is read-only (inventory-items-v-3 typings): a quantity implies tracking
    assert sent_items[0] == {"inventoryItem": {"id": "inv-a", "revision": "1", "quantity": 5}}
    assert query_of(mocked.calls[0])["query"] == {
        "filter": {"productId": {"$in": ["p3-1"]}},
        "cursorPaging": {"limit": 1000},
    }
    second = client.catalog(CatalogVersion.V3).set_inventory({VariantRef("p3-1", "a"): 7})
    assert second.calls == 1
    assert body_of(mocked.calls[2])["inventoryItems"][0]["inventoryItem"]["revision"] == "2"


def test_v3_stale_revision_is_reread_and_retried_once(mocked, make_client):
    mocked.get(f"{V3}/inventory-items/query", json={"inventoryItems": [item("a", revision="9")]})
    mocked.post(
        f"{V3}/bulk/inventory-items/update",
        json={
            "results": [
                {
                    "itemMetadata": {
                        "id": "inv-a",
                        "originalIndex": 0,
                        "success": False,
                        "error": {"code": "REVISION_MISMATCH", "description": "stale"},
                    }
                }
            ]
        },
    )
    mocked.post(f"{V3}/bulk/inventory-items/update", json=bulk_ok([item("a", revision="9")]))
    from wixoms.wix.catalog_v3 import InventoryItemRef, revision_cache

    revision_cache.for_instance("inst-1")[VariantRef("p3-1", "a")] = InventoryItemRef("inv-a", "1")
    result = make_client().catalog(CatalogVersion.V3).set_inventory({VariantRef("p3-1", "a"): 3})
    assert result.updated == [VariantRef("p3-1", "a")] and result.failed == {}
    assert result.calls == 3
    assert body_of(mocked.calls[2])["inventoryItems"][0]["inventoryItem"]["revision"] == "9"


def test_v3_variant_without_inventory_item_is_reported_failed(mocked, make_client):
    mocked.get(f"{V3}/inventory-items/query", json={"inventoryItems": []})
    result = make_client().catalog(CatalogVersion.V3).set_inventory({VariantRef("px", "vx"): 1})
    assert VariantRef("px", "vx") in result.failed


def test_v3_find_variants_by_sku_reads_inventory_items(mocked, make_client):
    mocked.get(
        f"{V3}/inventory-items/query",
        json={
            "inventoryItems": [item("a", sku="A"), item("b", sku="B")],
            "pagingMetadata": {"cursors": {"next": "n1"}},
        },
    )
    found = make_client().catalog(CatalogVersion.V3).find_variants_by_sku(["A"])
    assert found == {"A": VariantRef("p3-1", "a")}
    assert len(mocked.calls) == 1


def test_v3_iter_products_reads_variants_per_product(mocked, make_client):
    bare = {k: v for k, v in s.PRODUCT_V3.items() if k != "variantsInfo"}
    mocked.get(
        f"{V3}/products/query",
        json={
            "products": [bare],
            "pagingMetadata": {"count": 1, "cursors": {"next": "c1"}, "hasNext": True},
        },
    )
    mocked.get(f"{V3}/products/query", json={"products": [], "pagingMetadata": {"hasNext": False}})
    mocked.get(f"{V3}/products/p3-1", json={"product": s.PRODUCT_V3})
    [product] = make_client().catalog(CatalogVersion.V3).iter_products()
    assert [v.sku for v in product.variants] == ["HD-S", None]
    # after the first page only the cursor goes out, as the SDK's query builder sends it
    assert query_of(mocked.calls[2]) == {"query": {"cursorPaging": {"cursor": "c1", "limit": 100}}}

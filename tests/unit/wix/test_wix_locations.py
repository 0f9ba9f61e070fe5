"""Stores locations v3 and the SKU list for pickers (responses-mocked Wix)."""

from __future__ import annotations

import base64
import json
from urllib.parse import parse_qs, urlsplit

from tests.unit.wix.conftest import BASE
from wixoms.wix import CatalogVersion
from wixoms.wix.sku_list import list_skus

QUERY = f"{BASE}/stores/v3/locations/query"
ITEMS = f"{BASE}/stores/v3/inventory-items/query"


def test_locations_are_read_page_by_page_default_first(mocked, make_client):
    mocked.post(
        QUERY,
        json={
            "storesLocations": [
                {"id": "l-2", "name": "Warehouse B", "locationType": "PHYSICAL"},
                {"id": "l-3", "name": "a shop", "locationType": "PHYSICAL"},
            ],
            "pagingMetadata": {"count": 2, "cursors": {"next": "c2"}, "hasNext": True},
        },
    )
    mocked.post(
        QUERY,
        json={
            # Fields with no value are omitted (wix-api.md §2): no name, no type.
            "storesLocations": [{"id": "l-1", "defaultLocation": True}, {"name": "no id"}],
            "pagingMetadata": {"count": 1, "cursors": {}, "hasNext": False},
        },
    )
    locations = make_client().locations.all()
    assert [(loc.id, loc.name, loc.default) for loc in locations] == [
        ("l-1", "l-1", True), ("l-3", "a shop", False), ("l-2", "Warehouse B", False),
    ]  # fmt: skip
    first, second = (json.loads(c.request.body)["query"] for c in mocked.calls)
    assert first == {"cursorPaging": {"limit": 100}}
    assert second == {"cursorPaging": {"limit": 100, "cursor": "c2"}}


def item(sku, name="Tee", variant="S"):
    product = {"name": name, "variantName": variant}
    if sku:
        product["variantSku"] = sku
    return {"id": f"i-{sku}", "productId": "p", "variantId": "v", "product": product}


def test_v3_skus_come_from_inventory_items_once_each_and_sorted(mocked, make_client):
    mocked.get(
        ITEMS,
        json={
            "inventoryItems": [
                item("TEE-M", variant="M"),
                item("TEE-S"),
                item(None),
                item("TEE-S"),
            ],
            "pagingMetadata": {"cursors": {}},
        },
    )
    skus = list_skus(make_client(), CatalogVersion.V3)
    assert [(s.sku, s.label) for s in skus] == [
        ("TEE-M", "TEE-M — Tee (M)"),
        ("TEE-S", "TEE-S — Tee (S)"),
    ]


def test_the_sku_list_stops_at_its_limit(mocked, make_client):
    mocked.get(
        ITEMS,
        json={"inventoryItems": [item(f"S-{n:03d}") for n in range(100)],
              "pagingMetadata": {"cursors": {"next": "more"}}},
    )  # fmt: skip
    assert len(list_skus(make_client(), CatalogVersion.V3, limit=30)) == 30
    assert len(mocked.calls) == 1
    sent = parse_qs(urlsplit(mocked.calls[0].request.url).query)[".r"][0]
    query = json.loads(base64.urlsafe_b64decode(sent + "=" * (-len(sent) % 4)))
    assert query == {"query": {"cursorPaging": {"limit": 1000}}}  # as the SDK sends it

"""Stores locations v3 in the sandbox, as @wix/auto_sdk_stores_stores-locations-v-3 describes."""

from __future__ import annotations

import requests

from tests.integration.sandbox.test_contract import GUID, ISO, no_nulls


def test_a_v3_site_lists_its_default_location_and_the_added_ones(connect, sandbox):
    wix = connect("V3_CATALOG", name="Acme Tees")
    added = sandbox.add_location(wix.site["id"], "East depot")
    body = wix.post("/stores/v3/locations/query", {"query": {}}).json()
    locations = body["storesLocations"]
    assert no_nulls(body) and body["pagingMetadata"]["hasNext"] is False
    by_name = {loc["name"]: loc for loc in locations}
    default = by_name["Acme Tees"]  # the default location is named after the site (configurable)
    assert default["defaultLocation"] is True and default["locationType"] == "VIRTUAL"
    assert default["id"] == wix.site["locationId"] and GUID.match(default["id"])
    east = by_name["East depot"]
    assert east == added and east["defaultLocation"] is False and east["locationType"] == "PHYSICAL"
    assert ISO.match(east["createdDate"])
    assert [loc["name"] for loc in locations] == ["East depot", "Acme Tees"]  # createdDate DESC
    one = wix.get(f"/stores/v3/locations/{east['id']}").json()
    assert one == {"storesLocation": east}
    assert wix.get("/stores/v3/locations/no-such-id").status_code == 404


def test_inventory_items_name_the_default_stores_location(connect, sandbox):
    wix = connect("V3_CATALOG")
    sandbox.add_product(wix.site["id"], name="Mug", sku="MUG-1", quantity=3)
    items = wix.post("/stores/v3/inventory-items/query", {"query": {}}).json()["inventoryItems"]
    default = wix.post("/stores/v3/locations/query", {"query": {}}).json()["storesLocations"][0]
    assert {i["locationId"] for i in items} == {default["id"]}


def test_locations_page_by_cursor_and_refuse_a_cursor_with_a_filter(connect, sandbox):
    wix = connect("V3_CATALOG")
    for n in range(3):
        sandbox.add_location(wix.site["id"], f"Shop {n}")
    first = wix.post("/stores/v3/locations/query", {"query": {"cursorPaging": {"limit": 2}}}).json()
    cursor = first["pagingMetadata"]["cursors"]["next"]
    rest = wix.post(
        "/stores/v3/locations/query", {"query": {"cursorPaging": {"limit": 2, "cursor": cursor}}}
    ).json()
    names = [loc["name"] for loc in first["storesLocations"] + rest["storesLocations"]]
    assert len(names) == 4 and len(set(names)) == 4
    refused = wix.post(
        "/stores/v3/locations/query",
        {"query": {"cursorPaging": {"cursor": cursor}, "filter": {"name": "Shop 1"}}},
    )
    assert refused.status_code == 400


def test_a_v1_site_has_no_stores_locations_api(connect):
    wix = connect("V1_CATALOG")
    response = wix.post("/stores/v3/locations/query", {"query": {}})
    assert response.status_code == 428


def test_a_location_needs_a_name(sandbox):
    site = sandbox.create_site("S", "V3_CATALOG")
    response = requests.post(
        f"{sandbox.base_url}/_sandbox/sites/{site['id']}/locations", json={"name": " "}, timeout=10
    )
    assert response.status_code == 400

"""Mappings by picking: Wix locations, shipping titles seen on orders, Wix SKUs; typing stays."""

from __future__ import annotations

import re
from html import unescape

import pytest

from tests.fixtures.app import PASSWORD
from tests.integration.views.builders import add_carrier, add_order, add_product, add_warehouse
from wixoms.extensions import db
from wixoms.models import CarrierMapping, SkuMapping, UnmappedSku, WarehouseMapping


@pytest.fixture
def web(wix_app, world):
    client = wix_app.test_client()
    client.post("/login", data={"email": "admin@acme.test", "password": PASSWORD})
    return client


def options(html: str, select_name: str) -> list[tuple[str, str]]:
    select = re.search(rf'<select[^>]*name="{select_name}".*?</select>', html, re.S).group(0)
    return [
        (v, unescape(t))
        for v, t in re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', select)
    ]


def test_v3_locations_are_read_from_wix_and_the_pick_is_saved_with_its_name(
    web, wix_app, world, sandbox, connected_channel
):
    channel = connected_channel("v3", site_name="Acme Tees")
    east = sandbox.add_location(channel.site_id, "East depot")
    warehouse = add_warehouse(wix_app, world.acme.id, "EAST", "East warehouse")
    html = web.get(f"/channels/{channel.id}/mappings/warehouses/locations").get_data(as_text=True)
    picks = options(html, "warehouse-add-wix_location_pick")
    assert picks[0][1] == "Acme Tees (default)" and (east["id"], "East depot") in picks

    response = web.post(
        f"/channels/{channel.id}/mappings/warehouses",
        data={
            "warehouse-add-warehouse_id": warehouse,
            "warehouse-add-wix_location_pick": east["id"],
            "warehouse-add-wix_location_id": "",
        },
    )
    assert response.status_code == 302
    with wix_app.app_context():
        mapping = db.session.scalar(db.select(WarehouseMapping))
        assert (mapping.wix_location_id, mapping.wix_location_name) == (east["id"], "East depot")
    tab = web.get(f"/channels/{channel.id}?tab=warehouses").get_data(as_text=True)
    assert "East depot" in tab


def test_a_typed_location_id_wins_over_the_pick(web, wix_app, world, connected_channel):
    channel = connected_channel("v3")
    warehouse = add_warehouse(wix_app, world.acme.id, "MAIN")
    web.post(
        f"/channels/{channel.id}/mappings/warehouses",
        data={"warehouse-add-warehouse_id": warehouse, "warehouse-add-wix_location_pick": "picked",
              "warehouse-add-wix_location_id": "typed-id"},
    )  # fmt: skip
    with wix_app.app_context():
        mapping = db.session.scalar(db.select(WarehouseMapping))
        assert (mapping.wix_location_id, mapping.wix_location_name) == ("typed-id", "")


def test_a_v1_site_offers_its_single_location_without_calling_wix(web, connected_channel, sandbox):
    channel = connected_channel("v1")
    sandbox.reset_counters()
    html = web.get(f"/channels/{channel.id}/mappings/warehouses/locations").get_data(as_text=True)
    assert options(html, "warehouse-add-wix_location_pick") == [
        ("", "The store's location (Catalog v1 sites have one)")
    ]
    assert sandbox.counters()["total"] == 0


def test_when_wix_cannot_be_read_the_tab_says_so_and_typing_still_works(
    web, wix_app, world, sandbox, connected_channel
):
    channel = connected_channel("v3")
    sandbox.burst("/stores/v3/locations", 503, 5)
    html = web.get(f"/channels/{channel.id}/mappings/warehouses/locations").get_data(as_text=True)
    assert "Could not read the locations from Wix" in html and "Type it below instead." in html
    assert "<select" not in html


def test_carrier_titles_seen_on_orders_are_offered_unless_mapped(
    web, wix_app, world, connected_channel
):
    channel = connected_channel("v3")
    ups = add_carrier(wix_app, world.acme.id, "UPS", "ups")
    for n, title in enumerate(["Express delivery", "Standard", "Express delivery", ""]):
        order = add_order(wix_app, world.acme.id, f"O{n}", channel_id=channel.id)
        with wix_app.app_context():
            from wixoms.models import Order

            db.session.get(Order, order).shipping_method = title
            db.session.commit()
    page = web.get(f"/channels/{channel.id}?tab=carriers").get_data(as_text=True)
    assert [t for _v, t in options(page, "carrier-add-wix_shipping_title_pick")] == [
        "Express delivery", "Standard",
    ]  # fmt: skip
    web.post(
        f"/channels/{channel.id}/mappings/carriers",
        data={
            "carrier-add-wix_shipping_title_pick": "Express delivery",
            "carrier-add-carrier_id": ups,
        },
    )
    with wix_app.app_context():
        assert db.session.scalar(db.select(CarrierMapping.wix_shipping_title)) == "Express delivery"
    page = web.get(f"/channels/{channel.id}?tab=carriers").get_data(as_text=True)
    assert [t for _v, t in options(page, "carrier-add-wix_shipping_title_pick")] == ["Standard"]


def test_wix_skus_come_from_the_catalog_and_the_unmapped_list(
    web, wix_app, world, sandbox, connected_channel
):
    channel = connected_channel("v3")
    sandbox.add_product(channel.site_id, name="Wix Tee", options={"Size": ["S", "M"]},
                        skus={"S": "TEE-S", "M": "TEE-M"})  # fmt: skip
    add_product(wix_app, world.acme.id, "OMS Tee", ["OMS-S"])
    with wix_app.app_context():
        db.session.add(UnmappedSku(channel_id=channel.id, wix_sku="OLD-1", product_name="Old mug"))
        db.session.commit()
    html = web.get(f"/channels/{channel.id}/mappings/skus/wix-skus").get_data(as_text=True)
    assert "Seen on orders, not mapped yet" in html and "In your Wix catalog" in html
    values = [v for v, _t in options(html, "sku-add-wix_sku_pick")]
    assert values == ["", "OLD-1", "TEE-M", "TEE-S"]

    web.post(
        f"/channels/{channel.id}/mappings/skus",
        data={"sku-add-wix_sku_pick": "TEE-S", "sku-add-oms_sku": "OMS-S"},
    )
    with wix_app.app_context():
        assert db.session.scalar(db.select(SkuMapping.wix_sku)) == "TEE-S"
    html = web.get(f"/channels/{channel.id}/mappings/skus/wix-skus").get_data(as_text=True)
    assert "TEE-S" not in [v for v, _t in options(html, "sku-add-wix_sku_pick")]


def test_picking_and_typing_nothing_is_refused_with_a_message(
    web, wix_app, world, connected_channel
):
    channel = connected_channel("v3")
    add_carrier(wix_app, world.acme.id, "UPS", "ups")
    response = web.post(
        f"/channels/{channel.id}/mappings/skus",
        data={"sku-add-wix_sku_pick": "", "sku-add-wix_sku": "", "sku-add-oms_sku": "X"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 422
    assert "Pick a Wix SKU, or type it as it appears in Wix." in response.get_data(as_text=True)

"""Carrier, SKU and warehouse mapping tabs: inline CRUD, search, pages, CSV, unmapped SKUs."""

from __future__ import annotations

import io

import pytest

from tests.integration.channel_world import add_catalog, add_channel
from wixoms.channel_mappings import PAGE_SIZE
from wixoms.extensions import db
from wixoms.models import (
    Carrier,
    CarrierMapping,
    Product,
    SkuMapping,
    UnmappedSku,
    Variant,
    Warehouse,
    WarehouseMapping,
)

HX = {"HX-Request": "true"}


@pytest.fixture
def channel_id(app, world) -> int:
    add_catalog(app, skus=("MUG-RED", "MUG-BLUE", "CAP-1"))
    return add_channel(app)


def carrier_id(app, name: str) -> int:
    with app.app_context():
        return db.session.scalar(db.select(Carrier.id).where(Carrier.name == name))


def warehouse_id(app, code: str) -> int:
    with app.app_context():
        return db.session.scalar(db.select(Warehouse.id).where(Warehouse.code == code))


def rows(app, model, **where) -> list:
    with app.app_context():
        found = list(db.session.scalars(db.select(model).filter_by(**where)))
        db.session.expunge_all()
        return found


def mappings_url(channel_id: int, rest: str) -> str:
    return f"/channels/{channel_id}/mappings/{rest}"


# Carrier mappings ------------------------------------------------------------------------------


def test_carrier_mapping_is_added_edited_and_deleted_inline(app, logged_in, channel_id):
    ups, dhl = carrier_id(app, "UPS"), carrier_id(app, "DHL")
    response = logged_in.post(
        mappings_url(channel_id, "carriers"),
        data={"carrier-add-wix_shipping_title": "Express delivery", "carrier-add-carrier_id": ups},
        headers=HX,
    )
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'id="carriers-panel"' in html and "Express delivery" in html and "Saved." in html
    (mapping,) = rows(app, CarrierMapping)
    assert (mapping.wix_shipping_title, mapping.carrier_id) == ("Express delivery", ups)

    edit = logged_in.get(mappings_url(channel_id, f"carriers/{mapping.id}/edit"), headers=HX)
    assert f'name="carrier-{mapping.id}-wix_shipping_title"' in edit.get_data(as_text=True)
    response = logged_in.post(
        mappings_url(channel_id, f"carriers/{mapping.id}"),
        data={
            f"carrier-{mapping.id}-wix_shipping_title": "Express (2 days)",
            f"carrier-{mapping.id}-carrier_id": dhl,
        },
        headers=HX,
    )
    assert response.status_code == 200 and "<td>DHL</td>" in response.get_data(as_text=True)
    (mapping,) = rows(app, CarrierMapping)
    assert (mapping.wix_shipping_title, mapping.carrier_id) == ("Express (2 days)", dhl)

    logged_in.post(mappings_url(channel_id, f"carriers/{mapping.id}/delete"), headers=HX)
    assert rows(app, CarrierMapping) == []


@pytest.mark.parametrize(
    ("title", "carrier", "message"),
    [
        ("", "ups", "Pick a shipping option seen on Wix orders, or type its name."),
        ("x" * 121, "ups", "at most 120 characters"),
        ("Standard", "999999", "Choose one of the options"),
        ("Standard", "abc", "Choose one of the options"),
        ("Taken", "ups", "already mapped"),
    ],
)
def test_bad_carrier_mapping_is_refused_with_a_message(
    app, logged_in, channel_id, title, carrier, message
):
    ups = carrier_id(app, "UPS")
    with app.app_context():
        db.session.add(
            CarrierMapping(channel_id=channel_id, wix_shipping_title="Taken", carrier_id=ups)
        )
        db.session.commit()
    response = logged_in.post(
        mappings_url(channel_id, "carriers"),
        data={
            "carrier-add-wix_shipping_title": title,
            "carrier-add-carrier_id": str(ups) if carrier == "ups" else carrier,
        },
        headers=HX,
    )
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert len(rows(app, CarrierMapping)) == 1


def test_carrier_tab_says_it_applies_to_incoming_orders_only(app, logged_in, channel_id):
    html = logged_in.get(f"/channels/{channel_id}?tab=carriers").get_data(as_text=True)
    assert "Incoming orders only." in html
    assert "saved as soon as you make them" in html


def test_plain_form_post_without_htmx_comes_back_to_the_tab(app, logged_in, channel_id):
    response = logged_in.post(
        mappings_url(channel_id, "carriers"),
        data={"carrier-add-wix_shipping_title": "", "carrier-add-carrier_id": ""},
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/channels/{channel_id}?tab=carriers")
    html = logged_in.get(response.headers["Location"]).get_data(as_text=True)
    assert "Pick a shipping option seen on Wix orders" in html


# Warehouse mappings ----------------------------------------------------------------------------


def test_warehouse_mapping_crud_and_the_tab_warnings(app, logged_in, channel_id):
    html = logged_in.get(f"/channels/{channel_id}?tab=warehouses").get_data(as_text=True)
    assert "Inventory is only pushed when at least one warehouse is mapped." in html
    assert "No warehouse is mapped yet" in html
    main, east = warehouse_id(app, "MAIN"), warehouse_id(app, "EAST")
    url = mappings_url(channel_id, "warehouses")
    data = {"warehouse-add-warehouse_id": main, "warehouse-add-wix_location_id": "loc-1"}
    assert logged_in.post(url, data=data, headers=HX).status_code == 200
    again = logged_in.post(url, data=data, headers=HX)
    assert again.status_code == 422 and "already mapped" in again.get_data(as_text=True)
    (mapping,) = rows(app, WarehouseMapping)
    response = logged_in.post(
        mappings_url(channel_id, f"warehouses/{mapping.id}"),
        data={
            f"warehouse-{mapping.id}-warehouse_id": east,
            f"warehouse-{mapping.id}-wix_location_id": "",
        },
        headers=HX,
    )
    assert response.status_code == 200 and "East depot" in response.get_data(as_text=True)
    (mapping,) = rows(app, WarehouseMapping)
    assert (mapping.warehouse_id, mapping.wix_location_id) == (east, "")
    html = logged_in.get(f"/channels/{channel_id}?tab=warehouses").get_data(as_text=True)
    assert "No warehouse is mapped yet" not in html
    logged_in.post(mappings_url(channel_id, f"warehouses/{mapping.id}/delete"), headers=HX)
    assert rows(app, WarehouseMapping) == []


# SKU mappings ----------------------------------------------------------------------------------


def variant_id(app, sku: str) -> int:
    with app.app_context():
        return db.session.scalar(db.select(Variant.id).where(Variant.sku == sku))


def test_sku_mapping_is_added_edited_and_deleted(app, logged_in, channel_id):
    response = logged_in.post(
        mappings_url(channel_id, "skus"),
        data={"sku-add-wix_sku": "WIX-RED", "sku-add-oms_sku": "MUG-RED"},
        headers=HX,
    )
    assert response.status_code == 200 and "WIX-RED" in response.get_data(as_text=True)
    (mapping,) = rows(app, SkuMapping)
    assert mapping.variant_id == variant_id(app, "MUG-RED")
    response = logged_in.post(
        mappings_url(channel_id, f"skus/{mapping.id}"),
        data={f"sku-{mapping.id}-wix_sku": "WIX-RED", f"sku-{mapping.id}-oms_sku": "MUG-BLUE"},
        headers=HX,
    )
    assert response.status_code == 200 and "MUG-BLUE" in response.get_data(as_text=True)
    assert rows(app, SkuMapping)[0].variant_id == variant_id(app, "MUG-BLUE")
    response = logged_in.post(mappings_url(channel_id, f"skus/{mapping.id}/delete"), headers=HX)
    assert response.status_code == 200 and rows(app, SkuMapping) == []


@pytest.mark.parametrize(
    ("wix_sku", "oms_sku", "message"),
    [
        ("", "MUG-RED", "Pick a Wix SKU, or type it as it appears in Wix."),
        ("W1", "", "Enter the wixoms SKU"),
        ("W1", "NOPE", "There is no OMS SKU &#39;NOPE&#39; in your catalog."),
        ("W1", "mug-red", "Did you mean MUG-RED?"),
        ("x" * 65, "MUG-RED", "at most 64 characters"),
        ("TAKEN", "MUG-RED", "already mapped"),
    ],
)
def test_bad_sku_mapping_is_refused(app, logged_in, channel_id, wix_sku, oms_sku, message):
    with app.app_context():
        db.session.add(
            SkuMapping(channel_id=channel_id, wix_sku="TAKEN", variant_id=variant_id(app, "CAP-1"))
        )
        db.session.commit()
    response = logged_in.post(
        mappings_url(channel_id, "skus"),
        data={"sku-add-wix_sku": wix_sku, "sku-add-oms_sku": oms_sku},
        headers=HX,
    )
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert len(rows(app, SkuMapping)) == 1


def add_many_mappings(app, channel_id: int, count: int) -> None:
    with app.app_context():
        product = db.session.scalar(db.select(Product))
        variants = [
            Variant(account_id=product.account_id, product=product, sku=f"OMS-{i:05d}")
            for i in range(count)
        ]
        db.session.add_all(variants)
        db.session.flush()
        db.session.add_all(
            SkuMapping(channel_id=channel_id, wix_sku=f"W-{i:05d}", variant_id=v.id)
            for i, v in enumerate(variants)
        )
        db.session.commit()


def test_sku_pages_walk_forward_and_back_by_keyset(app, logged_in, channel_id):
    add_many_mappings(app, channel_id, PAGE_SIZE * 2 + 5)
    first = logged_in.get(mappings_url(channel_id, "skus"), headers=HX).get_data(as_text=True)
    assert "W-00000" in first and f"W-{PAGE_SIZE - 1:05d}" in first
    assert f"W-{PAGE_SIZE:05d}" not in first
    assert f"{PAGE_SIZE * 2 + 5:,} mappings." in first
    assert "← Previous" not in first
    after = f"W-{PAGE_SIZE - 1:05d}"
    assert f"after={after}" in first
    second = logged_in.get(mappings_url(channel_id, f"skus?after={after}"), headers=HX).get_data(
        as_text=True
    )
    assert f"W-{PAGE_SIZE:05d}" in second and "W-00000<" not in second
    assert f"before=W-{PAGE_SIZE:05d}" in second
    back = logged_in.get(
        mappings_url(channel_id, f"skus?before=W-{PAGE_SIZE:05d}"), headers=HX
    ).get_data(as_text=True)
    assert "W-00000" in back and f"W-{PAGE_SIZE:05d}<" not in back
    last = logged_in.get(
        mappings_url(channel_id, f"skus?after=W-{PAGE_SIZE * 2 - 1:05d}"), headers=HX
    ).get_data(as_text=True)
    assert f"W-{PAGE_SIZE * 2 + 4:05d}" in last and "Next →" not in last


def test_sku_search_matches_wix_or_oms_sku_case_insensitively(app, logged_in, channel_id):
    add_many_mappings(app, channel_id, 30)
    html = logged_in.get(mappings_url(channel_id, "skus?q=w-0001"), headers=HX).get_data(True)
    assert "10 mappings match" in html and "W-00010" in html and "W-00020" not in html
    html = logged_in.get(mappings_url(channel_id, "skus?q=oms-00029"), headers=HX).get_data(True)
    assert "1 mapping match" in html and "W-00029" in html
    html = logged_in.get(mappings_url(channel_id, "skus?q=%25"), headers=HX).get_data(True)
    assert "0 mappings match" in html  # % is searched for literally


def test_sku_list_without_htmx_lands_on_the_tab(app, logged_in, channel_id):
    response = logged_in.get(mappings_url(channel_id, "skus?q=W&after=A"))
    assert response.status_code == 302
    assert "tab=skus" in response.headers["Location"] and "q=W" in response.headers["Location"]


def test_unmapped_sku_is_mapped_in_one_click_and_leaves_the_list(app, logged_in, channel_id):
    with app.app_context():
        unmapped = UnmappedSku(channel_id=channel_id, wix_sku="mug-blue", product_name="Blue mug")
        db.session.add(unmapped)
        db.session.commit()
        unmapped_id = unmapped.id
    html = logged_in.get(f"/channels/{channel_id}?tab=skus").get_data(as_text=True)
    assert "Unmapped SKUs" in html and "Blue mug" in html
    assert f'name="unmapped-{unmapped_id}-oms_sku"' in html
    assert 'value="MUG-BLUE"' in html  # same SKU but for case: prefilled for one click
    response = logged_in.post(
        mappings_url(channel_id, f"unmapped/{unmapped_id}/map"),
        data={f"unmapped-{unmapped_id}-oms_sku": "MUG-BLUE"},
        headers=HX,
    )
    assert response.status_code == 200
    assert rows(app, UnmappedSku) == []
    (mapping,) = rows(app, SkuMapping)
    assert (mapping.wix_sku, mapping.variant_id) == ("mug-blue", variant_id(app, "MUG-BLUE"))


def test_unmapped_sku_with_unknown_oms_sku_stays_listed(app, logged_in, channel_id):
    with app.app_context():
        unmapped = UnmappedSku(channel_id=channel_id, wix_sku="ZZZ-9")
        db.session.add(unmapped)
        db.session.commit()
        unmapped_id = unmapped.id
    html = logged_in.get(f"/channels/{channel_id}?tab=skus").get_data(as_text=True)
    assert f'id="unmapped-{unmapped_id}-oms_sku"' in html
    response = logged_in.post(
        mappings_url(channel_id, f"unmapped/{unmapped_id}/map"),
        data={f"unmapped-{unmapped_id}-oms_sku": "NOPE"},
        headers=HX,
    )
    assert response.status_code == 422
    assert "There is no OMS SKU" in response.get_data(as_text=True)
    assert len(rows(app, UnmappedSku)) == 1 and rows(app, SkuMapping) == []


# CSV import and export --------------------------------------------------------------------------


def upload(client, channel_id: int, content: bytes | str, name: str = "skus.csv"):
    data = content.encode() if isinstance(content, str) else content
    return client.post(
        mappings_url(channel_id, "skus/import"),
        data={"file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
        headers=HX,
    )


def test_good_csv_creates_and_updates_mappings_and_clears_unmapped(app, logged_in, channel_id):
    with app.app_context():
        db.session.add(
            SkuMapping(channel_id=channel_id, wix_sku="OLD", variant_id=variant_id(app, "CAP-1"))
        )
        db.session.add(UnmappedSku(channel_id=channel_id, wix_sku="W-RED"))
        db.session.commit()
    csv_text = (
        "\ufeffwix_sku,oms_sku,wix_product_id,wix_variant_id\r\n"
        "W-RED,MUG-RED,prod-1,var-1\r\n"
        "\r\n"
        "OLD,MUG-BLUE,,\r\n"
    )
    response = upload(logged_in, channel_id, csv_text)
    assert response.status_code == 200
    assert "Imported 2 rows: 1 new mapping, 1 updated." in response.get_data(as_text=True)
    found = {m.wix_sku: m for m in rows(app, SkuMapping)}
    assert found["W-RED"].variant_id == variant_id(app, "MUG-RED")
    assert (found["W-RED"].wix_product_id, found["W-RED"].wix_variant_id) == ("prod-1", "var-1")
    assert found["OLD"].variant_id == variant_id(app, "MUG-BLUE")
    assert rows(app, UnmappedSku) == []


def test_bad_csv_rows_are_reported_by_row_number_and_nothing_is_imported(
    app, logged_in, channel_id
):
    csv_text = (
        "oms_sku,wix_sku\n"  # columns in any order
        "MUG-RED,GOOD-1\n"
        "NOPE,W-2\n"
        ",W-3\n"
        "MUG-BLUE,\n"
        "MUG-BLUE,GOOD-1\n"
        f"MUG-BLUE,{'x' * 65}\n"
        "mug-red,W-7\n"
    )
    response = upload(logged_in, channel_id, csv_text)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Nothing was imported." in html
    for row, reason in [
        (3, "There is no OMS SKU &#39;NOPE&#39; in your catalog."),
        (4, "oms_sku is empty."),
        (5, "wix_sku is empty."),
        (6, "wix_sku &#39;GOOD-1&#39; is already on row 2."),
        (7, "wix_sku is longer than 64 characters."),
        (8, "Did you mean MUG-RED?"),
    ]:
        assert f'<td class="num-col">{row}</td><td>' in html
        assert reason in html
    assert rows(app, SkuMapping) == []


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "The file is empty."),
        (b"wix_sku,oms_sku\n", "no mappings"),
        (b"sku,target\nA,B\n", "missing: wix_sku, oms_sku"),
        ("wix_sku,oms_sku\nÄ,MUG-RED\n".encode("latin-1"), "not UTF-8"),
        (b"wix_sku,oms_sku\nA\x00,MUG-RED\n", "NUL"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "not UTF-8"),
    ],
)
def test_unreadable_csv_gets_a_clear_message(app, logged_in, channel_id, content, message):
    response = upload(logged_in, channel_id, content)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert rows(app, SkuMapping) == []


def test_import_without_a_file_asks_for_one(app, logged_in, channel_id):
    response = logged_in.post(mappings_url(channel_id, "skus/import"), data={}, headers=HX)
    assert response.status_code == 422
    assert "Choose a CSV file to import." in response.get_data(as_text=True)


def test_export_round_trips_through_import(app, logged_in, channel_id):
    with app.app_context():
        db.session.add(
            SkuMapping(
                channel_id=channel_id,
                wix_sku='W,"1"',
                variant_id=variant_id(app, "MUG-RED"),
                wix_product_id="p1",
            )
        )
        db.session.commit()
    response = logged_in.get(mappings_url(channel_id, "skus/export.csv"))
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    body = response.get_data(as_text=True)
    assert body.splitlines()[0] == "wix_sku,oms_sku,wix_product_id,wix_variant_id"
    assert '"W,""1""",MUG-RED,p1,' in body
    with app.app_context():
        db.session.execute(db.delete(SkuMapping))
        db.session.commit()
    assert upload(logged_in, channel_id, body).status_code == 200
    (mapping,) = rows(app, SkuMapping)
    assert (mapping.wix_sku, mapping.wix_product_id) == ('W,"1"', "p1")


# Authorization ----------------------------------------------------------------------------------


def test_operator_can_look_at_mappings_but_not_change_them(app, client, auth, channel_id):
    auth.login("op@acme.test")
    html = client.get(f"/channels/{channel_id}?tab=skus").get_data(as_text=True)
    assert "Import from CSV" not in html and "Add a mapping" not in html
    assert client.get(mappings_url(channel_id, "skus/export.csv")).status_code == 200
    for url, data in (
        ("carriers", {"carrier-add-wix_shipping_title": "A"}),
        ("warehouses", {}),
        ("skus", {"sku-add-wix_sku": "A", "sku-add-oms_sku": "MUG-RED"}),
        ("skus/import", {}),
    ):
        assert client.post(mappings_url(channel_id, url), data=data).status_code == 403, url
    assert rows(app, SkuMapping) == [] and rows(app, CarrierMapping) == []


def test_other_accounts_mappings_are_not_found(app, client, auth, channel_id):
    with app.app_context():
        mapping = SkuMapping(
            channel_id=channel_id, wix_sku="W", variant_id=variant_id(app, "MUG-RED")
        )
        db.session.add(mapping)
        db.session.commit()
        mapping_id = mapping.id
    auth.login("boss@globex.test")
    for method, url in (
        ("GET", "skus"),
        ("GET", "skus/export.csv"),
        ("GET", f"skus/{mapping_id}/edit"),
        ("POST", f"skus/{mapping_id}/delete"),
        ("POST", "carriers"),
    ):
        response = client.open(mappings_url(channel_id, url), method=method, headers=HX)
        assert response.status_code == 404, url
    assert len(rows(app, SkuMapping)) == 1


def test_a_mapping_of_another_channel_is_not_found_through_mine(app, logged_in, channel_id):
    globex_channel = add_channel(app, "Globex")
    with app.app_context():
        acme_variant = variant_id(app, "MUG-RED")
        other = SkuMapping(channel_id=globex_channel, wix_sku="G", variant_id=acme_variant)
        db.session.add(other)
        db.session.commit()
        other_id = other.id
    response = logged_in.post(mappings_url(channel_id, f"skus/{other_id}/delete"), headers=HX)
    assert response.status_code == 404
    assert len(rows(app, SkuMapping)) == 1

"""The SKU CSV export never hands a spreadsheet a formula; Wix ids typed by an admin or
imported from a CSV are Wix ids, so they cannot add segments to a Wix API path."""

from __future__ import annotations

import csv
import io

import pytest

from tests.integration.channel_world import add_catalog, add_channel
from wixoms.extensions import db
from wixoms.models import SkuMapping, Variant

# SKUs as they may come from Wix (catalog import) or from a merchant's catalog.
FORMULAS = ['=HYPERLINK("http://evil.test","x")', "+1+1", "-2+3", "@SUM(A1)", "\tTAB", "\rCR"]


def _variant_id(app, sku: str) -> int:
    with app.app_context():
        return db.session.scalar(db.select(Variant.id).where(Variant.sku == sku))


def _export(client, channel_id: int) -> list[list[str]]:
    response = client.get(f"/channels/{channel_id}/mappings/skus/export.csv")
    assert response.status_code == 200
    return list(csv.reader(io.StringIO(response.get_data(as_text=True), newline="")))


def _upload(client, channel_id: int, text: str):
    return client.post(
        f"/channels/{channel_id}/mappings/skus/import",
        data={"file": (io.BytesIO(text.encode()), "skus.csv")},
        content_type="multipart/form-data",
        headers={"HX-Request": "true"},
    )


@pytest.fixture
def channel_id(app, world) -> int:
    add_catalog(app, skus=("=2+5", "MUG-RED"))
    channel_id = add_channel(app)
    with app.app_context():
        for i, wix_sku in enumerate(FORMULAS):
            oms = "=2+5" if i % 2 else "MUG-RED"
            db.session.add(
                SkuMapping(
                    channel_id=channel_id,
                    wix_sku=wix_sku,
                    variant_id=_variant_id(app, oms),
                    wix_product_id="3f1c9a2e",
                )
            )
        db.session.commit()
    return channel_id


def test_export_cells_never_start_like_a_formula(logged_in, channel_id):
    rows = _export(logged_in, channel_id)
    cells = [cell for row in rows[1:] for cell in row if cell]
    assert len(rows) == len(FORMULAS) + 1
    assert cells and all(not cell.startswith(("=", "+", "-", "@", "\t", "\r")) for cell in cells)
    assert '\'=HYPERLINK("http://evil.test","x")' in cells and "'=2+5" in cells


def test_a_neutralised_export_imports_back_to_the_same_values(app, logged_in, channel_id):
    rows = _export(logged_in, channel_id)
    keep = [r for r in rows if not r[0].startswith(("'\t", "'\r"))]  # control chars: refused
    with app.app_context():
        db.session.execute(db.delete(SkuMapping))
        db.session.commit()
    out = io.StringIO()
    csv.writer(out).writerows(keep)
    assert _upload(logged_in, channel_id, out.getvalue()).status_code == 200
    with app.app_context():
        found = {m.wix_sku: m.wix_product_id for m in db.session.scalars(db.select(SkuMapping))}
    assert found == {sku: "3f1c9a2e" for sku in FORMULAS[:4]}


@pytest.mark.parametrize("bad_id", ["../../../_sandbox/config", "a/b", "p 1", "x?y=1", "%2e%2e"])
def test_csv_import_refuses_a_product_id_that_is_no_wix_id(logged_in, channel_id, bad_id):
    response = _upload(
        logged_in, channel_id, f"wix_sku,oms_sku,wix_product_id\nNEW,MUG-RED,{bad_id}\n"
    )
    assert response.status_code == 422
    assert "wix_product_id is not a Wix id" in response.get_data(as_text=True)


@pytest.mark.parametrize("field", ["wix_product_id", "wix_variant_id"])
def test_sku_mapping_form_refuses_an_id_that_is_no_wix_id(app, logged_in, channel_id, field):
    response = logged_in.post(
        f"/channels/{channel_id}/mappings/skus",
        data={
            "sku-add-wix_sku": "NEW",
            "sku-add-oms_sku": "MUG-RED",
            f"sku-add-{field}": "../../../_sandbox/config",
        },
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 422
    assert "Enter the id as Wix shows it" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(db.select(SkuMapping).filter_by(wix_sku="NEW")) is None


def test_warehouse_mapping_form_refuses_a_location_id_that_is_no_wix_id(app, logged_in, channel_id):
    with app.app_context():
        from wixoms.models import Warehouse

        warehouse = db.session.scalar(db.select(Warehouse.id).filter_by(code="MAIN"))
    response = logged_in.post(
        f"/channels/{channel_id}/mappings/warehouses",
        data={"warehouse-add-warehouse_id": warehouse, "warehouse-add-wix_location_id": "../x"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 422
    assert "Enter the id as Wix shows it" in response.get_data(as_text=True)

"""Stock levels: the variant × warehouse list, filters, inline edit with htmx, roles."""

from html import unescape

import pytest

from tests.integration.views.builders import (
    add_carrier,
    add_level,
    add_order,
    add_product,
    add_warehouse,
    variant_id,
)
from wixoms.extensions import db
from wixoms.models import InventoryLevel, Order

HTMX = {"HX-Request": "true"}


@pytest.fixture
def stock(app, world):
    """Acme: MUG-1 and TEE-1 in MAIN and WEST; MUG-1 has 5 on hand in MAIN."""
    add_product(app, world.acme.id, "Mug", ["MUG-1"])
    add_product(app, world.acme.id, "Tee", ["TEE-1"])
    main = add_warehouse(app, world.acme.id, "MAIN", "Main")
    west = add_warehouse(app, world.acme.id, "WEST", "West")
    mug = variant_id(app, "MUG-1")
    add_level(app, mug, main, on_hand=5)
    return {"mug": mug, "tee": variant_id(app, "TEE-1"), "main": main, "west": west}


def level(app, variant: int, warehouse: int) -> int | None:
    with app.app_context():
        row = db.session.get(InventoryLevel, (variant, warehouse))
        return None if row is None else row.on_hand


def test_list_shows_every_variant_in_every_warehouse(logged_in, stock):
    page = logged_in.get("/inventory/").get_data(as_text=True)
    assert page.count('<tr id="row-lvl-') == 4
    assert f'id="row-lvl-{stock["mug"]}-{stock["main"]}"' in page


def test_list_filters_by_warehouse_and_sku(logged_in, stock):
    page = logged_in.get(f"/inventory/?warehouse={stock['west']}&q=tee").get_data(as_text=True)
    assert page.count('<tr id="row-lvl-') == 1
    assert f'id="row-lvl-{stock["tee"]}-{stock["west"]}"' in page


def test_htmx_filter_returns_only_the_results(logged_in, stock):
    response = logged_in.get("/inventory/?q=mug", headers={**HTMX, "HX-Target": "results"})
    text = response.get_data(as_text=True)
    assert text.lstrip().startswith('<div id="results">') and "<html" not in text


def test_inline_edit_saves_and_returns_the_row(app, logged_in, stock):
    url = f"/inventory/{stock['mug']}/{stock['main']}"
    response = logged_in.post(url, data={"on_hand": "12"}, headers=HTMX)
    assert response.status_code == 200
    row = response.get_data(as_text=True)
    assert row.lstrip().startswith("<tr") and "Saved" in row and ">12<" in row
    assert level(app, stock["mug"], stock["main"]) == 12


def test_inline_edit_creates_a_missing_level(app, logged_in, stock):
    url = f"/inventory/{stock['tee']}/{stock['west']}"
    response = logged_in.post(url, data={"on_hand": "7"}, headers=HTMX)
    assert response.status_code == 200
    assert level(app, stock["tee"], stock["west"]) == 7


def test_plain_post_redirects_back_to_the_filtered_list(app, logged_in, stock):
    url = f"/inventory/{stock['mug']}/{stock['main']}?next=/inventory/?q%3Dmug"
    response = logged_in.post(url, data={"on_hand": "3"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/inventory/?q=mug"


def test_plain_post_never_redirects_off_the_inventory_list(logged_in, stock):
    url = f"/inventory/{stock['mug']}/{stock['main']}?next=//evil.example/"
    response = logged_in.post(url, data={"on_hand": "3"})
    assert response.headers["Location"] == "/inventory/"


@pytest.mark.parametrize(
    ("on_hand", "message"),
    [
        ("", "Enter the on-hand quantity, like 12."),
        ("abc", "Enter the on-hand quantity as a number, like 12."),
        ("-1", "The on-hand quantity cannot be negative."),
        ("1.5", "The on-hand quantity is a whole number."),
        ("2000000000", "The on-hand quantity is at most 1000000000."),
    ],
)
@pytest.mark.parametrize("headers", [HTMX, {}], ids=["htmx", "plain"])
def test_stock_form_rejects_bad_input_with_a_message(
    app, logged_in, stock, on_hand, message, headers
):
    url = f"/inventory/{stock['mug']}/{stock['main']}"
    response = logged_in.post(url, data={"on_hand": on_hand}, headers=headers)
    assert response.status_code == 422
    assert message in unescape(response.get_data(as_text=True))
    assert level(app, stock["mug"], stock["main"]) == 5


def test_operator_sees_stock_but_no_inputs(client, auth, stock):
    auth.login("op@acme.test")
    page = client.get("/inventory/").get_data(as_text=True)
    assert page.count('<tr id="row-lvl-') == 4
    assert 'name="on_hand"' not in page and "Save" not in page


def test_operator_cannot_edit_stock(app, client, auth, stock):
    auth.login("op@acme.test")
    url = f"/inventory/{stock['mug']}/{stock['main']}"
    assert client.post(url, data={"on_hand": "99"}).status_code == 403
    assert level(app, stock["mug"], stock["main"]) == 5


def _cells(page: str, variant: int, warehouse: int) -> tuple[str, str]:
    """(allocated, available) as the row shows them."""
    row = page.split(f'id="row-lvl-{variant}-{warehouse}"', 1)[1].split("</tr>", 1)[0]
    allocated = row.split('data-label="Allocated">', 1)[1].split("<", 1)[0]
    available = row.split('data-label="Available">', 1)[1].split("<", 1)[0]
    return allocated, available


def _order_in(app, account_id: int, warehouse: int, number: str, quantity: int, **kw) -> int:
    oid = add_order(app, account_id, number, lines=[("MUG-1", quantity)], **kw)
    with app.app_context():
        db.session.get(Order, oid).warehouse_id = warehouse
        db.session.commit()
    return oid


def test_page_shows_on_hand_allocated_to_open_orders_and_available(app, logged_in, world, stock):
    _order_in(app, world.acme.id, stock["main"], "A-1", 2)
    _order_in(app, world.acme.id, stock["main"], "A-2", 1, status="on_hold", hold_reason="Check")
    _order_in(app, world.acme.id, stock["main"], "A-3", 4, status="cancelled")
    _order_in(app, world.acme.id, stock["west"], "A-4", 1)
    page = logged_in.get("/inventory/").get_data(as_text=True)
    assert '<th class="num-col">Allocated</th>' in page
    assert _cells(page, stock["mug"], stock["main"]) == ("3", "2")  # 5 on hand − (2 + 1)
    assert _cells(page, stock["mug"], stock["west"]) == ("1", "-1")  # sold, none there yet
    assert _cells(page, stock["tee"], stock["main"]) == ("0", "0")


def test_cancelling_releases_and_shipping_consumes(app, logged_in, world, stock):
    oid = _order_in(app, world.acme.id, stock["main"], "C-1", 2)
    other = _order_in(app, world.acme.id, stock["main"], "C-2", 1)
    carrier = add_carrier(app, world.acme.id, "UPS", "ups")
    with app.app_context():
        line = db.session.get(Order, oid).lines[0].id
        db.session.get(Order, other).status = "cancelled"
        db.session.commit()
    page = logged_in.get("/inventory/").get_data(as_text=True)
    assert _cells(page, stock["mug"], stock["main"]) == ("2", "3")  # C-2 released
    data = {"carrier_id": str(carrier), "tracking_number": "1Z1", f"qty-{line}": "1"}
    assert logged_in.post(f"/orders/{oid}/shipments", data=data).status_code == 302
    assert level(app, stock["mug"], stock["main"]) == 4  # one unit left the warehouse
    page = logged_in.get("/inventory/").get_data(as_text=True)
    assert _cells(page, stock["mug"], stock["main"]) == ("1", "3")  # available unchanged

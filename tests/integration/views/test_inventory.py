"""Stock levels: the variant × warehouse list, filters, inline edit with htmx, roles."""

from html import unescape

import pytest

from tests.integration.views.builders import add_level, add_product, add_warehouse, variant_id
from wixoms.extensions import db
from wixoms.models import InventoryLevel

HTMX = {"HX-Request": "true"}


@pytest.fixture
def stock(app, world):
    """Acme: MUG-1 and TEE-1 in MAIN and WEST; MUG-1 has 5 on hand (1 reserved) in MAIN."""
    add_product(app, world.acme.id, "Mug", ["MUG-1"])
    add_product(app, world.acme.id, "Tee", ["TEE-1"])
    main = add_warehouse(app, world.acme.id, "MAIN", "Main")
    west = add_warehouse(app, world.acme.id, "WEST", "West")
    mug = variant_id(app, "MUG-1")
    add_level(app, mug, main, on_hand=5, reserved=1)
    return {"mug": mug, "tee": variant_id(app, "TEE-1"), "main": main, "west": west}


def level(app, variant: int, warehouse: int) -> tuple[int, int] | None:
    with app.app_context():
        row = db.session.get(InventoryLevel, (variant, warehouse))
        return None if row is None else (row.on_hand, row.reserved)


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
    response = logged_in.post(url, data={"on_hand": "12", "reserved": "2"}, headers=HTMX)
    assert response.status_code == 200
    row = response.get_data(as_text=True)
    assert row.lstrip().startswith("<tr") and "Saved" in row and ">10<" in row
    assert level(app, stock["mug"], stock["main"]) == (12, 2)


def test_inline_edit_creates_a_missing_level(app, logged_in, stock):
    url = f"/inventory/{stock['tee']}/{stock['west']}"
    response = logged_in.post(url, data={"on_hand": "7", "reserved": "0"}, headers=HTMX)
    assert response.status_code == 200
    assert level(app, stock["tee"], stock["west"]) == (7, 0)


def test_plain_post_redirects_back_to_the_filtered_list(app, logged_in, stock):
    url = f"/inventory/{stock['mug']}/{stock['main']}?next=/inventory/?q%3Dmug"
    response = logged_in.post(url, data={"on_hand": "3", "reserved": "0"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/inventory/?q=mug"


def test_plain_post_never_redirects_off_the_inventory_list(logged_in, stock):
    url = f"/inventory/{stock['mug']}/{stock['main']}?next=//evil.example/"
    response = logged_in.post(url, data={"on_hand": "3", "reserved": "0"})
    assert response.headers["Location"] == "/inventory/"


@pytest.mark.parametrize(
    ("on_hand", "reserved", "message"),
    [
        ("", "0", "Enter the on-hand quantity, like 12."),
        ("abc", "0", "Enter the on-hand quantity as a number, like 12."),
        ("-1", "0", "The on-hand quantity cannot be negative."),
        ("1.5", "0", "The on-hand quantity is a whole number."),
        ("2000000000", "0", "The on-hand quantity is at most 1000000000."),
        ("5", "", "Enter the reserved quantity, like 0."),
        ("5", "x", "Enter the reserved quantity as a number, like 0."),
        ("5", "6", "Reserved cannot exceed on hand (5)."),
    ],
)
@pytest.mark.parametrize("headers", [HTMX, {}], ids=["htmx", "plain"])
def test_stock_form_rejects_bad_input_with_a_message(
    app, logged_in, stock, on_hand, reserved, message, headers
):
    url = f"/inventory/{stock['mug']}/{stock['main']}"
    response = logged_in.post(url, data={"on_hand": on_hand, "reserved": reserved}, headers=headers)
    assert response.status_code == 422
    assert message in unescape(response.get_data(as_text=True))
    assert level(app, stock["mug"], stock["main"]) == (5, 1)


def test_operator_sees_stock_but_no_inputs(client, auth, stock):
    auth.login("op@acme.test")
    page = client.get("/inventory/").get_data(as_text=True)
    assert page.count('<tr id="row-lvl-') == 4
    assert 'name="on_hand"' not in page and "Save" not in page


def test_operator_cannot_edit_stock(app, client, auth, stock):
    auth.login("op@acme.test")
    url = f"/inventory/{stock['mug']}/{stock['main']}"
    assert client.post(url, data={"on_hand": "99", "reserved": "0"}).status_code == 403
    assert level(app, stock["mug"], stock["main"]) == (5, 1)

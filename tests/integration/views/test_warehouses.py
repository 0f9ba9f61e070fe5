"""Warehouses: list, create, edit, validation, duplicates, roles."""

from html import unescape

import pytest

from tests.integration.views.builders import add_warehouse
from wixoms.extensions import db
from wixoms.models import Warehouse
from wixoms.views import warehouses as warehouses_view


def names(app) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(db.select(Warehouse.name).order_by(Warehouse.id)))


def test_admin_creates_and_edits_a_warehouse(app, logged_in, world):
    response = logged_in.post(
        "/warehouses/new", data={"code": "NYC-1", "name": "New York", "address": "1 Pier"}
    )
    assert response.status_code == 302
    page = logged_in.get("/warehouses/").get_data(as_text=True)
    assert "NYC-1" in page and "New York" in page and "Warehouse New York created." in page
    with app.app_context():
        wid = db.session.scalar(db.select(Warehouse.id))
    response = logged_in.post(
        f"/warehouses/{wid}/edit", data={"code": "NYC-1", "name": "Brooklyn", "address": ""}
    )
    assert response.status_code == 302
    assert names(app) == ["Brooklyn"]


def test_saving_a_warehouse_under_its_own_code_and_name_is_not_a_duplicate(app, logged_in, world):
    wid = add_warehouse(app, world.acme.id, "MAIN", "Main")
    response = logged_in.post(
        f"/warehouses/{wid}/edit", data={"code": "MAIN", "name": "Main", "address": "new"}
    )
    assert response.status_code == 302


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"code": "", "name": "X"}, "Enter a short code, like MAIN."),
        ({"code": "   ", "name": "X"}, "Enter a short code, like MAIN."),
        ({"code": "A" * 21, "name": "X"}, "A code has at most 20 characters."),
        ({"code": "A B", "name": "X"}, "A code has only letters, digits, dots, dashes and _."),
        ({"code": "-AB", "name": "X"}, "A code has only letters, digits, dots, dashes and _."),
        ({"code": "AB", "name": ""}, "Enter the warehouse name."),
        ({"code": "AB", "name": "n" * 81}, "A name has at most 80 characters."),
        (
            {"code": "AB", "name": "X", "address": "a" * 256},
            "An address has at most 255 characters.",
        ),
        ({"code": "main", "name": "Other"}, "Another warehouse already has the code main."),
        (
            {"code": "OTHER", "name": "MAIN HALL"},
            "Another warehouse already has the name MAIN HALL.",
        ),
    ],
)
def test_warehouse_form_rejects_bad_input_with_a_message(app, logged_in, world, data, message):
    add_warehouse(app, world.acme.id, "MAIN", "Main hall")
    response = logged_in.post("/warehouses/new", data={"address": "", **data})
    assert response.status_code == 422
    assert message in unescape(response.get_data(as_text=True))
    assert names(app) == ["Main hall"]


def test_duplicate_on_edit_is_a_form_error(app, logged_in, world):
    add_warehouse(app, world.acme.id, "MAIN", "Main")
    wid = add_warehouse(app, world.acme.id, "WEST", "West")
    response = logged_in.post(f"/warehouses/{wid}/edit", data={"code": "MAIN", "name": "West"})
    assert response.status_code == 422
    assert "Another warehouse already has the code MAIN." in response.get_data(as_text=True)


def test_same_code_in_another_account_is_fine(app, logged_in, world):
    add_warehouse(app, world.globex.id, "MAIN", "Main")
    response = logged_in.post("/warehouses/new", data={"code": "MAIN", "name": "Main"})
    assert response.status_code == 302


def test_a_duplicate_that_slips_past_the_check_is_a_form_error(app, logged_in, world, monkeypatch):
    add_warehouse(app, world.acme.id, "MAIN", "Main")
    monkeypatch.setattr(warehouses_view, "_unique", lambda form, own_id: True)  # the race
    response = logged_in.post("/warehouses/new", data={"code": "MAIN", "name": "Other"})
    assert response.status_code == 422
    assert "A warehouse with code MAIN or name Other already exists." in response.get_data(
        as_text=True
    )
    assert names(app) == ["Main"]


def test_operator_sees_warehouses_without_edit_controls(app, client, auth, world):
    add_warehouse(app, world.acme.id, "MAIN", "Main")
    auth.login("op@acme.test")
    page = client.get("/warehouses/")
    assert b"Main" in page.data
    assert b"New warehouse" not in page.data and b"/edit" not in page.data


@pytest.mark.parametrize("path", ["/warehouses/new", "/warehouses/{id}/edit"])
def test_operator_cannot_create_or_edit_warehouses(app, client, auth, world, path):
    wid = add_warehouse(app, world.acme.id, "MAIN", "Main")
    auth.login("op@acme.test")
    url = path.format(id=wid)
    assert client.get(url).status_code == 403
    assert client.post(url, data={"code": "X", "name": "Y"}).status_code == 403
    assert names(app) == ["Main"]

"""Account scoping: a user of Acme cannot see or change Globex's objects by id (404)."""

import pytest

from tests.integration.views.builders import (
    add_carrier,
    add_order,
    add_product,
    add_warehouse,
    variant_id,
)
from wixoms.extensions import db
from wixoms.models import Carrier, Order, Product, Warehouse


@pytest.fixture
def globex(app, world) -> dict:
    """Globex's product, warehouse, carrier and order (an order on hold, to try releasing)."""
    product = add_product(app, world.globex.id, "Globex lamp", ["LAMP-G"])
    return {
        "product": product,
        "variant": variant_id(app, "LAMP-G"),
        "warehouse": add_warehouse(app, world.globex.id, "RTM", "Rotterdam"),
        "carrier": add_carrier(app, world.globex.id, "Globex Freight", "dhl"),
        "order": add_order(app, world.globex.id, "G-1", lines=[("LAMP-G", 1)], hold_reason="Check"),
    }


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("get", "/products/{product}"),
        ("get", "/products/{product}/edit"),
        ("post", "/products/{product}/edit"),
        ("get", "/warehouses/{warehouse}/edit"),
        ("post", "/warehouses/{warehouse}/edit"),
        ("get", "/carriers/{carrier}/edit"),
        ("post", "/carriers/{carrier}/edit"),
        ("get", "/inventory/{variant}/{warehouse}"),
        ("post", "/inventory/{variant}/{warehouse}"),
        ("get", "/orders/{order}"),
        ("post", "/orders/{order}/shipments"),
        ("post", "/orders/{order}/release"),
    ],
)
def test_another_accounts_object_is_a_404(logged_in, globex, method, url):
    data = {
        "name": "Hijacked",
        "code": "X",
        "on_hand": "1",
        "reserved": "0",
        "carrier_id": str(globex["carrier"]),
        "tracking_number": "1Z",
        "variants-0-sku": "HIJACK",
        "variants-0-price": "1",
    }
    response = getattr(logged_in, method)(url.format(**globex), data=data)
    assert response.status_code == 404
    assert b"belongs to another account" in response.data


def test_globex_objects_are_unchanged_after_the_attempts(app, logged_in, globex):
    for url in (
        "/products/{product}/edit",
        "/warehouses/{warehouse}/edit",
        "/carriers/{carrier}/edit",
    ):
        logged_in.post(url.format(**globex), data={"name": "Hijacked", "code": "X"})
    logged_in.post("/orders/{order}/release".format(**globex))
    with app.app_context():
        assert db.session.get(Product, globex["product"]).name == "Globex lamp"
        assert db.session.get(Warehouse, globex["warehouse"]).name == "Rotterdam"
        assert db.session.get(Carrier, globex["carrier"]).name == "Globex Freight"
        assert db.session.get(Order, globex["order"]).hold_reason == "Check"


def test_acme_stock_of_a_globex_warehouse_is_a_404(app, logged_in, world, globex):
    add_product(app, world.acme.id, "Mug", ["MUG-1"])
    url = f"/inventory/{variant_id(app, 'MUG-1')}/{globex['warehouse']}"
    assert logged_in.post(url, data={"on_hand": "1", "reserved": "0"}).status_code == 404


def test_lists_show_only_the_current_account(app, logged_in, world, globex):
    add_product(app, world.acme.id, "Mug", ["MUG-1"])
    for url, theirs in [
        ("/products/", b"Globex lamp"),
        ("/warehouses/", b"Rotterdam"),
        ("/carriers/", b"Globex Freight"),
        ("/inventory/", b"LAMP-G"),
        ("/orders/", b"#G-1"),
        ("/products/?q=LAMP", b"Globex lamp"),
        ("/orders/?q=G-1", b"#G-1"),
    ]:
        assert theirs not in logged_in.get(url).data, url


def test_a_globex_carrier_cannot_be_used_on_an_acme_shipment(app, logged_in, world, globex):
    add_product(app, world.acme.id, "Mug", ["MUG-1"])
    add_carrier(app, world.acme.id, "UPS", "ups")
    oid = add_order(app, world.acme.id, "A-1", lines=[("MUG-1", 1)])
    response = logged_in.post(
        f"/orders/{oid}/shipments",
        data={"carrier_id": str(globex["carrier"]), "tracking_number": "1Z"},
    )
    assert response.status_code == 422
    assert b"Choose one of your carriers." in response.data


def test_switching_account_shows_the_other_accounts_objects(app, client, auth, world, globex):
    with app.app_context():
        from wixoms.models import Membership

        db.session.add(Membership(user_id=world.admin.id, account_id=world.globex.id, role="admin"))
        db.session.commit()
    auth.login()
    assert client.get(f"/orders/{globex['order']}").status_code == 404
    client.post("/account", data={"account_id": str(world.globex.id)})
    assert client.get(f"/orders/{globex['order']}").status_code == 200
    assert b"Globex lamp" in client.get("/products/").data

"""Orders: keyset pages, filters, detail, shipments for the fulfillment push, releasing holds."""

import re
from html import unescape

import pytest

from tests.integration.views.builders import (
    add_carrier,
    add_channel,
    add_order,
    add_product,
)
from wixoms.extensions import db
from wixoms.models import Order, Shipment


def numbers_on(page: str) -> list[str]:
    return re.findall(r'href="/orders/\d+">#([^<]+)</a>', page)


def walk(client, url: str, link_rel: str) -> list[list[str]]:
    """Follow the pager from `url` along rel=next (older) or rel=prev (newer)."""
    pages = []
    while url:
        page = client.get(url).get_data(as_text=True)
        pages.append(numbers_on(page))
        found = re.search(rf'<a href="([^"]+)" rel="{link_rel}">', page)
        url = unescape(found.group(1)) if found else None
    return pages


def test_keyset_pages_return_every_order_exactly_once(app, logged_in, world):
    app.config["OMS_PAGE_SIZE"] = 3
    for n in range(10):
        add_order(app, world.acme.id, f"A-{n:02d}")
    add_order(app, world.globex.id, "G-01")
    pages = walk(logged_in, "/orders/", "next")
    assert [len(p) for p in pages] == [3, 3, 3, 1]
    flat = [n for p in pages for n in p]
    assert flat == [f"A-{n:02d}" for n in reversed(range(10))]  # newest first, no repeats


def test_newer_link_walks_back_over_the_same_pages(app, logged_in, world):
    app.config["OMS_PAGE_SIZE"] = 3
    for n in range(7):
        add_order(app, world.acme.id, f"A-{n}")
    forward = walk(logged_in, "/orders/", "next")
    last = logged_in.get("/orders/").get_data(as_text=True)
    url = "/orders/"
    while (found := re.search(r'<a href="([^"]+)" rel="next">', last)) is not None:
        url = unescape(found.group(1))
        last = logged_in.get(url).get_data(as_text=True)
    backward = walk(logged_in, url, "prev")
    assert backward == list(reversed(forward))


def test_pages_keep_their_filters_and_new_orders_do_not_shift_them(app, logged_in, world):
    app.config["OMS_PAGE_SIZE"] = 2
    for n in range(6):
        add_order(app, world.acme.id, f"A-{n}", status="shipped" if n % 2 else "open")
    first = logged_in.get("/orders/?status=open").get_data(as_text=True)
    assert numbers_on(first) == ["A-4", "A-2"]
    add_order(app, world.acme.id, "A-new")  # arrives while the merchant reads page 1
    older = unescape(re.search(r'<a href="([^"]+)" rel="next">', first).group(1))
    assert "status=open" in older
    assert numbers_on(logged_in.get(older).get_data(as_text=True)) == ["A-0"]


def test_filters_by_status_channel_hold_and_search(app, logged_in, world):
    channel = add_channel(app, world.acme.id, "Wix shop")
    add_order(app, world.acme.id, "W-1", channel_id=channel, buyer_email="ann@shop.test")
    add_order(app, world.acme.id, "W-2", channel_id=channel, status="shipped")
    add_order(app, world.acme.id, "M-1", hold_reason="SKU X unknown", status="on_hold")

    def shown(query: str) -> list[str]:
        return sorted(numbers_on(logged_in.get(f"/orders/?{query}").get_data(as_text=True)))

    assert shown("status=shipped") == ["W-2"]
    assert shown(f"channel={channel}") == ["W-1", "W-2"]
    assert shown("channel=none") == ["M-1"]
    assert shown("hold=1") == ["M-1"]
    assert shown("q=ann@shop") == ["W-1"]
    assert shown("q=w-") == ["W-1", "W-2"]
    assert shown("status=bogus&channel=999") == ["M-1", "W-1", "W-2"]


def test_detail_shows_lines_address_hold_banner_and_merge_note(app, logged_in, world):
    add_product(app, world.acme.id, "Mug", ["MUG-1"])
    oid = add_order(
        app,
        world.acme.id,
        "H-1",
        lines=[("MUG-1", 2), ("OLD-9", 1)],
        status="on_hold",
        hold_reason="Line 2: SKU OLD-9 is not in the OMS catalog.",
    )
    with app.app_context():
        db.session.get(Order, oid).merge_note = "Includes H-0 (same buyer)."
        db.session.commit()
    page = logged_in.get(f"/orders/{oid}").get_data(as_text=True)
    assert 'class="banner banner-hold" role="alert"' in page
    assert "Line 2: SKU OLD-9 is not in the OMS catalog." in page
    assert "Includes H-0 (same buyer)." in page
    assert "MUG-1" in page and "unknown SKU" in page and "1 Main St" in page
    assert "Release hold" in page


def shipment_form(carrier_id, number="1Z999", url="", **quantities) -> dict:
    data = {"carrier_id": str(carrier_id), "tracking_number": number, "tracking_url": url}
    data.update({k.replace("_", "-"): v for k, v in quantities.items()})
    return data


@pytest.fixture
def order_to_ship(app, world):
    add_product(app, world.acme.id, "Mug", ["MUG-1"])
    add_product(app, world.acme.id, "Tee", ["TEE-1"])
    oid = add_order(app, world.acme.id, "S-1", lines=[("MUG-1", 2), ("TEE-1", 1)])
    with app.app_context():
        line_ids = [line.id for line in db.session.get(Order, oid).lines]
    return {
        "id": oid,
        "lines": line_ids,
        "ups": add_carrier(app, world.acme.id, "UPS", "ups"),
        "local": add_carrier(app, world.acme.id, "Courier", "courier"),
        "templated": add_carrier(
            app, world.acme.id, "Post", "post", "https://post.example/t?n={tracking}"
        ),
    }


def shipments(app, oid) -> list[tuple]:
    with app.app_context():
        order = db.session.get(Order, oid)
        return [
            (s.tracking_number, s.tracking_url, sorted(line.quantity for line in s.lines))
            for s in order.shipments
        ] + [order.status]


def test_admin_ships_part_then_the_rest(app, logged_in, order_to_ship):
    o = order_to_ship
    mug, tee = o["lines"]
    data = shipment_form(o["ups"], "1Z1", **{f"qty_{mug}": "1", f"qty_{tee}": "0"})
    assert logged_in.post(f"/orders/{o['id']}/shipments", data=data).status_code == 302
    assert shipments(app, o["id"]) == [("1Z1", "", [1]), "partially_shipped"]
    data = shipment_form(o["templated"], "P-2", **{f"qty_{mug}": "1", f"qty_{tee}": "1"})
    assert logged_in.post(f"/orders/{o['id']}/shipments", data=data).status_code == 302
    assert shipments(app, o["id"]) == [
        ("1Z1", "", [1]),
        ("P-2", "https://post.example/t?n=P-2", [1, 1]),
        "shipped",
    ]
    page = logged_in.get(f"/orders/{o['id']}").get_data(as_text=True)
    assert "Add a shipment" not in page  # nothing left to ship


def test_shipment_form_offers_what_is_left_to_ship(app, logged_in, order_to_ship):
    o = order_to_ship
    mug, tee = o["lines"]
    page = logged_in.get(f"/orders/{o['id']}").get_data(as_text=True)
    assert f'name="qty-{mug}" value="2"' in page and f'name="qty-{tee}" value="1"' in page
    assert "Choose a carrier" in page and ">Courier<" in page


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"carrier_id": ""}, "Choose the carrier."),
        ({"carrier_id": "abc"}, "Choose the carrier."),
        ({"carrier_id": "OTHER"}, "Choose one of your carriers."),
        ({"tracking_number": ""}, "Enter the tracking number."),
        ({"tracking_number": "9" * 81}, "A tracking number has at most 80 characters."),
        ({"tracking_number": "1Z<9>"}, "A tracking number has only letters, digits and - . / _"),
        ({"tracking_url": "ftp://x"}, "Start the tracking URL with https:// or http://."),
        ({"tracking_url": "https://" + "x" * 500}, "A tracking URL has at most 500 characters."),
        ({"MUG": "3"}, "At most 2 left to ship."),
        ({"MUG": "two"}, "Enter a whole number."),
        ({"MUG": "-1"}, "Enter a whole number."),
        ({"MUG": "0", "TEE": "0"}, "Ship at least one item."),
        (
            {"carrier_id": "LOCAL"},
            "Wix builds tracking links only for ups, usps, fedex, dhl: "
            "give the tracking URL for Courier.",
        ),
        ({"tracking_number": "DUP-1"}, "This order already has a shipment DUP-1."),
    ],
)
def test_shipment_form_rejects_bad_input_with_a_message(
    app, logged_in, world, order_to_ship, change, message
):
    o = order_to_ship
    with app.app_context():
        db.session.add(Shipment(order_id=o["id"], tracking_number="DUP-1"))
        db.session.commit()
    other = add_carrier(app, world.globex.id, "Globex UPS", "ups")
    mug, tee = o["lines"]
    data = shipment_form(o["ups"], "1Z-OK", **{f"qty_{mug}": "1", f"qty_{tee}": "1"})
    replace = {"OTHER": str(other), "LOCAL": str(o["local"])}
    for key, value in change.items():
        field = {"MUG": f"qty-{mug}", "TEE": f"qty-{tee}"}.get(key, key)
        data[field] = replace.get(value, value)
    response = logged_in.post(f"/orders/{o['id']}/shipments", data=data)
    assert response.status_code == 422
    assert message in unescape(response.get_data(as_text=True))
    assert [s[0] for s in shipments(app, o["id"])[:-1]] == ["DUP-1"]


def test_an_order_on_hold_cannot_ship(app, logged_in, world):
    add_product(app, world.acme.id, "Mug", ["MUG-1"])
    oid = add_order(app, world.acme.id, "H-1", lines=[("MUG-1", 1)], hold_reason="Check address")
    carrier = add_carrier(app, world.acme.id, "UPS", "ups")
    with app.app_context():
        line = db.session.get(Order, oid).lines[0].id
    response = logged_in.post(
        f"/orders/{oid}/shipments", data=shipment_form(carrier, **{f"qty_{line}": "1"})
    )
    assert response.status_code == 422
    assert "This order is on hold. Fix the reason and release it before shipping." in (
        response.get_data(as_text=True)
    )


def test_release_refuses_while_a_sku_is_still_unknown_then_succeeds(app, logged_in, world):
    oid = add_order(
        app,
        world.acme.id,
        "H-1",
        lines=[("NEW-1", 1)],
        status="on_hold",
        hold_reason="Line 1: SKU NEW-1 is not in the OMS catalog.",
    )
    response = logged_in.post(f"/orders/{oid}/release")
    assert response.status_code == 422
    assert "Still unknown: NEW-1." in response.get_data(as_text=True)
    add_product(app, world.acme.id, "New thing", ["NEW-1"])  # the merchant fixes the SKU
    response = logged_in.post(f"/orders/{oid}/release")
    assert response.status_code == 302
    with app.app_context():
        order = db.session.get(Order, oid)
        assert (order.hold_reason, order.status) == (None, "open")
        assert order.lines[0].variant_id is not None
    page = logged_in.get(f"/orders/{oid}").get_data(as_text=True)
    assert "released from hold" in page and "banner-hold" not in page


def test_release_does_not_match_another_accounts_sku(app, logged_in, world):
    add_product(app, world.globex.id, "Theirs", ["NEW-1"])
    oid = add_order(app, world.acme.id, "H-1", lines=[("NEW-1", 1)], hold_reason="unknown SKU")
    assert logged_in.post(f"/orders/{oid}/release").status_code == 422


def test_operator_sees_orders_but_cannot_ship_or_release(app, client, auth, world):
    add_product(app, world.acme.id, "Mug", ["MUG-1"])
    oid = add_order(app, world.acme.id, "H-1", lines=[("MUG-1", 1)], hold_reason="Check")
    carrier = add_carrier(app, world.acme.id, "UPS", "ups")
    auth.login("op@acme.test")
    page = client.get(f"/orders/{oid}").get_data(as_text=True)
    assert "Check" in page and "Release hold" not in page and "Add a shipment" not in page
    assert client.post(f"/orders/{oid}/release").status_code == 403
    assert client.post(f"/orders/{oid}/shipments", data=shipment_form(carrier)).status_code == 403
    with app.app_context():
        assert db.session.get(Order, oid).hold_reason == "Check"

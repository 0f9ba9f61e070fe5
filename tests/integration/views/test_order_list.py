"""The Orders list: newest placed first, sorted keyset pages, bulk release of held orders."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from html import unescape

from tests.integration.views.builders import add_order, add_product
from wixoms.extensions import db
from wixoms.models import Order


def numbers_on(page: str) -> list[str]:
    return re.findall(r'href="/orders/\d+">#([^<]+)</a>', page)


def placed(app, order_id: int, days_ago: float) -> None:
    with app.app_context():
        order = db.session.get(Order, order_id)
        order.placed_at = datetime(2026, 11, 20, 12, tzinfo=UTC) - timedelta(days=days_ago)
        db.session.commit()


def test_newest_placed_comes_first_whatever_the_import_order(app, logged_in, world):
    # Imported in this order, placed in another (a backfill brings old orders in last).
    for number, days in (("B", 2), ("D", 0), ("A", 3), ("C", 1)):
        placed(app, add_order(app, world.acme.id, number), days)
    assert numbers_on(logged_in.get("/orders/").get_data(as_text=True)) == ["D", "C", "B", "A"]
    oldest = logged_in.get("/orders/?sort=oldest").get_data(as_text=True)
    assert numbers_on(oldest) == ["A", "B", "C", "D"]
    assert 'value="oldest" selected' in oldest


def test_sorted_pages_walk_every_order_once_both_ways(app, logged_in, world):
    app.config["OMS_PAGE_SIZE"] = 2
    ids = [add_order(app, world.acme.id, f"N{n}") for n in range(5)]
    for n, order_id in enumerate(ids):  # same placed time for two orders: the id breaks the tie
        placed(app, order_id, {0: 1, 1: 3, 2: 1, 3: 0, 4: 2}[n])
    seen, url = [], "/orders/"
    while url:
        page = logged_in.get(url).get_data(as_text=True)
        seen.append(numbers_on(page))
        found = re.search(r'<a href="([^"]+)" rel="next">', page)
        url = unescape(found.group(1)) if found else None
    assert seen == [["N3", "N2"], ["N0", "N4"], ["N1"]]
    back = logged_in.get(unescape(re.search(r'href="([^"]+)" rel="prev"', page).group(1)))
    assert numbers_on(back.get_data(as_text=True)) == ["N0", "N4"]


def test_a_forged_page_cursor_shows_the_first_page(app, logged_in, world):
    add_order(app, world.acme.id, "X1")
    for cursor in ("nonsense", "1.x", "-5", "99999999999999999999.1", "1.99999999999999999999"):
        response = logged_in.get(f"/orders/?after={cursor}&sort=sideways")
        assert response.status_code == 200


def held_order(app, world, number: str, sku: str) -> int:
    return add_order(
        app, world.acme.id, number, lines=[(sku, 1)], hold_reason=f"Unknown SKU {sku}",
        status="on_hold", known_skus=False,
    )  # fmt: skip


def test_held_orders_whose_skus_are_now_known_are_marked_ready(app, logged_in, world):
    held_order(app, world, "H1", "NEW-1")
    held_order(app, world, "H2", "NEW-2")
    add_product(app, world.acme.id, "New", ["NEW-1"])
    page = logged_in.get("/orders/?hold=1").get_data(as_text=True)
    rows = dict(re.findall(r'#(H\d)</a>.*?<td>(.*?)</td>\s*<td class="hide-sm">', page, re.S))
    assert "ready to release" in rows["H1"] and "ready to release" not in rows["H2"]
    assert "Release all ready (1 here)" in page


def test_bulk_release_of_ticked_orders_reports_the_ones_still_unknown(app, logged_in, world):
    ready = [held_order(app, world, f"H{n}", "NEW-1") for n in range(3)]
    stuck = held_order(app, world, "H9", "GONE-9")
    add_product(app, world.acme.id, "New", ["NEW-1"])
    response = logged_in.post(
        "/orders/release", data={"order_id": [*ready, stuck]}, follow_redirects=True
    )
    page = response.get_data(as_text=True)
    assert "Released 3 orders from hold: #H0, #H1, #H2." in page
    assert "#H9 stays on hold: GONE-9 still unknown." in page
    with app.app_context():
        states = {o.number: (o.status, o.hold_reason) for o in db.session.scalars(db.select(Order))}
    assert states["H0"] == states["H2"] == ("open", None)
    assert states["H9"] == ("on_hold", "Unknown SKU GONE-9")


def test_release_all_ready_touches_only_ready_orders_of_this_account(app, logged_in, world):
    mine = held_order(app, world, "H1", "NEW-1")
    held_order(app, world, "H2", "GONE-2")
    add_product(app, world.acme.id, "New", ["NEW-1"])
    theirs = add_order(app, world.globex.id, "G1", lines=[("NEW-1", 1)], hold_reason="x",
                       status="on_hold", known_skus=False)  # fmt: skip
    add_product(app, world.globex.id, "New", ["NEW-1"])
    page = logged_in.post("/orders/release", data={"ready": "1"}, follow_redirects=True)
    assert "Released 1 order from hold: #H1." in page.get_data(as_text=True)
    # A foreign id ticked by hand is ignored, not released.
    logged_in.post("/orders/release", data={"order_id": [theirs]})
    with app.app_context():
        assert db.session.get(Order, mine).hold_reason is None
        assert db.session.get(Order, theirs).hold_reason == "x"
        assert db.session.scalar(db.select(Order.hold_reason).where(Order.number == "H2"))


def test_bulk_release_needs_a_selection_an_admin_and_a_token(app, client, auth, world):
    oid = held_order(app, world, "H1", "NEW-1")
    add_product(app, world.acme.id, "New", ["NEW-1"])
    auth.login()
    page = client.post("/orders/release", data={}, follow_redirects=True).get_data(as_text=True)
    assert "Tick the orders to release first." in page
    assert client.post("/orders/release", data={"order_id": [oid]}, csrf=False).status_code == 400
    auth.logout()
    auth.login("op@acme.test")
    assert client.post("/orders/release", data={"order_id": [oid]}).status_code == 403
    assert "Release selected" not in client.get("/orders/").get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Order, oid).hold_reason is not None


def live_url(page: str) -> str | None:
    found = re.search(r'id="orders-live"[^>]*hx-get="([^"]+)"', page, re.S)
    return unescape(found.group(1)) if found else None


HX = {"HX-Request": "true", "HX-Target": "order-rows"}


def test_the_first_page_asks_for_orders_that_arrive_and_gets_only_those(app, logged_in, world):
    add_order(app, world.acme.id, "OLD-1")
    page = logged_in.get("/orders/?status=open").get_data(as_text=True)
    url = live_url(page)
    # Every second: an order placed in Wix shows within 2 s (bench/journey.py).
    assert url and "status=open" in url and 'hx-trigger="every 1s"' in page
    assert logged_in.get(url, headers=HX).status_code == 204  # nothing new yet

    add_order(app, world.acme.id, "NEW-1")
    add_order(app, world.acme.id, "NEW-2", status="shipped")  # filtered out
    response = logged_in.get(url, headers=HX)
    rows = response.get_data(as_text=True)
    assert response.status_code == 200
    assert numbers_on(rows) == ["NEW-1"] and '<span class="badge info">new</span>' in rows
    assert "1 new order just arrived." in rows and 'hx-swap-oob="true"' in rows
    assert logged_in.get(live_url(rows), headers=HX).status_code == 204  # asks from there on


def test_an_empty_list_fills_itself_when_the_first_order_arrives(app, logged_in, world):
    page = logged_in.get("/orders/").get_data(as_text=True)
    assert "No orders yet." in page and 'hx-target="#results"' in page
    add_order(app, world.acme.id, "FIRST")
    response = logged_in.get(live_url(page), headers={"HX-Request": "true", "HX-Target": "results"})
    html = response.get_data(as_text=True)
    assert 'id="results"' in html
    assert numbers_on(html) == ["FIRST"] and 'id="order-rows"' in html


def test_other_pages_and_sorts_stay_still(app, logged_in, world):
    app.config["OMS_PAGE_SIZE"] = 1
    add_order(app, world.acme.id, "A")
    add_order(app, world.acme.id, "B")
    first = logged_in.get("/orders/").get_data(as_text=True)
    older = unescape(re.search(r'<a href="([^"]+)" rel="next">', first).group(1))
    assert live_url(logged_in.get(older).get_data(as_text=True)) is None
    assert live_url(logged_in.get("/orders/?sort=oldest").get_data(as_text=True)) is None

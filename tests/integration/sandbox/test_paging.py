"""Order search: cursor paging returns every order exactly once and never INITIALIZED ones."""

from __future__ import annotations

import pytest


@pytest.fixture
def shop(connect, sandbox):
    wix = connect()
    sandbox.add_product(wix.site["id"], name="Tee", price=5)
    return wix


def page_through(wix, search: dict) -> tuple[list[dict], int]:
    orders, calls = [], 0
    body = {"search": search}
    while True:
        response = wix.post("/ecom/v1/orders/search", body)
        assert response.status_code == 200, response.text
        calls += 1
        data = response.json()
        orders.extend(data["orders"])
        assert data["metadata"]["count"] == len(data["orders"])
        if not data["metadata"]["hasNext"]:
            assert "next" not in data["metadata"]["cursors"]
            return orders, calls
        body = {
            "search": {
                "cursorPaging": {"limit": 100, "cursor": data["metadata"]["cursors"]["next"]}
            }
        }


def test_paging_over_1050_orders_returns_each_exactly_once(shop, sandbox, sandbox_server):
    store = sandbox_server.store
    site = store.sites[shop.site["id"]]
    from wixoms.sandbox.orders import place_order

    for n in range(1050):
        place_order(
            store,
            site,
            {"notify": False, "createdDate": f"2025-02-01T00:{n // 60 % 60:02d}:{n % 60:02d}.000Z"},
        )
    orders, calls = page_through(
        shop,
        {
            "filter": {"updatedDate": {"$gt": "2024-01-01T00:00:00.000Z"}},
            "sort": [{"fieldName": "updatedDate", "order": "ASC"}],
            "cursorPaging": {"limit": 100},
        },
    )
    ids = [o["id"] for o in orders]
    assert len(ids) == 1050 and len(set(ids)) == 1050
    assert calls == 11
    dates = [o["updatedDate"] for o in orders]
    assert dates == sorted(dates)


def test_default_sort_is_created_date_descending(shop, sandbox):
    for status in ("APPROVED", "PENDING", "CANCELED"):
        sandbox.place_order(shop.site["id"], status=status)
    orders, _ = page_through(shop, {})
    created = [o["createdDate"] for o in orders]
    assert created == sorted(created, reverse=True)


def test_initialized_orders_are_never_returned_by_search(shop, sandbox):
    hidden = sandbox.place_order(shop.site["id"], status="INITIALIZED")
    shown = sandbox.place_order(shop.site["id"], status="APPROVED")
    for search in (
        {},
        {"filter": {"status": {"$in": ["INITIALIZED"]}}},
        {"filter": {"id": hidden["id"]}},
    ):
        orders, _ = page_through(shop, search)
        assert hidden["id"] not in [o["id"] for o in orders]
    orders, _ = page_through(shop, {})
    assert [o["id"] for o in orders] == [shown["id"]]
    single = shop.get(f"/ecom/v1/orders/{hidden['id']}").json()["order"]
    assert single["status"] == "INITIALIZED"


def test_status_and_date_filters(shop, sandbox):
    old = sandbox.place_order(shop.site["id"], createdDate="2024-05-01T10:00:00.000Z")
    canceled = sandbox.place_order(shop.site["id"], status="CANCELED")
    approved = sandbox.place_order(shop.site["id"])
    orders, _ = page_through(shop, {"filter": {"status": {"$in": ["APPROVED"]}}})
    assert {o["id"] for o in orders} == {old["id"], approved["id"]}
    orders, _ = page_through(shop, {"filter": {"createdDate": {"$gte": "2024-06-01T00:00:00Z"}}})
    assert {o["id"] for o in orders} == {canceled["id"], approved["id"]}


def test_update_moves_order_after_the_cursor(shop, sandbox):
    first = sandbox.place_order(shop.site["id"])
    second = sandbox.place_order(shop.site["id"])
    search = {"sort": [{"fieldName": "updatedDate", "order": "ASC"}], "cursorPaging": {"limit": 1}}
    page = shop.post("/ecom/v1/orders/search", {"search": search}).json()
    assert page["orders"][0]["id"] == first["id"]
    updated = sandbox.update_order(first["id"], paymentStatus="FULLY_REFUNDED")
    assert updated["updatedDate"] > first["updatedDate"]
    cursor = page["metadata"]["cursors"]["next"]
    rest, _ = page_through(shop, {"cursorPaging": {"limit": 100, "cursor": cursor}})
    assert [o["id"] for o in rest] == [second["id"], first["id"]]


def test_cursor_with_filter_again_is_rejected(shop, sandbox):
    sandbox.place_order(shop.site["id"])
    sandbox.place_order(shop.site["id"])
    first = shop.post("/ecom/v1/orders/search", {"search": {"cursorPaging": {"limit": 1}}}).json()
    cursor = first["metadata"]["cursors"]["next"]
    response = shop.post(
        "/ecom/v1/orders/search",
        {
            "search": {
                "filter": {"status": "APPROVED"},
                "cursorPaging": {"limit": 1, "cursor": cursor},
            }
        },
    )
    assert response.status_code == 400


@pytest.mark.parametrize("limit", [101, -1, "ten"])
def test_limit_over_100_is_rejected(shop, limit):
    response = shop.post("/ecom/v1/orders/search", {"search": {"cursorPaging": {"limit": limit}}})
    assert response.status_code == 400
    assert response.json()["details"]["validationError"]["fieldViolations"]


def test_unknown_filter_operator_is_a_400(shop):
    response = shop.post(
        "/ecom/v1/orders/search", {"search": {"filter": {"status": {"$regex": "A"}}}}
    )
    assert response.status_code == 400

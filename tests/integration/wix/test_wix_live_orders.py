"""Orders paging, single reads, fulfillments, faults and notifications against the sandbox."""

from __future__ import annotations

from datetime import timedelta

import pytest

from wixoms.wix import (
    OrdersApi,
    WixConflict,
    WixServerError,
    parse_automation_request,
    verify_app_webhook,
)


@pytest.fixture
def shop(connect, sandbox):
    wix = connect("V3_CATALOG")
    sandbox.add_product(wix.site_id, name="Mug", price=12, sku="MUG", quantity=10_000)
    return wix


def place(sandbox, shop, count: int, status: str = "APPROVED", **spec) -> list[dict]:
    return [
        sandbox.place_order(
            shop.site_id, lines=[{"sku": "MUG", "quantity": 1}], status=status, **spec
        )
        for _ in range(count)
    ]


def small_pages(shop, size: int = 10) -> OrdersApi:
    return OrdersApi(shop.client.request, page_size=size)


def test_every_order_comes_exactly_once_in_updated_order(shop, sandbox):
    placed = place(sandbox, shop, 35)
    pages = list(small_pages(shop).iter_pages(statuses=["APPROVED"], updated_since=None))
    ids = [o.id for p in pages for o in p.orders]
    assert sorted(ids) == sorted(o["id"] for o in placed)
    assert len(ids) == len(set(ids))
    dates = [o.updated_date for p in pages for o in p.orders]
    assert dates == sorted(dates)
    assert len(pages) == 4 and not pages[-1].has_next


def test_status_filter_and_initialized_never_searched(shop, sandbox):
    place(sandbox, shop, 3, "APPROVED")
    pending = place(sandbox, shop, 2, "PENDING")
    initialized = place(sandbox, shop, 2, "INITIALIZED")
    found = [
        o
        for p in shop.client.orders.iter_pages(
            statuses=["PENDING", "INITIALIZED"], updated_since=None
        )
        for o in p.orders
    ]
    assert sorted(o.id for o in found) == sorted(o["id"] for o in pending)
    assert shop.client.orders.get(initialized[0]["id"]).status == "INITIALIZED"


def test_paging_resumes_from_a_stored_cursor(shop, sandbox):
    placed = place(sandbox, shop, 25)
    first = next(small_pages(shop).iter_pages(statuses=["APPROVED"], updated_since=None))
    rest = small_pages(shop).iter_pages(
        statuses=["APPROVED"], updated_since=None, cursor=first.next_cursor
    )
    ids = [o.id for o in first.orders] + [o.id for p in rest for o in p.orders]
    assert sorted(ids) == sorted(o["id"] for o in placed)


def test_updated_since_skips_older_orders(shop, sandbox):
    old = place(sandbox, shop, 3)
    sandbox.advance_clock(120)
    new = place(sandbox, shop, 2)
    since = shop.client.orders.get(old[-1]["id"]).updated_date + timedelta(seconds=1)
    found = [
        o.id
        for p in shop.client.orders.iter_pages(statuses=["APPROVED"], updated_since=since)
        for o in p.orders
    ]
    assert sorted(found) == sorted(o["id"] for o in new)


def test_pickup_order_is_recognised(shop, sandbox):
    [order] = place(sandbox, shop, 1, pickup=True)
    got = shop.client.orders.get(order["id"])
    assert got.is_pickup
    assert got.line_items[0].sku == "MUG"


def test_fulfillment_with_tracking_updates_the_order(shop, sandbox):
    order = sandbox.place_order(shop.site_id, lines=[{"sku": "MUG", "quantity": 2}])
    line = shop.client.orders.get(order["id"]).line_items[0]
    fid = shop.client.fulfillments.create(
        order["id"], line_items=[(line.id, 1)], tracking_number="1Z999", shipping_provider="ups"
    )
    [fulfillment] = shop.client.fulfillments.list(order["id"])
    assert (fulfillment.id, fulfillment.tracking_number) == (fid, "1Z999")
    assert fulfillment.line_items == [(line.id, 1)]
    assert shop.client.orders.get(order["id"]).fulfillment_status == "PARTIALLY_FULFILLED"
    with pytest.raises(WixConflict) as info:
        shop.client.fulfillments.create(
            order["id"],
            line_items=[(line.id, 1)],
            tracking_number="1Z999",
            shipping_provider="ups",
        )
    assert info.value.code == "TRACKING_NUMBER_ALREADY_EXISTS"
    shop.client.fulfillments.create(
        order["id"],
        line_items=[(line.id, 1)],
        tracking_number="CUST-7",
        shipping_provider="Local courier",
        tracking_link="https://courier.test/CUST-7",
    )
    assert shop.client.orders.get(order["id"]).fulfillment_status == "FULFILLED"
    links = {f.tracking_number: f.tracking_link for f in shop.client.fulfillments.list(order["id"])}
    assert links["CUST-7"] == "https://courier.test/CUST-7"
    assert links["1Z999"]  # Wix generates the link for known providers


def test_server_errors_on_search_are_retried(shop, sandbox):
    place(sandbox, shop, 2)
    shop.client.transport.retry = type(shop.client.transport.retry)(backoff_base=0.01)
    sandbox.burst("/ecom/v1/orders/search", 503, 2)
    pages = list(shop.client.orders.iter_pages(statuses=["APPROVED"], updated_since=None))
    assert len(pages[0].orders) == 2


def test_rate_limit_with_retry_after_is_honoured(shop, sandbox):
    place(sandbox, shop, 1)
    shop.client.transport.retry = type(shop.client.transport.retry)(backoff_base=0.01)
    sandbox.burst("/ecom/v1/orders/search", 429, 1)
    pages = list(shop.client.orders.iter_pages(statuses=["APPROVED"], updated_since=None))
    assert len(pages[0].orders) == 1


def test_create_fulfillment_is_not_repeated_on_server_error(shop, sandbox):
    [order] = place(sandbox, shop, 1)
    line = shop.client.orders.get(order["id"]).line_items[0]
    sandbox.burst("/ecom/v1/fulfillments", 500, 1, method="POST")
    with pytest.raises(WixServerError):
        shop.client.fulfillments.create(
            order["id"],
            line_items=[(line.id, 1)],
            tracking_number="X1",
            shipping_provider="ups",
        )
    assert shop.client.fulfillments.list(order["id"]) == []


def test_automation_request_names_the_order(shop, sandbox, webhook_listener):
    sandbox.add_automation(shop.site_id, webhook_listener.url)
    [order] = place(sandbox, shop, 1)
    [received] = webhook_listener.wait_for(1)
    event = parse_automation_request(received.json())
    assert event.entity_id == order["id"]
    assert shop.client.orders.get(event.entity_id).number == order["number"]


def test_app_webhook_verifies_with_the_app_public_key(connect, sandbox, webhook_listener):
    wix = connect("V3_CATALOG")
    sandbox.register_app(
        app_id=wix.app.app_id, app_secret=wix.app.app_secret, webhook_url=webhook_listener.url
    )
    public_key = sandbox.public_key(wix.app.app_id)
    sandbox.add_product(wix.site_id, name="Mug", price=12, sku="MUG", quantity=5)
    order = sandbox.place_order(wix.site_id, lines=[{"sku": "MUG", "quantity": 1}])
    sandbox.wait_for_deliveries()
    received = webhook_listener.wait_for(2)
    events = [
        verify_app_webhook(r.body, public_key, expected_instance_id=wix.install["instanceId"])
        for r in received
    ]
    created = [e for e in events if e.event_type == "wix.ecom.v1.order_created"]
    assert created and created[0].entity_id == order["id"]
    assert created[0].order["number"] == order["number"]

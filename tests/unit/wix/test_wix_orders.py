"""Orders search paging (cursor, resumable, no filter with a cursor) and fulfillments."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime

import pytest
import requests
import responses

from tests.unit.wix import wix_samples as s
from tests.unit.wix.conftest import BASE
from wixoms.wix import WixConflict, WixServerError, WixValidationError

SEARCH = f"{BASE}/ecom/v1/orders/search"


def page(ids, next_cursor=None, has_next=None):
    return {
        "orders": [s.order(id=i, number=i) for i in ids],
        "metadata": {
            "count": len(ids),
            "cursors": {"next": next_cursor} if next_cursor else {},
            "hasNext": bool(next_cursor) if has_next is None else has_next,
        },
    }


def sent(call) -> dict:
    return json.loads(call.request.body)


def test_first_page_filters_by_status_and_updated_since_sorted_ascending(mocked, make_client):
    mocked.post(SEARCH, json=page(["a"]))
    pages = list(
        make_client().orders.iter_pages(
            statuses=["PENDING", "APPROVED"], updated_since=datetime(2024, 1, 1, tzinfo=UTC)
        )
    )
    assert [o.id for o in pages[0].orders] == ["a"]
    assert sent(mocked.calls[0]) == {
        "search": {
            "filter": {
                "status": {"$in": ["APPROVED", "PENDING"]},
                "updatedDate": {"$gte": "2024-01-01T00:00:00.000Z"},
            },
            "sort": [{"fieldName": "updatedDate", "order": "ASC"}],
            "cursorPaging": {"limit": 100},
        }
    }


def test_search_always_names_its_statuses(make_client):
    """Without a status filter Wix leaves PENDING and REJECTED out (wix-api.md §10)."""
    with pytest.raises(ValueError, match="status"):
        make_client().orders.search_body(statuses=[], updated_since=None, cursor=None)


def test_next_pages_send_only_the_cursor(mocked, make_client):
    mocked.post(SEARCH, json=page(["a", "b"], "c1"))
    mocked.post(SEARCH, json=page(["c"], "c2"))
    mocked.post(SEARCH, json=page(["d"]))
    pages = list(make_client().orders.iter_pages(statuses=["APPROVED"], updated_since=None))
    assert [[o.id for o in p.orders] for p in pages] == [["a", "b"], ["c"], ["d"]]
    assert [p.next_cursor for p in pages] == ["c1", "c2", None]
    assert [p.has_next for p in pages] == [True, True, False]
    assert sent(mocked.calls[1]) == {"search": {"cursorPaging": {"limit": 100, "cursor": "c1"}}}
    assert sent(mocked.calls[2]) == {"search": {"cursorPaging": {"limit": 100, "cursor": "c2"}}}


def test_iteration_resumes_from_a_stored_cursor(mocked, make_client):
    mocked.post(SEARCH, json=page(["x"]))
    pages = list(
        make_client().orders.iter_pages(statuses=["APPROVED"], updated_since=None, cursor="saved")
    )
    assert [o.id for o in pages[0].orders] == ["x"]
    assert sent(mocked.calls[0]) == {"search": {"cursorPaging": {"limit": 100, "cursor": "saved"}}}


def test_paging_stops_when_has_next_is_false_even_with_a_cursor(mocked, make_client):
    mocked.post(SEARCH, json=page(["a"], "c1", has_next=False))
    assert (
        len(list(make_client().orders.iter_pages(statuses=["APPROVED"], updated_since=None))) == 1
    )


def test_page_size_follows_the_plan(mocked, make_client):
    from wixoms.wix import ThroughputPlan

    plan = ThroughputPlan("t", "t", 60, 10, orders_page_size=25)
    mocked.post(SEARCH, json=page([]))
    list(make_client(plan=plan).orders.iter_pages(statuses=["APPROVED"], updated_since=None))
    assert sent(mocked.calls[0])["search"]["cursorPaging"]["limit"] == 25


def test_pages_stream_at_most_one_page_ahead(mocked, make_client):
    mocked.post(SEARCH, json=page(["a"], "c1"))
    mocked.post(SEARCH, json=page(["b"], "c2"))
    mocked.post(SEARCH, json=page(["c"]))
    pages = make_client().orders.iter_pages(statuses=["APPROVED"], updated_since=None)
    next(pages)
    time.sleep(0.2)
    assert len(mocked.calls) == 2
    pages.close()


def test_without_prefetch_nothing_is_fetched_ahead(mocked, make_client):
    mocked.post(SEARCH, json=page(["a"], "c1"))
    mocked.post(SEARCH, json=page(["b"]))
    client = make_client()
    client.orders.prefetch = False
    next(client.orders.iter_pages(statuses=["APPROVED"], updated_since=None))
    assert len(mocked.calls) == 1


def test_an_error_fetching_the_next_page_surfaces_after_the_current_page(mocked, make_client):
    mocked.post(SEARCH, json=page(["a"], "c1"))
    mocked.post(SEARCH, status=400, json={"message": "bad cursor"})
    pages = make_client().orders.iter_pages(statuses=["APPROVED"], updated_since=None)
    assert next(pages).orders[0].id == "a"
    with pytest.raises(WixValidationError):
        next(pages)


def test_search_is_retried_after_5xx(mocked, make_client):
    mocked.post(SEARCH, status=503)
    mocked.post(SEARCH, json=page(["a"]))
    pages = list(make_client().orders.iter_pages(statuses=["APPROVED"], updated_since=None))
    assert pages[0].orders[0].id == "a"


def test_get_reads_one_order(mocked, make_client):
    mocked.get(
        f"{BASE}/ecom/v1/orders/o-1", json={"order": s.order(id="o-1", status="INITIALIZED")}
    )
    o = make_client().orders.get("o-1")
    assert (o.id, o.status) == ("o-1", "INITIALIZED")


CREATE = f"{BASE}/ecom/v1/fulfillments/orders/o-1/create-fulfillment"
LIST = f"{BASE}/ecom/v1/fulfillments/orders/o-1"


def test_create_fulfillment_sends_lines_and_tracking_and_returns_its_id(mocked, make_client):
    mocked.post(
        CREATE,
        json={
            "fulfillmentId": "f-1",
            "orderWithFulfillments": {"orderId": "o-1", "fulfillments": []},
        },
        match=[
            responses.matchers.json_params_matcher(
                {
                    "orderId": "o-1",
                    "fulfillment": {
                        "lineItems": [{"id": "li-1", "quantity": 2}],
                        "trackingInfo": {
                            "trackingNumber": "1Z9",
                            "shippingProvider": "custom",
                            "trackingLink": "https://track.test/1Z9",
                        },
                    },
                }
            )
        ],
    )
    fid = make_client().fulfillments.create(
        "o-1",
        line_items=[("li-1", 2)],
        tracking_number="1Z9",
        shipping_provider="custom",
        tracking_link="https://track.test/1Z9",
    )
    assert fid == "f-1"


def test_known_provider_omits_the_link(mocked, make_client):
    mocked.post(CREATE, json={"fulfillmentId": "f-2"})
    make_client().fulfillments.create(
        "o-1", line_items=[("li-1", 1)], tracking_number="1", shipping_provider="ups"
    )
    assert "trackingLink" not in sent(mocked.calls[0])["fulfillment"]["trackingInfo"]


def test_create_fulfillment_is_not_repeated_after_5xx(mocked, make_client):
    mocked.post(CREATE, status=500)
    mocked.get(LIST, json={"orderWithFulfillments": {"orderId": "o-1", "fulfillments": []}})
    client = make_client()
    with pytest.raises(WixServerError):
        client.fulfillments.create(
            "o-1", line_items=[("li-1", 1)], tracking_number="1", shipping_provider="ups"
        )
    # one create, then one look at the order's fulfillments: nothing there, so it failed
    assert [c.request.method for c in mocked.calls] == ["POST", "GET"]


def test_a_lost_create_fulfillment_answer_is_recovered_from_the_orders_fulfillments(
    mocked, make_client
):
    """§10: list the order's fulfillments after a lost response (here: timeout)."""
    mocked.post(CREATE, body=requests.ReadTimeout("answer lost"))
    mocked.get(
        LIST,
        json={
            "orderWithFulfillments": {
                "orderId": "o-1",
                "fulfillments": [
                    {"id": "f-old", "lineItems": [{"id": "li-0", "quantity": 1}],
                     "trackingInfo": {"trackingNumber": "0", "shippingProvider": "ups"}},
                    {"id": "f-made", "lineItems": [{"id": "li-1", "quantity": 1}],
                     "trackingInfo": {"trackingNumber": "1Z1", "shippingProvider": "ups"}},
                ],
            }
        },
        match=[responses.matchers.query_param_matcher({"orderId": "o-1"})],
    )  # fmt: skip
    client = make_client()
    fid = client.fulfillments.create(
        "o-1", line_items=[("li-1", 1)], tracking_number="1Z1", shipping_provider="ups"
    )
    assert fid == "f-made"
    assert [c.request.method for c in mocked.calls] == ["POST", "GET"]


def test_duplicate_tracking_number_is_a_conflict_with_its_code(mocked, make_client):
    mocked.post(
        CREATE,
        status=409,
        json={
            "message": "dup",
            "details": {
                "applicationError": {"code": "TRACKING_NUMBER_ALREADY_EXISTS", "description": "dup"}
            },
        },
    )
    with pytest.raises(WixConflict) as info:
        make_client().fulfillments.create(
            "o-1", line_items=[("li-1", 1)], tracking_number="1", shipping_provider="ups"
        )
    assert info.value.code == "TRACKING_NUMBER_ALREADY_EXISTS"


def test_list_fulfillments(mocked, make_client):
    mocked.get(
        f"{BASE}/ecom/v1/fulfillments/orders/o-1",
        json={
            "orderWithFulfillments": {
                "orderId": "o-1",
                "fulfillments": [
                    {
                        "id": "f-1",
                        "lineItems": [{"id": "li-1", "quantity": 1}],
                        "trackingInfo": {"trackingNumber": "1", "shippingProvider": "ups"},
                    }
                ],
            }
        },
    )
    [f] = make_client().fulfillments.list("o-1")
    assert (f.id, f.tracking_number) == ("f-1", "1")

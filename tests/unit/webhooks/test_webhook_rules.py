"""Pure rules of the webhooks package: rate limit, backoff, dedupe keys, site ids, ignoring."""

from __future__ import annotations

import pytest

from wixoms.models import Channel, WebhookEvent
from wixoms.webhooks.deliveries import type_label
from wixoms.webhooks.process import MAX_ATTEMPTS, RETRY_MAX_S, backoff_seconds, ignore_reason
from wixoms.webhooks.ratelimit import TokenBucketLimiter
from wixoms.webhooks.receive import dedupe_key, kept_headers
from wixoms.webhooks.verify import _is_json, site_id_in
from wixoms.wix import parse_automation_request


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_limiter_allows_a_burst_then_the_rate():
    clock = FakeClock()
    limiter = TokenBucketLimiter(rate=2, burst=3, clock=clock)
    assert [limiter.acquire("t") for _ in range(3)] == [0.0, 0.0, 0.0]
    assert limiter.acquire("t") == pytest.approx(0.5)
    clock.now += 0.5
    assert limiter.acquire("t") == 0.0
    assert limiter.acquire("t") > 0


def test_limiter_keeps_one_budget_per_key():
    limiter = TokenBucketLimiter(rate=1, burst=1, clock=FakeClock())
    assert limiter.acquire("a") == 0.0
    assert limiter.acquire("a") > 0
    assert limiter.acquire("b") == 0.0


def test_limiter_forgets_the_least_recent_keys_beyond_its_size():
    limiter = TokenBucketLimiter(rate=0.001, burst=1, max_keys=2, clock=FakeClock())
    for key in ("a", "b", "c"):
        assert limiter.acquire(key) == 0.0
    # "a" was evicted, so it starts with a full bucket again; "c" is still remembered.
    assert limiter.acquire("a") == 0.0
    assert limiter.acquire("c") > 0


def test_backoff_doubles_caps_and_honours_retry_after():
    assert [backoff_seconds(n) for n in (1, 2, 3, 4)] == [2.0, 4.0, 8.0, 16.0]
    assert backoff_seconds(30) == RETRY_MAX_S
    assert backoff_seconds(1, retry_after=60) == 60
    assert MAX_ATTEMPTS >= 3


def test_automation_dedupe_key_is_order_type_and_updated_date():
    event = parse_automation_request(
        {"data": {"order": {"id": "o-1", "updatedDate": "2026-01-02T03:04:05.000Z"}}}
    )
    assert dedupe_key(event) == "automation:o-1:automation.order_placed:2026-01-02T03:04:05.000Z"
    later = parse_automation_request(
        {"data": {"order": {"id": "o-1", "updatedDate": "2026-01-02T03:09:00.000Z"}}}
    )
    assert dedupe_key(later) != dedupe_key(event)


def test_automation_without_updated_date_dedupes_on_the_order():
    event = parse_automation_request({"orderId": "o-2"})
    assert dedupe_key(event) == "automation:o-2:automation.order_placed:"


@pytest.mark.parametrize(
    ("payload", "headers", "expected"),
    [
        ({"data": {"order": {"id": "o"}}}, {}, None),
        ({"siteId": "s-1"}, {}, "s-1"),
        ({"data": {"metaSiteId": "s-2"}}, {}, "s-2"),
        ({"data": {"order": {"id": "o", "siteId": "s-3"}}}, {}, "s-3"),
        ({"data": {"order": {"id": "o"}}}, {"X-Wix-Site-Id": "s-4"}, "s-4"),
        ({"siteId": ""}, {}, None),
    ],
)
def test_site_id_is_read_where_wix_may_put_it(payload, headers, expected):
    assert site_id_in(payload, headers) == expected


@pytest.mark.parametrize(
    ("content_type", "ok"),
    [
        ("application/json", True),
        ("application/json; charset=utf-8", True),
        ("application/vnd.wix+json", True),
        ("text/plain", False),
        ("", False),
    ],
)
def test_json_content_types(content_type, ok):
    assert _is_json(content_type) is ok


def test_only_useful_headers_are_kept():
    kept = kept_headers(
        {
            "Content-Type": "application/json",
            "Cookie": "x",
            "X-Wix-Event": "e",
            "Authorization": "t",
        }
    )
    assert kept == {"Content-Type": "application/json", "X-Wix-Event": "e"}


def _channel(**values) -> Channel:
    defaults = {"is_active": True, "channel_mode": "webhooks"}
    return Channel(**{**defaults, **values})


def _event(**values) -> WebhookEvent:
    defaults = {
        "order_external_id": "o-1",
        "event_type": "wix.ecom.v1.order_created",
        "endpoint_id": 1,
    }
    return WebhookEvent(**{**defaults, **values})


@pytest.mark.parametrize(
    ("channel", "event", "reason"),
    [
        (_channel(), _event(), None),
        (None, _event(), "deleted"),
        (_channel(is_active=False), _event(), "not active"),
        (_channel(channel_mode="scheduled"), _event(), "Scheduled polling, not Webhooks"),
        (_channel(channel_mode="manual"), _event(), "Manual, not Webhooks"),
        (_channel(), _event(order_external_id="", event_type="AppInstalled"), "Not an order"),
        (_channel(), _event(event_type="wix.ecom.v1.order_deleted"), "deleted in Wix"),
        # App webhooks routed by instance (no endpoint): real time with no setup at all.
        (_channel(channel_mode="scheduled"), _event(endpoint_id=None), None),
        (_channel(channel_mode="manual"), _event(endpoint_id=None), "Manual, not Webhooks"),
        (_channel(is_active=False), _event(endpoint_id=None), None),  # freshly connected
    ],
)
def test_ignore_reasons(channel, event, reason):
    found = ignore_reason(event, channel)
    if reason is None:
        assert found is None
    else:
        assert reason in found


def test_event_type_labels():
    assert type_label("wix.ecom.v1.order_created") == "Order created"
    assert type_label("automation.order_placed") == "Order placed (Automation)"
    assert type_label("com.wix.ecommerce.catalog.api.v1.ProductChanged") == "ProductChanged"

"""Retries, backoff, Retry-After, timeouts, rate limiting and safe logging."""

from __future__ import annotations

import logging
import threading

import pytest
import requests
import responses

from tests.unit.wix.conftest import BASE, FakeClock
from wixoms.wix import (
    PLANS,
    RateLimiter,
    RetryPolicy,
    WixRateLimited,
    WixServerError,
    WixUnavailable,
)
from wixoms.wix.transport import RateLimiterRegistry, Transport, parse_retry_after

ORDER_URL = f"{BASE}/ecom/v1/orders/o-1"
CREATE_URL = f"{BASE}/stores/v1/products"


def transport(clock: FakeClock, **kw) -> Transport:
    kw.setdefault("retry", RetryPolicy(max_attempts=4, backoff_base=0.5, backoff_max=8))
    return Transport(BASE, sleep=clock.sleep, rng=lambda: 1.0, **kw)


def test_get_is_retried_after_5xx_then_succeeds(mocked, clock):
    mocked.get(ORDER_URL, status=503)
    mocked.get(ORDER_URL, status=500)
    mocked.get(ORDER_URL, json={"order": {"id": "o-1"}})
    t = transport(clock)
    assert t.request("GET", "/ecom/v1/orders/o-1") == {"order": {"id": "o-1"}}
    assert t.calls == 3
    assert clock.sleeps == [0.5, 1.0]  # exponential: base·2^(n-1), jitter at its top


def test_a_5xx_with_wixs_empty_message_body_is_retried_like_an_empty_one(mocked, clock):
    """wix-api.md §10: a 5xx body may be {"message":"","details":{}} instead of empty."""
    mocked.get(ORDER_URL, status=500, json={"message": "", "details": {}})
    mocked.get(ORDER_URL, json={"order": {"id": "o-1"}})
    assert transport(clock).request("GET", "/ecom/v1/orders/o-1") == {"order": {"id": "o-1"}}


def test_backoff_is_capped_and_jittered():
    policy = RetryPolicy(backoff_base=1, backoff_max=4)
    assert policy.delay(10, None, lambda: 1.0) == 4
    assert policy.delay(10, None, lambda: 0.0) == 2
    assert policy.delay(1, None, lambda: 0.5) == pytest.approx(0.75)


def test_gives_up_after_max_attempts_with_server_error(mocked, clock):
    mocked.get(ORDER_URL, status=502)
    t = transport(clock)
    with pytest.raises(WixServerError) as info:
        t.request("GET", "/ecom/v1/orders/o-1")
    assert info.value.status == 502
    assert t.calls == 4


def test_create_is_not_retried_after_5xx(mocked, clock):
    mocked.post(CREATE_URL, status=500)
    t = transport(clock)
    with pytest.raises(WixServerError):
        t.request("POST", "/stores/v1/products", json={"product": {}})
    assert t.calls == 1
    assert clock.sleeps == []


def test_read_only_post_marked_safe_is_retried(mocked, clock):
    mocked.post(f"{BASE}/ecom/v1/orders/search", status=504)
    mocked.post(f"{BASE}/ecom/v1/orders/search", json={"orders": []})
    t = transport(clock)
    body = t.request("POST", "/ecom/v1/orders/search", json={}, safe_to_retry=True)
    assert body == {"orders": []}
    assert t.calls == 2


def test_429_is_retried_even_for_a_create_and_honours_retry_after(mocked, clock):
    mocked.post(CREATE_URL, status=429, headers={"Retry-After": "7"}, json={"message": "x"})
    mocked.post(CREATE_URL, json={"product": {"id": "p"}})
    t = transport(clock)
    assert t.request("POST", "/stores/v1/products", json={}) == {"product": {"id": "p"}}
    assert clock.sleeps == [7.0]


def test_429_without_retry_after_backs_off_on_its_own(mocked, clock):
    mocked.get(ORDER_URL, status=429)
    mocked.get(ORDER_URL, json={})
    t = transport(clock)
    t.request("GET", "/ecom/v1/orders/o-1")
    assert clock.sleeps == [0.5]


def test_repeated_429_ends_in_rate_limited_error(mocked, clock):
    mocked.get(ORDER_URL, status=429, headers={"Retry-After": "2"})
    t = transport(clock)
    with pytest.raises(WixRateLimited) as info:
        t.request("GET", "/ecom/v1/orders/o-1")
    assert info.value.retry_after == 2.0
    assert clock.sleeps == [2.0, 2.0, 2.0]


def test_retry_after_on_503_is_honoured(mocked, clock):
    mocked.get(ORDER_URL, status=503, headers={"Retry-After": "3"})
    mocked.get(ORDER_URL, json={})
    transport(clock).request("GET", "/ecom/v1/orders/o-1")
    assert clock.sleeps == [3.0]


def test_retry_after_is_capped(mocked, clock):
    mocked.get(ORDER_URL, status=429, headers={"Retry-After": "100000"})
    mocked.get(ORDER_URL, json={})
    transport(clock, retry=RetryPolicy(max_retry_after=60)).request("GET", "/ecom/v1/orders/o-1")
    assert clock.sleeps == [60]


def test_retry_after_accepts_http_dates():
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:10 GMT", now=1445412480.0) == 10.0
    assert parse_retry_after("soon") is None
    assert parse_retry_after(None) is None


def test_connection_errors_on_get_retry_then_raise_unavailable(mocked, clock):
    mocked.get(ORDER_URL, body=requests.ConnectionError("reset"))
    t = transport(clock)
    with pytest.raises(WixUnavailable) as info:
        t.request("GET", "/ecom/v1/orders/o-1")
    assert t.calls == 4
    assert "Wix could not be reached" in info.value.user_message


def test_read_timeout_on_a_create_is_not_repeated(mocked, clock):
    mocked.post(CREATE_URL, body=requests.ReadTimeout("slow"))
    t = transport(clock)
    with pytest.raises(WixUnavailable):
        t.request("POST", "/stores/v1/products", json={})
    assert t.calls == 1


def test_connect_timeout_is_repeated_even_for_a_create(mocked, clock):
    mocked.post(CREATE_URL, body=requests.ConnectTimeout("never connected"))
    mocked.post(CREATE_URL, json={"product": {"id": "p"}})
    t = transport(clock)
    assert t.request("POST", "/stores/v1/products", json={}) == {"product": {"id": "p"}}


def test_timeouts_are_passed_to_requests(clock, monkeypatch):
    seen = {}

    def fake_request(self, method, url, **kw):
        seen.update(kw)
        raise requests.ConnectTimeout()

    monkeypatch.setattr(requests.Session, "request", fake_request)
    t = transport(clock, timeout=(2, 9), retry=RetryPolicy(max_attempts=1))
    with pytest.raises(WixUnavailable):
        t.request("GET", "/x")
    assert seen["timeout"] == (2, 9)


def test_logs_method_path_status_but_no_token_query_or_body(mocked, clock, caplog):
    mocked.post(
        f"{BASE}/ecom/v1/orders/search", json={"orders": [{"buyerInfo": {"email": "a@b.c"}}]}
    )
    caplog.set_level(logging.DEBUG, logger="wixoms.wix")
    transport(clock).request(
        "POST",
        "/ecom/v1/orders/search?access_token=leak",
        json={"email": "buyer@example.com"},
        headers={"Authorization": "SECRET-TOKEN"},
    )
    text = caplog.text
    assert "POST /ecom/v1/orders/search" in text and "200" in text
    for secret in ("SECRET-TOKEN", "leak", "buyer@example.com", "a@b.c"):
        assert secret not in text


def test_authorization_header_is_sent_raw(mocked, clock):
    mocked.get(
        ORDER_URL, json={}, match=[responses.matchers.header_matcher({"Authorization": "T"})]
    )
    transport(clock).request("GET", "/ecom/v1/orders/o-1", headers={"Authorization": "T"})


# --- rate limiter -------------------------------------------------------------------------


def test_bucket_lets_burst_through_then_paces_at_the_rate(clock):
    limiter = RateLimiter(2.0, 3, clock=clock, sleep=clock.sleep)
    for _ in range(3):
        assert limiter.acquire() == 0
    assert limiter.acquire() == pytest.approx(0.5)
    assert limiter.acquire() == pytest.approx(0.5)
    clock.now += 10  # idle: refills to the burst, not beyond
    assert [limiter.acquire() for _ in range(4)] == [0, 0, 0, pytest.approx(0.5)]


def test_plan_rate_holds_over_a_minute(clock):
    plan = PLANS["standard"]
    limiter = RateLimiter.for_plan(plan, clock=clock, sleep=clock.sleep)
    start = clock.now
    sent = 0
    while clock.now - start < 60:
        limiter.acquire()
        sent += 1
    assert sent <= plan.requests_per_minute + plan.burst <= 200
    assert sent >= plan.requests_per_minute


def test_penalize_empties_the_bucket(clock):
    limiter = RateLimiter(1.0, 5, clock=clock, sleep=clock.sleep)
    limiter.penalize()
    assert limiter.acquire() == pytest.approx(1.0)


def test_limiter_is_thread_safe(clock):
    limiter = RateLimiter(1.0, 50, clock=clock, sleep=lambda s: None)
    granted = []

    def take():
        for _ in range(10):
            if limiter.try_acquire() == 0:
                granted.append(1)

    threads = [threading.Thread(target=take) for _ in range(10)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert len(granted) == 50


def test_registry_shares_one_limiter_per_instance_and_follows_plan_changes():
    registry = RateLimiterRegistry()
    a = registry.get("inst-1", PLANS["starter"])
    assert registry.get("inst-1", PLANS["starter"]) is a
    assert registry.get("inst-2", PLANS["starter"]) is not a
    registry.get("inst-1", PLANS["pro"])
    assert a.rate == PLANS["pro"].requests_per_second
    assert a.burst == PLANS["pro"].burst


def test_transport_waits_for_the_limiter(mocked, clock):
    mocked.get(ORDER_URL, json={})
    limiter = RateLimiter(1.0, 1, clock=clock, sleep=clock.sleep)
    t = transport(clock, rate_limiter=limiter)
    t.request("GET", "/ecom/v1/orders/o-1")
    t.request("GET", "/ecom/v1/orders/o-1")
    assert clock.sleeps == [pytest.approx(1.0)]


def test_clients_of_one_instance_share_the_rate_limiter(oauth_app):
    from wixoms.wix import WixClient

    a = WixClient(oauth_app, instance_id="shared", credentials=None)
    b = WixClient(oauth_app, instance_id="shared", credentials=None)
    c = WixClient(oauth_app, instance_id="other", credentials=None)
    assert a.transport.rate_limiter is b.transport.rate_limiter
    assert a.transport.rate_limiter is not c.transport.rate_limiter
    for client in (a, b, c):
        client.close()

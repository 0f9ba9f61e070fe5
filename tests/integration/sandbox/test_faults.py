"""Every fault switch and counter of the control API is observable over HTTP."""

from __future__ import annotations

import time

import pytest
import requests


@pytest.fixture
def wix(connect, sandbox):
    connected = connect()
    sandbox.add_product(connected.site["id"], name="Tee", price=5)
    return connected


def search(wix) -> requests.Response:
    return wix.post("/ecom/v1/orders/search", {"search": {}})


def test_latency_with_jitter_slows_every_call(wix, sandbox):
    sandbox.set_faults(latency_ms=150, jitter_ms=20)
    started = time.perf_counter()
    assert search(wix).status_code == 200
    assert time.perf_counter() - started >= 0.12
    sandbox.clear_faults()
    started = time.perf_counter()
    search(wix)
    assert time.perf_counter() - started < 0.12


def test_error_rate_gives_5xx_with_empty_body(wix, sandbox):
    sandbox.set_faults(error_rate=1.0, error_statuses=[503])
    response = search(wix)
    assert response.status_code == 503 and response.content == b""
    sandbox.set_faults(error_rate=0.5, error_statuses=[500])
    statuses = {search(wix).status_code for _ in range(40)}
    assert statuses == {200, 500}


def test_default_rate_limit_is_200_per_minute_per_instance(wix, sandbox, connect):
    statuses = [wix.get("/stores/v3/provision/version").status_code for _ in range(201)]
    assert statuses[:200] == [200] * 200
    assert statuses[200] == 429
    limited = wix.get("/stores/v3/provision/version")
    assert limited.json()["details"]["applicationError"]["code"] == "RESOURCE_EXHAUSTED"
    assert "Retry-After" not in limited.headers
    other = connect(name="Other site")
    assert other.get("/stores/v3/provision/version").status_code == 200  # per instance
    sandbox.advance_clock(61)
    assert wix.get("/stores/v3/provision/version").status_code == 200


def test_retry_after_is_sent_only_when_configured(wix, sandbox):
    sandbox.set_faults(rate_limit_per_minute=1, retry_after=7)
    assert search(wix).status_code == 200
    limited = search(wix)
    assert limited.status_code == 429 and limited.headers["Retry-After"] == "7"


def test_rate_limit_per_second(wix, sandbox):
    sandbox.set_faults(rate_limit_per_second=3)
    statuses = [search(wix).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    sandbox.set_faults(rate_limit_per_minute=None, rate_limit_per_second=None)
    assert all(search(wix).status_code == 200 for _ in range(5))


def test_burst_answers_next_n_matching_requests(wix, sandbox):
    sandbox.set_faults(retry_after=2)
    sandbox.burst("/ecom/v1/orders", 429, count=2)
    instance = wix.get("/apps/v1/instance")
    assert instance.status_code == 200  # other paths untouched
    first, second, third = search(wix), search(wix), search(wix)
    assert (first.status_code, second.status_code, third.status_code) == (429, 429, 200)
    assert first.headers["Retry-After"] == "2"
    sandbox.burst("/ecom/v1/orders", 503, count=1)
    failed = search(wix)
    assert failed.status_code == 503 and failed.content == b""


def client_credentials(wix, sandbox_server) -> requests.Response:
    """POST /oauth2/token for the test app's instance, as the wixoms client would."""
    return requests.post(
        sandbox_server.url + "/oauth2/token",
        json={
            "grant_type": "client_credentials",
            "client_id": wix.app["appId"],
            "client_secret": wix.app["appSecret"],
            "instance_id": wix.instance_id,
        },
        timeout=10,
    )


def test_expire_tokens_makes_calls_401_until_a_new_token(wix, sandbox, sandbox_server):
    assert sandbox.expire_tokens() >= 1
    assert search(wix).status_code == 401
    token = client_credentials(wix, sandbox_server).json()["access_token"]
    assert wix.post("/ecom/v1/orders/search", {}).status_code == 401
    wix.http.headers["Authorization"] = token
    assert search(wix).status_code == 200


def test_token_lifetime_is_configurable(wix, sandbox, sandbox_server):
    sandbox.config(oauth2_token_ttl=60)
    body = client_credentials(wix, sandbox_server).json()
    assert body["expires_in"] == 60
    wix.http.headers["Authorization"] = body["access_token"]
    assert search(wix).status_code == 200
    sandbox.advance_clock(61)
    assert search(wix).status_code == 401


def test_revoked_app_gets_401_and_no_new_tokens(wix, sandbox, sandbox_server):
    sandbox.remove_app(wix.instance_id)
    assert search(wix).status_code == 401
    response = client_credentials(wix, sandbox_server)
    assert response.status_code == 400 and response.json()["error"] == "invalid_grant"


def test_counters_per_endpoint_and_per_site(wix, sandbox, connect):
    sandbox.reset_counters()
    search(wix)
    search(wix)
    wix.get("/apps/v1/instance")
    other = connect(name="Other")
    sandbox.reset_counters()
    search(wix)
    search(wix)
    wix.get("/apps/v1/instance")
    other.post("/ecom/v1/orders/search", {})
    order_id = "abc"
    wix.get(f"/ecom/v1/orders/{order_id}")
    counters = sandbox.counters()
    assert counters["endpoints"]["POST /ecom/v1/orders/search"] == 3
    assert counters["endpoints"]["GET /ecom/v1/orders/{order_id}"] == 1
    assert counters["sites"][wix.site["id"]]["POST /ecom/v1/orders/search"] == 2
    assert counters["sites"][other.site["id"]] == {"POST /ecom/v1/orders/search": 1}
    assert counters["total"] == 5
    sandbox.reset_counters()
    assert sandbox.counters()["total"] == 0


def test_faults_reject_unknown_switches(sandbox):
    with pytest.raises(Exception, match="unknown fault"):
        sandbox.set_faults(explode=True)


def test_webhook_drop_duplicate_and_delay(wix, sandbox, webhook_listener):
    sandbox.add_automation(wix.site["id"], webhook_listener.url)
    sandbox.set_faults(webhook_drop_rate=1.0)
    sandbox.place_order(wix.site["id"])
    deliveries = sandbox.wait_for_deliveries()
    assert [d["status"] for d in deliveries] == ["dropped"]
    assert webhook_listener.received == []

    sandbox.clear_deliveries()
    sandbox.set_faults(webhook_drop_rate=0.0, webhook_duplicate_rate=1.0)
    order = sandbox.place_order(wix.site["id"])
    received = webhook_listener.wait_for(2)
    assert len(received) == 2
    assert [r.json()["data"]["order"]["id"] for r in received] == [order["id"], order["id"]]

    sandbox.clear_deliveries()
    sandbox.set_faults(webhook_duplicate_rate=0.0, webhook_delay_ms=400)
    started = time.monotonic()
    sandbox.place_order(wix.site["id"])
    webhook_listener.wait_for(3)
    assert time.monotonic() - started >= 0.35


def test_reset_restores_settings_faults_and_clock(sandbox):
    start = sandbox.config()
    sandbox.config(oauth2_token_ttl=5)
    sandbox.set_faults(latency_ms=5, rate_limit_per_minute=1)
    sandbox.advance_clock(100)
    sandbox.reset()
    assert sandbox.config() == start
    faults = sandbox.faults()
    assert faults["latency_ms"] == 0 and faults["rate_limit_per_minute"] == 200

"""Wix's deliveries are answered before Flask builds a request (webhooks/intake_wsgi.py).

What a delivery gets must not change for it: the same JSON, the same security headers, a plain
500 that hides the cause, and every other /hooks URL (the merchant's Replay, with CSRF) still
handled by Flask.
"""

from __future__ import annotations

import logging

import pytest

from tests.integration.webhooks.test_webhook_receive import automation_body, post_json
from wixoms.views.security_headers import HEADERS
from wixoms.webhooks import receive as inbox
from wixoms.webhooks.intake_wsgi import delivery_target


@pytest.mark.parametrize(
    ("method", "path", "target"),
    [
        ("POST", "/hooks/abc", ("token", "abc")),
        ("POST", "/hooks/wix", ("app", None)),
        ("POST", "/hooks/wix/app-1", ("app", "app-1")),
        ("GET", "/hooks/abc", None),
        ("POST", "/hooks/", None),
        ("POST", "/hooks/abc/", None),
        ("POST", "/hooks/wix/", None),
        ("POST", "/hooks/events/5/replay", None),
        ("POST", "/hooksabc", None),
        ("POST", "/login", None),
    ],
)
def test_only_the_three_delivery_urls_skip_flask(method, path, target):
    assert delivery_target(method, path) == target


def test_a_delivery_gets_its_receipt_and_every_security_header(hooks):
    response = post_json(
        hooks.app.test_client(), hooks.url(hooks.automation_token), automation_body()
    )
    assert response.status_code == 200
    assert response.get_json()["received"] is True
    assert response.mimetype == "application/json"
    for name, value in HEADERS.items():
        assert response.headers[name] == value
    assert "Set-Cookie" not in response.headers  # no session for Wix


def test_a_refusal_keeps_its_retry_after_and_headers(hooks):
    hooks.app.config.update(WEBHOOK_RATE_PER_SECOND=0.001, WEBHOOK_RATE_BURST=1)
    hooks.app.extensions.pop("wixoms_webhook_limiter", None)
    client = hooks.app.test_client()
    post_json(client, hooks.url(hooks.automation_token), automation_body("order-a"))
    refused = post_json(client, hooks.url(hooks.automation_token), automation_body("order-b"))
    assert refused.status_code == 429
    assert refused.get_json()["error"]["code"] == "RATE_LIMITED"
    assert int(refused.headers["Retry-After"]) >= 1
    assert refused.headers["X-Content-Type-Options"] == HEADERS["X-Content-Type-Options"]


def test_a_bug_while_storing_is_a_plain_500_that_hides_its_cause(hooks, monkeypatch, caplog):
    def broken(*_args, **_kwargs):
        raise RuntimeError("secret detail of the failure")

    monkeypatch.setattr(inbox, "receive_delivery", broken)
    with caplog.at_level(logging.ERROR):
        response = post_json(
            hooks.app.test_client(), hooks.url(hooks.automation_token), automation_body()
        )
    assert response.status_code == 500
    assert response.get_json()["error"]["code"] == "HTTP_500"
    assert "secret detail" not in response.get_data(as_text=True)
    assert "Nothing was half-saved" in response.get_json()["error"]["message"]
    assert "webhook delivery failed" in caplog.text  # the operator sees it in the log


def test_the_merchants_replay_under_hooks_is_still_flasks(hooks):
    """A logged-out POST to Replay meets Flask's login guard, not the delivery intake."""
    response = hooks.app.test_client().post("/hooks/events/1/replay")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]

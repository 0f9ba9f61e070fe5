"""POST /hooks/<token>: bad input gets its stable code and changes nothing; good input is stored."""

from __future__ import annotations

import json
import time

import pytest

from tests.integration.webhooks.webhook_world import SITE_ID, add_channel, app_jwt, order_event
from wixoms.extensions import db
from wixoms.models import WebhookEndpoint, WebhookEvent

ORDER_ID = "0b7c1a7e-1111-4a3b-9c1d-000000000001"


def automation_body(order_id: str = ORDER_ID, **extra: object) -> bytes:
    return json.dumps({"data": {"order": {"id": order_id, "number": "1001", **extra}}}).encode()


def post_json(client, url: str, body: bytes, content_type: str = "application/json"):
    return client.post(url, data=body, headers={"Content-Type": content_type})


def assert_refused(response, status: int, code: str) -> None:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.is_json
    assert response.get_json()["error"]["code"] == code
    assert response.get_json()["error"]["message"]


def test_unknown_token_is_404_and_changes_nothing(hooks):
    before = hooks.snapshot()
    response = post_json(hooks.app.test_client(), "/hooks/" + "z" * 43, automation_body())
    assert_refused(response, 404, "UNKNOWN_ENDPOINT")
    assert hooks.snapshot() == before


def test_revoked_token_is_404_and_changes_nothing(hooks):
    before = hooks.snapshot()
    response = post_json(hooks.app.test_client(), hooks.url(hooks.revoked_token), automation_body())
    assert_refused(response, 404, "UNKNOWN_ENDPOINT")
    assert hooks.snapshot() == before


def test_overlong_token_is_404(hooks):
    response = post_json(hooks.app.test_client(), "/hooks/" + "a" * 300, automation_body())
    assert_refused(response, 404, "UNKNOWN_ENDPOINT")


@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE"])
def test_wrong_method_is_405_json_and_changes_nothing(hooks, method):
    before = hooks.snapshot()
    client = hooks.app.test_client()
    response = client.open(hooks.url(hooks.automation_token), method=method)
    assert response.status_code == 405
    assert response.get_json()["error"]["code"] == "HTTP_405"
    assert hooks.snapshot() == before


@pytest.mark.parametrize(
    ("endpoint", "body", "content_type", "status", "code"),
    [
        ("automation", b"", "application/json", 400, "EMPTY_BODY"),
        ("automation", b"   \n", "application/json", 400, "EMPTY_BODY"),
        ("app", b"", "text/plain", 400, "EMPTY_BODY"),
        ("automation", b"{not json", "application/json", 400, "NOT_JSON"),
        ("automation", b"\xff\xfe\x00garbage", "application/json", 400, "NOT_JSON"),
        ("automation", b"[1, 2, 3]", "application/json", 400, "NOT_JSON"),
        ("automation", b'"a string"', "application/json", 400, "NOT_JSON"),
        ("automation", automation_body(), "text/plain", 400, "UNSUPPORTED_MEDIA_TYPE"),
        ("automation", automation_body(), "application/x-www-form-urlencoded", 400,
         "UNSUPPORTED_MEDIA_TYPE"),
        ("automation", b'{"data": {"order": {"number": "1001"}}}', "application/json", 400,
         "NO_ORDER_ID"),
        ("app", b"this.is.not-a-jwt", "text/plain", 401, "BAD_SIGNATURE"),
    ],
)  # fmt: skip
def test_malformed_body_is_refused_with_its_code(hooks, endpoint, body, content_type, status, code):
    token = hooks.automation_token if endpoint == "automation" else hooks.app_token
    before = hooks.snapshot()
    response = post_json(hooks.app.test_client(), hooks.url(token), body, content_type)
    assert_refused(response, status, code)
    assert hooks.snapshot() == before


def test_two_megabyte_body_is_413_and_changes_nothing(hooks):
    before = hooks.snapshot()
    padding = "x" * (2 * 1024 * 1024)
    body = automation_body(note=padding)
    assert len(body) > 2 * 1024 * 1024
    response = post_json(hooks.app.test_client(), hooks.url(hooks.automation_token), body)
    assert_refused(response, 413, "PAYLOAD_TOO_LARGE")
    assert hooks.snapshot() == before


def test_oversized_body_without_content_length_is_413(hooks):
    """A chunked request declares no length: the read itself is capped."""
    before = hooks.snapshot()
    body = automation_body(note="y" * (hooks.app.config["WEBHOOK_MAX_BYTES"] + 10))
    client = hooks.app.test_client()
    environ = {"CONTENT_TYPE": "application/json", "wsgi.input_terminated": True}
    from io import BytesIO

    response = client.post(
        hooks.url(hooks.automation_token), input_stream=BytesIO(body), environ_base=environ
    )
    assert_refused(response, 413, "PAYLOAD_TOO_LARGE")
    assert hooks.snapshot() == before


def test_jwt_signed_with_another_key_is_401_bad_signature(hooks, stranger_keys):
    before = hooks.snapshot()
    body = app_jwt(stranger_keys, "wix.ecom.v1.order_created", order_event(ORDER_ID))
    response = post_json(hooks.app.test_client(), hooks.url(hooks.app_token), body, "text/plain")
    assert_refused(response, 401, "BAD_SIGNATURE")
    assert hooks.snapshot() == before


def test_tampered_jwt_is_401_bad_signature(hooks, app_keys):
    good = app_jwt(app_keys, "wix.ecom.v1.order_created", order_event(ORDER_ID)).decode()
    header, payload, signature = good.split(".")
    forged = f"{header}.{payload[:-4]}AAAA.{signature}".encode()
    response = post_json(hooks.app.test_client(), hooks.url(hooks.app_token), forged, "text/plain")
    assert_refused(response, 401, "BAD_SIGNATURE")


def test_a_retry_with_an_expired_jwt_is_taken_once_and_its_replay_is_a_duplicate(hooks, app_keys):
    """Wix retries for hours with the JWT it first signed (wix-api.md §10): refusing an
    expired one would lose the event; its event id makes a replay harmless."""
    body = app_jwt(app_keys, "wix.ecom.v1.order_created", order_event(ORDER_ID), ttl_s=-3600)
    client = hooks.app.test_client()
    first = post_json(client, hooks.url(hooks.app_token), body, "text/plain")
    again = post_json(client, hooks.url(hooks.app_token), body, "text/plain")
    assert first.status_code == again.status_code == 200
    assert (first.get_json()["duplicate"], again.get_json()["duplicate"]) == (False, True)


def test_jwt_for_another_instance_is_401_wrong_instance(hooks, app_keys):
    before = hooks.snapshot()
    body = app_jwt(
        app_keys, "wix.ecom.v1.order_created", order_event(ORDER_ID), instance_id="inst-other"
    )
    response = post_json(hooks.app.test_client(), hooks.url(hooks.app_token), body, "text/plain")
    assert_refused(response, 401, "WRONG_INSTANCE")
    assert hooks.snapshot() == before


@pytest.mark.parametrize(
    "body",
    [
        {"siteId": "site-of-someone-else", "data": {"order": {"id": ORDER_ID}}},
        {"data": {"metaSiteId": "site-of-someone-else", "order": {"id": ORDER_ID}}},
        {"data": {"order": {"id": ORDER_ID, "siteId": "site-of-someone-else"}}},
    ],
)
def test_automation_body_for_another_site_is_403_wrong_site(hooks, body):
    before = hooks.snapshot()
    response = post_json(
        hooks.app.test_client(), hooks.url(hooks.automation_token), json.dumps(body).encode()
    )
    assert_refused(response, 403, "WRONG_SITE")
    assert hooks.snapshot() == before


def test_automation_body_naming_this_site_is_accepted(hooks):
    body = json.dumps({"siteId": SITE_ID, "data": {"order": {"id": ORDER_ID}}}).encode()
    response = post_json(hooks.app.test_client(), hooks.url(hooks.automation_token), body)
    assert response.status_code == 200


def test_automation_for_another_instance_is_403_wrong_instance(hooks):
    body = json.dumps({"instanceId": "inst-other", "data": {"order": {"id": ORDER_ID}}}).encode()
    before = hooks.snapshot()
    response = post_json(hooks.app.test_client(), hooks.url(hooks.automation_token), body)
    assert_refused(response, 403, "WRONG_INSTANCE")
    assert hooks.snapshot() == before


@pytest.mark.parametrize("endpoint", ["automation", "app"])
def test_channel_without_site_id_is_409_and_nothing_is_stored(hooks, app_keys, endpoint):
    hooks.update_channel(site_id="")
    before = hooks.snapshot()
    if endpoint == "automation":
        response = post_json(
            hooks.app.test_client(), hooks.url(hooks.automation_token), automation_body()
        )
    else:
        body = app_jwt(app_keys, "wix.ecom.v1.order_created", order_event(ORDER_ID))
        response = post_json(
            hooks.app.test_client(), hooks.url(hooks.app_token), body, "text/plain"
        )
    assert_refused(response, 409, "SITE_ID_MISSING")
    assert "Site ID" in response.get_json()["error"]["message"]
    assert hooks.snapshot() == before


def test_app_webhook_without_configured_public_key_is_503(make_app, hooks, app_keys):
    hooks.app.config["WIX_PUBLIC_KEY"] = ""
    body = app_jwt(app_keys, "wix.ecom.v1.order_created", order_event(ORDER_ID))
    before = hooks.snapshot()
    response = post_json(hooks.app.test_client(), hooks.url(hooks.app_token), body, "text/plain")
    assert_refused(response, 503, "PUBLIC_KEY_MISSING")
    assert hooks.snapshot() == before


def test_replayed_automation_delivery_is_a_harmless_duplicate(hooks):
    client = hooks.app.test_client()
    first = post_json(client, hooks.url(hooks.automation_token), automation_body())
    second = post_json(client, hooks.url(hooks.automation_token), automation_body())
    assert first.status_code == second.status_code == 200
    assert first.get_json()["duplicate"] is False
    assert second.get_json() == {
        "received": True,
        "duplicate": True,
        "event_id": first.get_json()["event_id"],
    }
    assert len(hooks.events()) == 1


def test_replayed_app_webhook_is_a_harmless_duplicate(hooks, app_keys):
    client = hooks.app.test_client()
    event = order_event(ORDER_ID, event_id="evt-42")
    first = app_jwt(app_keys, "wix.ecom.v1.order_created", event)
    # Re-signed or not (§10: a retry may carry the first JWT), the event id stays the same.
    again = app_jwt(app_keys, "wix.ecom.v1.order_created", event, ttl_s=600)
    assert first != again
    r1 = post_json(client, hooks.url(hooks.app_token), first, "text/plain")
    r2 = post_json(client, hooks.url(hooks.app_token), again, "text/plain")
    assert (r1.status_code, r2.status_code) == (200, 200)
    assert r2.get_json()["duplicate"] is True
    assert [e.dedupe_key for e in hooks.events()] == ["app:evt-42"]


def test_automation_delivery_is_stored_raw_with_its_headers_before_the_200(hooks):
    body = automation_body(updatedDate="2026-01-02T03:04:05.000Z")
    response = hooks.app.test_client().post(
        hooks.url(hooks.automation_token),
        data=body,
        headers={
            "Content-Type": "application/json; charset=utf-8",
            "User-Agent": "Wix-Automations",
            "X-Wix-Request-Id": "req-1",
            "Cookie": "not=kept",
        },
    )
    assert response.status_code == 200
    [event] = hooks.events()
    assert response.get_json()["event_id"] == event.id
    assert bytes(event.body) == body
    assert event.state == "pending"
    assert event.endpoint_id == hooks.automation_id
    assert event.channel_id == hooks.channel_id
    assert event.event_type == "automation.order_placed"
    assert event.order_external_id == ORDER_ID
    assert event.order_number == "1001"
    assert event.dedupe_key == (
        f"automation:{ORDER_ID}:automation.order_placed:2026-01-02T03:04:05.000Z"
    )
    assert event.headers["User-Agent"] == "Wix-Automations"
    assert event.headers["X-Wix-Request-Id"] == "req-1"
    assert "Cookie" not in event.headers


def test_app_webhook_is_stored_with_event_type_and_order(hooks, app_keys):
    body = app_jwt(app_keys, "wix.ecom.v1.order_updated", order_event(ORDER_ID, "updated"))
    response = post_json(hooks.app.test_client(), hooks.url(hooks.app_token), body, "text/plain")
    assert response.status_code == 200
    [event] = hooks.events()
    assert (event.event_type, event.order_external_id) == ("wix.ecom.v1.order_updated", ORDER_ID)
    assert event.dedupe_key == f"app:evt-{ORDER_ID}-updated"
    assert bytes(event.body) == body
    assert last_delivery_noted(hooks, hooks.app_endpoint_id)


def last_delivery_noted(hooks, endpoint_id: int, timeout_s: float = 5.0) -> bool:
    """The inbox writer notes the endpoint's last delivery just after the batch is answered."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        with hooks.app.app_context():
            endpoint = db.session.get(WebhookEndpoint, endpoint_id)
            noted = endpoint.last_delivery_at is not None
            db.session.remove()
        if noted:
            return True
        time.sleep(0.02)
    return False


def test_non_order_app_webhook_is_stored_without_order(hooks, app_keys):
    event = {"productId": "p-1", "changedFields": ["name"]}
    body = app_jwt(app_keys, "com.wix.ecommerce.catalog.api.v1.ProductChanged", event)
    response = post_json(hooks.app.test_client(), hooks.url(hooks.app_token), body, "text/plain")
    assert response.status_code == 200
    [stored] = hooks.events()
    assert stored.order_external_id == ""


def test_same_order_created_then_updated_are_two_events(hooks, app_keys):
    client = hooks.app.test_client()
    for slug in ("created", "updated"):
        body = app_jwt(app_keys, f"wix.ecom.v1.order_{slug}", order_event(ORDER_ID, slug))
        assert post_json(client, hooks.url(hooks.app_token), body, "text/plain").status_code == 200
    assert [e.event_type for e in hooks.events()] == [
        "wix.ecom.v1.order_created",
        "wix.ecom.v1.order_updated",
    ]


def test_flood_on_one_token_is_rate_limited_with_retry_after(make_app, world, app_keys):

    app = make_app(WEBHOOK_WORKER="off", WEBHOOK_RATE_PER_SECOND=0.01, WEBHOOK_RATE_BURST=3)
    with app.app_context():
        channel = add_channel(world.acme.id)
        db.session.add(WebhookEndpoint(channel_id=channel.id, kind="automation", token="r" * 43))
        db.session.add(WebhookEndpoint(channel_id=channel.id, kind="automation", token="s" * 43))
        db.session.commit()
    client = app.test_client()
    codes = [
        post_json(client, "/hooks/" + "r" * 43, automation_body(f"order-{i}")).status_code
        for i in range(5)
    ]
    assert codes == [200, 200, 200, 429, 429]
    limited = post_json(client, "/hooks/" + "r" * 43, automation_body("order-9"))
    assert_refused(limited, 429, "RATE_LIMITED")
    assert int(limited.headers["Retry-After"]) >= 1
    # Another endpoint has its own budget.
    assert post_json(client, "/hooks/" + "s" * 43, automation_body("order-x")).status_code == 200


def test_revoking_an_endpoint_takes_effect_within_the_lookup_cache_time(hooks):
    import time

    hooks.app.config["WEBHOOK_ENDPOINT_CACHE_S"] = 0.2
    client = hooks.app.test_client()
    url = hooks.url(hooks.automation_token)
    assert post_json(client, url, automation_body("order-a")).status_code == 200
    with hooks.app.app_context():
        endpoint = db.session.get(WebhookEndpoint, hooks.automation_id)
        endpoint.revoked_at = endpoint.created_at
        db.session.commit()
    time.sleep(0.25)
    assert_refused(post_json(client, url, automation_body("order-b")), 404, "UNKNOWN_ENDPOINT")


@pytest.mark.parametrize(
    ("order", "code"),
    [
        ({"id": "a\u0000b", "number": "1001"}, "BAD_ENTITY_ID"),  # no Wix id holds a NUL
        ({"id": ORDER_ID, "number": "10\u000001"}, "BAD_PAYLOAD"),
    ],
)
def test_nul_character_in_order_fields_is_400_and_changes_nothing(hooks, order, code):
    """PostgreSQL text cannot hold NUL: a clear 400, never a 503 that Wix would retry forever."""
    client = hooks.app.test_client()
    body = json.dumps({"data": {"order": order}}).encode()
    response = post_json(client, f"/hooks/{hooks.automation_token}", body)
    assert_refused(response, 400, code)
    with hooks.app.app_context():
        assert db.session.scalar(db.select(db.func.count(WebhookEvent.id))) == 0

"""JWT app webhooks (three layers, RS256) and Automations bodies → one typed event."""

from __future__ import annotations

import json
import time

import jwt
import pytest

from tests.unit.wix import wix_samples as s
from wixoms.sandbox.store import rsa_key_pair
from wixoms.wix import InvalidWebhook, parse_automation_request, verify_app_webhook
from wixoms.wix.webhooks import MAX_JSON_DEPTH, JsonTooDeep, load_json

PRIVATE, PUBLIC = rsa_key_pair()
OTHER_PRIVATE, _ = rsa_key_pair()


def signed(
    event: dict,
    *,
    event_type="wix.ecom.v1.order_created",
    instance="inst-1",
    key=PRIVATE,
    exp_in=3600,
) -> bytes:
    envelope = {
        "eventType": event_type,
        "instanceId": instance,
        "data": json.dumps(event),
        "identity": json.dumps({"identityType": "APP"}),
    }
    now = int(time.time())
    claims = {"data": json.dumps(envelope), "iat": now, "exp": now + exp_in}
    return jwt.encode(claims, key, algorithm="RS256").encode()


def order_event(**kind) -> dict:
    return {
        "id": "evt-1",
        "entityFqdn": "wix.ecom.v1.order",
        "slug": "created",
        "entityId": s.ORDER["id"],
        "eventTime": "2025-02-01T10:00:01.000Z",
        "triggeredByAnonymizeRequest": False,
        **kind,
    }


def test_good_order_created_webhook_unwraps_three_layers():
    event = verify_app_webhook(
        signed(order_event(createdEvent={"entity": s.ORDER})), PUBLIC, expected_instance_id="inst-1"
    )
    assert event.kind == "app"
    assert (event.event_id, event.event_type, event.instance_id) == (
        "evt-1",
        "wix.ecom.v1.order_created",
        "inst-1",
    )
    assert event.entity_id == s.ORDER["id"]
    assert event.order["number"] == "10042"
    assert event.dedupe_key == "app:evt-1"
    assert event.event_time.isoformat() == "2025-02-01T10:00:01+00:00"


def test_updated_event_carries_the_current_entity():
    body = signed(
        order_event(slug="updated", updatedEvent={"currentEntity": s.ORDER, "modifiedFields": {}}),
        event_type="wix.ecom.v1.order_updated",
    )
    assert verify_app_webhook(body, PUBLIC).order["id"] == s.ORDER["id"]


def test_action_event_carries_the_order_in_its_body():
    body = signed(
        order_event(slug="fulfilled", actionEvent={"body": {"order": s.ORDER}}),
        event_type="wix.ecom.v1.order_fulfilled",
    )
    assert verify_app_webhook(body, PUBLIC).order["id"] == s.ORDER["id"]


def test_legacy_catalog_event_has_flat_body_and_content_dedupe():
    body = signed(
        {"productId": "prod-1", "changedFields": ["name"]},
        event_type="com.wix.ecommerce.catalog.api.v1.ProductChanged",
    )
    event = verify_app_webhook(body, PUBLIC)
    assert event.order is None
    assert event.entity_id == "prod-1"
    assert event.event_id is None
    assert event.dedupe_key.startswith("app:com.wix.ecommerce.catalog.api.v1.ProductChanged:")
    assert verify_app_webhook(body, PUBLIC).dedupe_key == event.dedupe_key


def test_webhook_signed_with_another_key_is_rejected():
    with pytest.raises(InvalidWebhook, match="signature"):
        verify_app_webhook(signed(order_event(), key=OTHER_PRIVATE), PUBLIC)


def test_tampered_webhook_is_rejected():
    header, payload, sig = signed(order_event()).decode().split(".")
    claims = json.loads(jwt.utils.base64url_decode(payload))
    claims["data"] = claims["data"].replace("inst-1", "inst-2")
    forged = jwt.utils.base64url_encode(json.dumps(claims).encode()).decode()
    with pytest.raises(InvalidWebhook):
        verify_app_webhook(f"{header}.{forged}.{sig}".encode(), PUBLIC)


def test_webhook_for_another_instance_is_rejected():
    with pytest.raises(InvalidWebhook, match="another app instance"):
        verify_app_webhook(
            signed(order_event(), instance="inst-2"), PUBLIC, expected_instance_id="inst-1"
        )


def test_a_retry_whose_jwt_expired_is_taken_and_keeps_its_event_id_for_dedupe():
    """Wix retries for hours with the JWT it signed first (wix-api.md §10): the signature
    proves the sender, the event id blocks a second processing."""
    first = verify_app_webhook(signed(order_event(), exp_in=3600), PUBLIC)
    retried = verify_app_webhook(signed(order_event(), exp_in=-6 * 3600), PUBLIC)
    assert retried.token_expired and not first.token_expired
    assert retried.dedupe_key == first.dedupe_key == "app:evt-1"


def test_an_expired_jwt_with_a_bad_signature_is_still_rejected():
    with pytest.raises(InvalidWebhook):
        verify_app_webhook(signed(order_event(), exp_in=-120, key=OTHER_PRIVATE), PUBLIC)


def test_hs256_token_is_not_accepted_with_the_public_key():
    forged = jwt.encode({"data": "{}"}, "x" * 64, algorithm="HS256").encode()
    with pytest.raises(InvalidWebhook):
        verify_app_webhook(forged, PUBLIC)


@pytest.mark.parametrize("body", [b"", b"{}", b"not a jwt"])
def test_garbage_body_is_rejected(body):
    with pytest.raises(InvalidWebhook):
        verify_app_webhook(body, PUBLIC)


def test_signed_but_wrong_shape_is_rejected():
    now = int(time.time())
    body = jwt.encode(
        {"data": json.dumps({"instanceId": "x"}), "exp": now + 60}, PRIVATE, algorithm="RS256"
    ).encode()
    with pytest.raises(InvalidWebhook, match="eventType"):
        verify_app_webhook(body, PUBLIC)


@pytest.mark.parametrize(
    ("payload", "order_id"),
    [
        ({"data": {"order": s.ORDER}}, s.ORDER["id"]),  # the sandbox's default
        ({"data": {"orderId": "o-2", "number": "7"}}, "o-2"),
        ({"order": {"_id": "o-3"}}, "o-3"),
        ({"id": "o-4", "buyerInfo": {}, "lineItems": []}, "o-4"),
        ({"data": {"id": "o-5"}}, "o-5"),
    ],
)
def test_automation_bodies_yield_the_order_id(payload, order_id):
    event = parse_automation_request(payload)
    assert event.kind == "automation"
    assert event.entity_id == order_id
    assert event.event_type == "automation.order_placed"
    assert event.dedupe_key == f"automation:order_placed:{order_id}"


def test_automation_event_keeps_the_order_and_its_time():
    event = parse_automation_request({"data": {"order": s.ORDER}})
    assert event.order["number"] == "10042"
    assert event.event_time.year == 2025


@pytest.mark.parametrize("payload", [{}, {"data": {"foo": 1}}, {"order": "x"}, []])
def test_automation_body_without_order_id_is_rejected(payload):
    with pytest.raises(InvalidWebhook):
        parse_automation_request(payload)


@pytest.mark.parametrize("nest", ["[", "{", "mixed"])
def test_json_nesting_limit_is_exact_whether_or_not_the_tree_is_walked(nest):
    def nested(depth: int) -> str:
        text = "1"
        for level in range(depth):
            use_list = nest == "[" or (nest == "mixed" and level % 2)
            text = f"[{text}]" if use_list else f'{{"k": {text}}}'
        return text

    # A string full of brackets makes the text look deep; the parsed value is what counts.
    assert load_json(f'{{"s": "{"[" * 500}", "v": {nested(MAX_JSON_DEPTH - 1)}}}') is not None
    assert load_json(nested(MAX_JSON_DEPTH)) is not None
    with pytest.raises(JsonTooDeep):
        load_json(nested(MAX_JSON_DEPTH + 1))
    with pytest.raises(JsonTooDeep):
        load_json(nested(MAX_JSON_DEPTH + 1).encode())

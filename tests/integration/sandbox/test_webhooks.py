"""Automations and JWT app webhooks reach a real listener, signed and retried like Wix."""

from __future__ import annotations

import json

import jwt
import pytest


@pytest.fixture
def shop(connect, sandbox, webhook_listener):
    wix = connect(webhook_url=webhook_listener.url)
    sandbox.add_product(wix.site["id"], name="Tee", price=5)
    settle(sandbox, webhook_listener)
    return wix


def settle(sandbox, listener) -> None:
    """Let earlier deliveries (AppInstalled, ProductCreated…) land, then forget them."""
    sandbox.wait_for_deliveries()
    sandbox.clear_deliveries()
    with listener.lock:
        listener.received.clear()


def decode(received, public_key: str) -> tuple[dict, dict]:
    """The three layers of wix-api.md §3: claims → envelope → event."""
    claims = jwt.decode(received.body.decode(), public_key, algorithms=["RS256"])
    assert {"data", "iat", "exp"} <= set(claims)
    envelope = json.loads(claims["data"])
    assert isinstance(envelope["data"], str) and isinstance(envelope["identity"], str)
    return envelope, json.loads(envelope["data"])


def test_automation_posts_order_placed_body_to_its_url(connect, sandbox, webhook_listener):
    wix = connect()
    sandbox.add_product(wix.site["id"], name="Tee", price=5)
    sandbox.add_automation(wix.site["id"], webhook_listener.url)
    order = sandbox.place_order(wix.site["id"])
    [received] = webhook_listener.wait_for(1)
    assert received.method == "POST" and received.headers["Content-Type"] == "application/json"
    body = received.json()
    assert body["data"]["order"]["id"] == order["id"]
    assert body["data"]["order"]["number"] == order["number"]
    [delivery] = sandbox.wait_for_deliveries(kind="automation")
    assert delivery["status"] == "delivered" and delivery["orderId"] == order["id"]


@pytest.mark.parametrize(
    ("style", "extra", "read"),
    [
        ("order", {}, lambda b: b["order"]["id"]),
        ("entire", {}, lambda b: b["id"]),
        ("custom", {"customKeys": ["id", "number"]}, lambda b: b["id"]),
    ],
)
def test_automation_body_is_configurable(connect, sandbox, webhook_listener, style, extra, read):
    wix = connect()
    sandbox.add_product(wix.site["id"], name="Tee", price=5)
    sandbox.add_automation(wix.site["id"], webhook_listener.url, body_style=style, **extra)
    order = sandbox.place_order(wix.site["id"])
    [received] = webhook_listener.wait_for(1)
    assert read(received.json()) == order["id"]


def test_inactive_automation_and_other_sites_do_not_fire(connect, sandbox, webhook_listener):
    wix = connect()
    other = connect(name="Other")
    for site in (wix.site, other.site):
        sandbox.add_product(site["id"], name="Tee", price=5)
    sandbox.add_automation(wix.site["id"], webhook_listener.url, active=False)
    sandbox.add_automation(other.site["id"], webhook_listener.url)
    sandbox.place_order(wix.site["id"])
    sandbox.wait_for_deliveries()
    assert webhook_listener.received == []


def test_non_2xx_is_retried_with_backoff_until_delivered(connect, sandbox, webhook_listener):
    wix = connect()
    sandbox.add_product(wix.site["id"], name="Tee", price=5)
    sandbox.add_automation(wix.site["id"], webhook_listener.url)
    webhook_listener.statuses = [500, 503]
    sandbox.place_order(wix.site["id"])
    received = webhook_listener.wait_for(3)
    assert len(received) == 3 and received[0].body == received[2].body
    [delivery] = sandbox.wait_for_deliveries()
    assert [a["status"] for a in delivery["attempts"]] == [500, 503, 200]
    assert delivery["status"] == "delivered"


def test_retries_are_bounded(connect, sandbox, webhook_listener):
    wix = connect()
    sandbox.add_product(wix.site["id"], name="Tee", price=5)
    sandbox.add_automation(wix.site["id"], webhook_listener.url)
    webhook_listener.statuses = [500] * 10
    sandbox.place_order(wix.site["id"])
    [delivery] = sandbox.wait_for_deliveries()
    assert delivery["status"] == "failed"
    assert len(delivery["attempts"]) == sandbox.config()["webhook_max_attempts"]


def test_order_created_app_webhook_is_a_jwt_verifiable_with_the_published_key(
    shop, sandbox, webhook_listener
):
    order = sandbox.place_order(shop.site["id"])
    [received] = webhook_listener.wait_for(1)
    public_key = sandbox.public_key(shop.app["appId"])
    envelope, event = decode(received, public_key)
    assert envelope["eventType"] == "wix.ecom.v1.order_created"
    assert envelope["instanceId"] == shop.instance_id
    assert event["entityFqdn"] == "wix.ecom.v1.order" and event["slug"] == "created"
    assert event["entityId"] == order["id"] and event["id"]
    assert event["createdEvent"]["entity"]["id"] == order["id"]
    assert event["triggeredByAnonymizeRequest"] is False
    other_key = sandbox.register_app()["publicKey"]
    with pytest.raises(jwt.InvalidSignatureError):
        jwt.decode(received.body.decode(), other_key, algorithms=["RS256"])


def test_order_updates_send_updated_and_action_events(shop, sandbox, webhook_listener):
    order = sandbox.place_order(shop.site["id"], status="PENDING")
    settle(sandbox, webhook_listener)
    sandbox.update_order(order["id"], status="APPROVED", paymentStatus="PAID")
    received = webhook_listener.wait_for(3)
    key = sandbox.public_key(shop.app["appId"])
    events = {decode(r, key)[0]["eventType"]: decode(r, key)[1] for r in received}
    updated = events["wix.ecom.v1.order_updated"]["updatedEvent"]
    assert updated["currentEntity"]["status"] == "APPROVED"
    assert set(updated["modifiedFields"]) == {"status", "paymentStatus"}
    approved = events["wix.ecom.v1.order_approved"]
    assert approved["actionEvent"]["body"]["order"]["id"] == order["id"]
    assert "wix.ecom.v1.order_payment_status_updated" in events


def test_v1_product_change_sends_legacy_flat_event(connect, sandbox, webhook_listener):
    wix = connect("V1_CATALOG", webhook_url=webhook_listener.url)
    product = sandbox.add_product(wix.site["id"], name="Tee", price=5)
    wix.call("PATCH", f"/stores/v1/products/{product['id']}", json={"product": {"name": "Tee 2"}})
    received = webhook_listener.wait_for(3)
    key = sandbox.public_key(wix.app["appId"])
    by_type = {}
    for r in received:
        envelope, data = decode(r, key)
        by_type[envelope["eventType"]] = data
    changed = by_type["com.wix.ecommerce.catalog.api.v1.ProductChanged"]
    assert changed == {"productId": product["id"], "changedFields": ["name"]}
    assert by_type["com.wix.ecommerce.catalog.api.v1.ProductCreated"]["productId"] == product["id"]
    assert "AppInstalled" in by_type


def test_v3_product_update_sends_entity_event(connect, sandbox, webhook_listener):
    wix = connect("V3_CATALOG", webhook_url=webhook_listener.url)
    product = sandbox.add_product(wix.site["id"], name="Tee", price=5)
    settle(sandbox, webhook_listener)
    wix.call(
        "PATCH",
        f"/stores/v3/products/{product['id']}",
        json={"product": {"revision": "1", "visible": False}},
    )
    [received] = webhook_listener.wait_for(1)
    envelope, event = decode(received, sandbox.public_key(wix.app["appId"]))
    assert envelope["eventType"] == "wix.stores.catalog.v3.product_updated"
    assert event["updatedEvent"]["currentEntity"]["visible"] is False


def test_app_removed_event_is_sent(shop, sandbox, webhook_listener):
    sandbox.remove_app(shop.instance_id)
    [received] = webhook_listener.wait_for(1)
    envelope, _ = decode(received, sandbox.public_key(shop.app["appId"]))
    assert envelope["eventType"] == "AppRemoved"

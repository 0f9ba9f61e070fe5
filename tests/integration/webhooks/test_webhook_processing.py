"""The worker against the sandbox: the payload is a trigger, Wix is the truth, nothing twice."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.integration.webhooks.webhook_world import add_automation_endpoint, wix_world
from wixoms.extensions import db
from wixoms.models import Order, WebhookEvent
from wixoms.models._base import utcnow
from wixoms.webhooks import apply, process
from wixoms.webhooks.reconcile import reconcile


@pytest.fixture
def shop(sandbox, wix_app, connected_channel, world):
    """A sandbox site in Webhooks mode with a product whose SKU the OMS knows; worker off."""
    wix_app.config["WEBHOOK_WORKER"] = "off"
    return wix_world(sandbox, wix_app, connected_channel, world)


def post(shop, token: str, body: bytes, content_type: str = "application/json"):
    client = shop.app.test_client()
    return client.post(f"/hooks/{token}", data=body, headers={"Content-Type": content_type})


def automation_body(order: dict) -> bytes:
    return json.dumps({"data": {"order": order}}).encode()


def orders_of(shop) -> list[Order]:
    with shop.app.app_context():
        rows = db.session.scalars(select(Order).order_by(Order.id)).all()
        db.session.expunge_all()
        return list(rows)


def event(shop, event_id: int) -> WebhookEvent:
    with shop.app.app_context():
        row = db.session.get(WebhookEvent, event_id)
        db.session.expunge(row)
        return row


def run_worker(shop) -> int:
    with shop.app.app_context():
        return process.process_pending()


def test_automation_delivery_imports_the_order_fetched_from_wix(shop):
    order = shop.sandbox.place_order(shop.site_id, lines=[{"productId": shop.product_id}])
    # The body says PENDING and the wrong number: the worker must trust Wix, not the body.
    body = automation_body({**order, "status": "PENDING", "number": "999999"})
    response = post(shop, shop.automation_token, body)
    assert response.status_code == 200
    assert run_worker(shop) == 1
    [imported] = orders_of(shop)
    assert imported.external_id == order["id"]
    assert imported.number == order["number"]
    assert imported.channel_status == "APPROVED"
    stored = event(shop, response.get_json()["event_id"])
    assert stored.state == "done"
    assert stored.order_number == order["number"]
    assert stored.outcome == f"Order #{order['number']} imported."


def test_order_whose_status_is_not_configured_is_not_imported_and_says_why(shop):
    order = shop.sandbox.place_order(
        shop.site_id, lines=[{"productId": shop.product_id}], status="PENDING"
    )
    response = post(shop, shop.automation_token, automation_body(order))
    run_worker(shop)
    assert orders_of(shop) == []
    stored = event(shop, response.get_json()["event_id"])
    assert stored.state == "done"
    assert "not imported: its Wix status (Awaiting payment)" in stored.outcome


def test_out_of_order_created_after_updated_leaves_wix_latest_state(shop, webhook_listener):
    """Wix delivers updated before created: both 200, one order, Wix's latest status kept."""
    shop.route_app_webhooks(webhook_listener.url)
    order = shop.sandbox.place_order(
        shop.site_id, lines=[{"productId": shop.product_id}], paymentStatus="NOT_PAID"
    )
    shop.sandbox.update_order(order["id"], paymentStatus="PAID")
    shop.sandbox.wait_for_deliveries()
    bodies = {}
    for received in webhook_listener.received:
        bodies[shop.unverified(received.body)["eventType"]] = received.body
    created = bodies["wix.ecom.v1.order_created"]
    updated = bodies["wix.ecom.v1.order_updated"]
    assert (
        json.loads(shop.unverified(created)["data"])["createdEvent"]["entity"]["paymentStatus"]
        == "NOT_PAID"
    )

    first = post(shop, shop.app_token, updated, "text/plain")
    assert first.status_code == 200
    run_worker(shop)
    late = post(shop, shop.app_token, created, "text/plain")
    assert late.status_code == 200 and late.get_json()["duplicate"] is False
    run_worker(shop)

    [imported] = orders_of(shop)
    assert imported.payment_status == "PAID"
    late_event = event(shop, late.get_json()["event_id"])
    assert (late_event.state, late_event.outcome) == (
        "done",
        f"Order #{order['number']} already up to date.",
    )
    # A repeat of either is a harmless duplicate and changes nothing.
    again = post(shop, shop.app_token, created, "text/plain")
    assert again.get_json()["duplicate"] is True
    assert run_worker(shop) == 0
    assert [o.payment_status for o in orders_of(shop)] == ["PAID"]


@pytest.mark.parametrize(
    ("settings", "reason"),
    [
        ({"is_active": False}, "not active"),
        ({"channel_mode": "scheduled"}, "Channel Mode is Scheduled polling"),
        ({"channel_mode": "manual"}, "Channel Mode is Manual"),
    ],
)
def test_events_of_inactive_or_non_webhook_channel_are_stored_and_ignored(shop, settings, reason):
    shop.update_channel(**settings)
    order = shop.sandbox.place_order(shop.site_id, lines=[{"productId": shop.product_id}])
    response = post(shop, shop.automation_token, automation_body(order))
    assert response.status_code == 200
    run_worker(shop)
    stored = event(shop, response.get_json()["event_id"])
    assert stored.state == "ignored"
    assert reason in stored.error
    assert orders_of(shop) == []


def test_order_unknown_to_wix_is_parked_with_its_error_and_replayable(shop):
    response = post(shop, shop.automation_token, automation_body({"id": "no-such-order"}))
    run_worker(shop)
    stored = event(shop, response.get_json()["event_id"])
    assert stored.state == "parked"
    assert "Wix has no such order" in stored.error
    with shop.app.app_context():
        process.replay(stored.id)
    assert event(shop, stored.id).state == "pending"
    run_worker(shop)
    assert event(shop, stored.id).state == "parked"
    assert orders_of(shop) == []


def test_wix_outage_is_retried_with_backoff_then_succeeds(shop):
    order = shop.sandbox.place_order(shop.site_id, lines=[{"productId": shop.product_id}])
    response = post(shop, shop.automation_token, automation_body(order))
    # More 503s than the client's own retries: the worker must schedule a later attempt.
    shop.sandbox.burst("/ecom/v1/orders/", 503, count=5)
    run_worker(shop)
    stored = event(shop, response.get_json()["event_id"])
    assert stored.state == "failed"
    assert stored.attempts == 1
    assert "temporary problem" in stored.error
    assert process.backoff_seconds(1) == 2.0
    assert orders_of(shop) == []
    with shop.app.app_context():
        row = db.session.get(WebhookEvent, stored.id)
        row.next_attempt_at = utcnow() - timedelta(seconds=1)
        db.session.commit()
    run_worker(shop)
    assert event(shop, stored.id).state == "done"
    assert len(orders_of(shop)) == 1


def test_poison_event_is_parked_after_the_last_attempt(shop, monkeypatch, caplog):
    order = shop.sandbox.place_order(shop.site_id, lines=[{"productId": shop.product_id}])
    response = post(shop, shop.automation_token, automation_body(order))
    monkeypatch.setattr(apply, "RETRY_BASE_S", 0.0)

    def broken(channel, wix_order):
        raise ValueError("a rule crashed")

    monkeypatch.setattr(apply, "_import", broken)
    for _ in range(process.MAX_ATTEMPTS):
        run_worker(shop)
    stored = event(shop, response.get_json()["event_id"])
    assert stored.state == "parked"
    assert stored.attempts == process.MAX_ATTEMPTS
    assert "An internal error stopped this" in stored.error  # details: server log only
    assert "a rule crashed" not in stored.error and "ValueError: a rule crashed" in caplog.text


def test_dry_run_channel_processes_without_saving(shop):
    shop.update_channel(dry_run=True)
    order = shop.sandbox.place_order(shop.site_id, lines=[{"productId": shop.product_id}])
    response = post(shop, shop.automation_token, automation_body(order))
    run_worker(shop)
    stored = event(shop, response.get_json()["event_id"])
    assert stored.state == "done"
    assert stored.outcome.startswith("Dry-run mode:")
    assert orders_of(shop) == []


def test_events_are_processed_in_arrival_order(shop):
    orders = [
        shop.sandbox.place_order(shop.site_id, lines=[{"productId": shop.product_id}])
        for _ in range(3)
    ]
    for order in reversed(orders):
        post(shop, shop.automation_token, automation_body(order))
    run_worker(shop)
    assert [o.external_id for o in orders_of(shop)] == [o["id"] for o in reversed(orders)]


def test_reconciliation_poll_catches_an_order_wix_never_delivered(shop):
    shop.sandbox.set_faults(webhook_drop_rate=1.0)
    shop.sandbox.add_automation(shop.site_id, url="http://127.0.0.1:9/never")
    order = shop.sandbox.place_order(shop.site_id, lines=[{"productId": shop.product_id}])
    assert orders_of(shop) == []
    with shop.app.app_context():
        run = reconcile(shop.channel_id)
        assert run.trigger == "reconcile"
    assert [o.external_id for o in orders_of(shop)] == [order["id"]]


def test_second_endpoint_of_same_channel_shares_the_dedupe(shop):
    token = add_automation_endpoint(shop)
    order = shop.sandbox.place_order(shop.site_id, lines=[{"productId": shop.product_id}])
    assert (
        post(shop, shop.automation_token, automation_body(order)).get_json()["duplicate"] is False
    )
    assert post(shop, token, automation_body(order)).get_json()["duplicate"] is True

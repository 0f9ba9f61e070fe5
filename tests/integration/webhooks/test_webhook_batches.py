"""Webhooks at Wix's pace: JWT entities are applied without fetching, the rest once per order."""

from __future__ import annotations

import random

import pytest

from tests.integration.webhooks.test_webhook_processing import (
    automation_body,
    event,
    orders_of,
    post,
    run_worker,
)
from tests.integration.webhooks.webhook_world import app_jwt, key_pair, wix_world
from wixoms.extensions import db
from wixoms.models import WebhookEvent


@pytest.fixture
def shop(sandbox, wix_app, connected_channel, world):
    wix_app.config["WEBHOOK_WORKER"] = "off"
    return wix_world(sandbox, wix_app, connected_channel, world)


def order_fetches(shop) -> int:
    """GET /ecom/v1/orders/{id} requests the sandbox answered since its counters were reset."""
    endpoints = shop.sandbox.counters()["endpoints"]
    return sum(n for key, n in endpoints.items() if key.startswith("GET /ecom/v1/orders/"))


def test_storm_of_jwt_events_out_of_order_is_applied_without_fetching(shop, webhook_listener):
    """Created, updated and repeated deliveries, shuffled: Wix's latest state, zero fetches."""
    shop.route_app_webhooks(webhook_listener.url)
    placed = [
        shop.sandbox.place_order(
            shop.site_id, lines=[{"productId": shop.product_id}], paymentStatus="NOT_PAID"
        )
        for _ in range(4)
    ]
    for order in placed:
        shop.sandbox.update_order(order["id"], paymentStatus="PAID")
    shop.sandbox.wait_for_deliveries()
    bodies = [received.body for received in webhook_listener.received]
    assert len(bodies) >= 8  # created and updated, and whichever other events Wix sends
    storm = bodies + bodies[::3]  # Wix's retries: repeats of some deliveries
    random.Random(19).shuffle(storm)
    shop.sandbox.reset_counters()
    for body in storm:
        assert post(shop, shop.app_token, body, "text/plain").status_code == 200

    run_worker(shop)

    assert order_fetches(shop) == 0
    wix = {o["id"]: o for o in shop.sandbox.orders(shop.site_id)}
    imported = {o.external_id: o for o in orders_of(shop)}
    assert set(imported) == {o["id"] for o in placed}
    for order_id, order in imported.items():
        assert (order.channel_status, order.payment_status) == (
            wix[order_id]["status"],
            wix[order_id]["paymentStatus"],
        )
    assert {o.payment_status for o in imported.values()} == {"PAID"}
    with shop.app.app_context():
        states = set(db.session.scalars(db.select(WebhookEvent.state)))
    assert states == {"done"}


@pytest.fixture
def own_keys(shop):
    """Sign app webhooks ourselves (to send shapes Wix's entity-less events have)."""
    keys = key_pair()
    shop.app.config["WIX_PUBLIC_KEY"] = keys.public_pem
    return keys


def entityless(shop, keys, order_id: str, event_id: str) -> bytes:
    """A payment-status action event that names the order but does not carry it."""
    body = {"id": event_id, "entityId": order_id, "actionEvent": {"body": {}}}
    return app_jwt(
        keys, "wix.ecom.v1.order_payment_status_updated", body, instance_id=shop.instance_id
    )


def test_events_without_entity_cost_one_fetch_per_order_per_batch(shop, own_keys):
    first = shop.sandbox.place_order(shop.site_id, lines=[{"productId": shop.product_id}])
    second = shop.sandbox.place_order(shop.site_id, lines=[{"productId": shop.product_id}])
    sent = [
        post(shop, shop.automation_token, automation_body(first)),
        post(shop, shop.app_token, entityless(shop, own_keys, first["id"], "e1"), "text/plain"),
        post(shop, shop.app_token, entityless(shop, own_keys, first["id"], "e2"), "text/plain"),
        post(shop, shop.automation_token, automation_body(second)),
        post(shop, shop.app_token, entityless(shop, own_keys, second["id"], "e3"), "text/plain"),
    ]
    assert [r.status_code for r in sent] == [200] * 5
    shop.sandbox.reset_counters()

    assert run_worker(shop) == 5

    assert order_fetches(shop) == 2
    assert sorted(o.external_id for o in orders_of(shop)) == sorted([first["id"], second["id"]])
    outcomes = [event(shop, r.get_json()["event_id"]) for r in sent]
    assert {e.state for e in outcomes} == {"done"}
    assert outcomes[2].outcome == f"Order #{first['number']} imported."


def test_partial_entity_is_not_trusted_and_the_order_is_fetched(shop, own_keys):
    order = shop.sandbox.place_order(shop.site_id, lines=[{"productId": shop.product_id}])
    partial = {"id": "e9", "entityId": order["id"], "createdEvent": {"entity": {"id": order["id"]}}}
    body = app_jwt(own_keys, "wix.ecom.v1.order_created", partial, instance_id=shop.instance_id)
    shop.sandbox.reset_counters()
    assert post(shop, shop.app_token, body, "text/plain").status_code == 200

    run_worker(shop)

    assert order_fetches(shop) == 1
    [imported] = orders_of(shop)
    assert imported.number == order["number"]


def test_a_stale_entity_never_overwrites_a_newer_one(shop, own_keys):
    """The newer version applied first; an older entity arriving later changes nothing."""
    order = shop.sandbox.place_order(
        shop.site_id, lines=[{"productId": shop.product_id}], paymentStatus="NOT_PAID"
    )
    shop.sandbox.update_order(order["id"], paymentStatus="PAID")
    newer = next(o for o in shop.sandbox.orders(shop.site_id) if o["id"] == order["id"])
    older = {**newer, "paymentStatus": "NOT_PAID", "updatedDate": order["updatedDate"]}

    def created(entity: dict, event_id: str) -> bytes:
        data = {"id": event_id, "entityId": order["id"], "createdEvent": {"entity": entity}}
        return app_jwt(own_keys, "wix.ecom.v1.order_created", data, instance_id=shop.instance_id)

    post(shop, shop.app_token, created(newer, "new"), "text/plain")
    run_worker(shop)
    post(shop, shop.app_token, created(older, "old"), "text/plain")
    run_worker(shop)

    [imported] = orders_of(shop)
    assert imported.payment_status == "PAID"
    assert older["updatedDate"] < newer["updatedDate"]

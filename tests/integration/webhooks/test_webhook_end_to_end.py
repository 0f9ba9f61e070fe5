"""End to end: the sandbox's Automation (and app webhooks) posting to the live app over HTTP.

The worker runs as it does in the demo (a thread right after the response, no scheduler), so
placing an order in the sandbox is all it takes for the order to appear in wixoms — once.
"""

from __future__ import annotations

import time

import pytest
from sqlalchemy import func, select

from tests.fixtures.app import LiveServer
from tests.integration.webhooks.webhook_world import wix_world
from wixoms.extensions import db
from wixoms.models import Order, WebhookEvent


def wait_until(predicate, timeout: float = 20.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    return predicate()


def oms_orders(app) -> dict[str, int]:
    """Wix order id → how many OMS orders carry it."""
    with app.app_context():
        rows = db.session.execute(
            select(Order.external_id, func.count()).group_by(Order.external_id)
        ).all()
        db.session.remove()
        return dict(rows)


def inbox_settled(app) -> bool:
    with app.app_context():
        busy = db.session.scalar(
            select(func.count())
            .select_from(WebhookEvent)
            .where(WebhookEvent.state.in_(("pending", "processing", "failed")))
        )
        db.session.remove()
        return busy == 0


@pytest.fixture
def live_shop(sandbox, make_app, wix_config, connected_channel, world):
    """The app (built with the sandbox's config) served over HTTP, bound to a sandbox site."""
    app = make_app(**wix_config)
    server = LiveServer(app).start()
    shop = wix_world(sandbox, app, connected_channel, world)
    shop.url = server.url
    yield shop
    server.stop()


@pytest.mark.parametrize(
    "faults",
    [
        {},
        {"webhook_duplicate_rate": 1.0},
        {"webhook_duplicate_rate": 1.0, "webhook_delay_ms": 400},
    ],
    ids=["plain", "duplicated", "duplicated-and-delayed"],
)
def test_order_placed_in_wix_appears_in_wixoms_exactly_once(live_shop, faults):
    shop = live_shop
    shop.sandbox.add_automation(shop.site_id, url=f"{shop.url}/hooks/{shop.automation_token}")
    shop.route_app_webhooks(f"{shop.url}/hooks/{shop.app_token}")
    if faults:
        shop.sandbox.set_faults(**faults)

    placed = [
        shop.sandbox.place_order(shop.site_id, lines=[{"productId": shop.product_id}])
        for _ in range(3)
    ]
    wanted = {o["id"] for o in placed}
    seen = wait_until(lambda: wanted <= set(oms_orders(shop.app)) and oms_orders(shop.app))
    assert wanted <= set(seen), "orders did not reach wixoms"
    shop.sandbox.wait_for_deliveries(timeout=15)
    assert wait_until(lambda: inbox_settled(shop.app))

    counts = oms_orders(shop.app)
    assert {order_id: counts.get(order_id) for order_id in wanted} == dict.fromkeys(wanted, 1)
    deliveries = shop.sandbox.deliveries(kind="automation")
    assert len(deliveries) == (6 if faults.get("webhook_duplicate_rate") else 3)
    assert all(d["status"] == "delivered" for d in deliveries)
    with shop.app.app_context():
        events = db.session.scalars(select(WebhookEvent)).all()
        automation_events = [e for e in events if e.event_type == "automation.order_placed"]
        # Each Automation delivery, duplicated or not, is one inbox event.
        assert sorted(e.order_external_id for e in automation_events) == sorted(wanted)
        assert {e.state for e in events} == {"done"}
        db.session.remove()

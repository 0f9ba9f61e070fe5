"""Real time with no setup: Wix app webhooks at /hooks/wix, routed to the channel by instanceId.

The sandbox delivers app webhooks of every installed app to the app's webhook URL, as Wix does
(wix-api.md §3); a freshly connected channel gets its orders without any endpoint, Automation
or Channel Mode change. AppRemoved stops the channel; installing the app again reconnects it.
"""

from __future__ import annotations

import time

import pytest
import requests

from tests.fixtures.wix import APP_ID
from wixoms.extensions import db
from wixoms.models import Channel, Order, SyncRun, WebhookEvent
from wixoms.sync.runs import run_now


@pytest.fixture
def realtime(live_app, wix_config, wix_app_secret, sandbox, connected_channel):
    """wixoms served live; the App Market app's webhook URL is wixoms's /hooks/wix."""
    server = live_app(**wix_config)
    sandbox.register_app(
        app_id=APP_ID,
        app_secret=wix_app_secret,
        auth_flow="oauth",
        webhook_url=f"{server.url}/hooks/wix",
    )
    return server


def _order_of(sandbox, site_id: str) -> dict:
    product = sandbox.add_product(site_id, name="Tee", price=20, sku="TEE-1", quantity=50)
    line = {"productId": product["id"], "quantity": 1}
    return sandbox.place_order(site_id, lines=[line], status="APPROVED")


def _wait(app, query, timeout: float = 30.0):  # generous: CI runs beside other tests
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with app.app_context():
            found = query()
            if found:
                return found
        time.sleep(0.02)
    with app.app_context():
        return query()


def _events(app) -> list[tuple]:
    """The inbox, for a failure message: what arrived and what became of it."""
    with app.app_context():
        rows = db.session.execute(
            db.select(
                WebhookEvent.id, WebhookEvent.event_type, WebhookEvent.dedupe_key,
                WebhookEvent.state, WebhookEvent.outcome, WebhookEvent.error,
            ).order_by(WebhookEvent.id)
        )  # fmt: skip
        return [tuple(r) for r in rows]


def test_a_freshly_connected_channel_gets_orders_in_real_time_with_no_setup(
    realtime, wix_app, connected_channel, sandbox
):
    # As the wizard leaves it: Is Active off, Channel Mode Scheduled polling, no endpoint,
    # no Automation.
    channel = connected_channel(is_active=False)
    assert channel.channel_mode == "scheduled"
    with wix_app.app_context():
        assert not db.session.scalars(db.select(WebhookEvent)).all()
    placed = _order_of(sandbox, channel.site_id)

    def imported():
        return db.session.scalar(
            db.select(Order).where(
                Order.channel_id == channel.id, Order.external_id == placed["id"]
            )
        )

    order = _wait(wix_app, imported)
    assert order is not None, "the order did not arrive through the app webhook"

    def processed():  # the import commits first, then the inbox row is marked done
        events = db.session.scalars(
            db.select(WebhookEvent).where(WebhookEvent.order_external_id == placed["id"])
        ).all()
        return events if events and all(e.state == "done" for e in events) else None

    events = _wait(wix_app, processed)
    assert events, "the app webhook was not processed"
    assert all(e.endpoint_id is None for e in events)  # routed by instance, no endpoint
    assert any("imported" in e.outcome for e in events)


def test_events_for_a_site_without_channel_are_answered_and_not_stored(realtime, wix_app, sandbox):
    site = sandbox.create_site("Not yet connected", "V3_CATALOG")
    sandbox.install(APP_ID, site["id"])
    _order_of(sandbox, site["id"])
    deliveries = sandbox.wait_for_deliveries(kind="app_webhook")
    assert deliveries and all(d["status"] == "delivered" for d in deliveries)
    with wix_app.app_context():
        assert db.session.scalars(db.select(WebhookEvent)).all() == []


def test_a_forged_jwt_is_refused(realtime, connected_channel):
    connected_channel()
    forged = "eyJhbGciOiJSUzI1NiJ9.eyJkYXRhIjoie30ifQ.c2lnbmF0dXJl"
    response = requests.post(f"{realtime.url}/hooks/wix", data=forged, timeout=5)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "BAD_SIGNATURE"


def test_a_custom_app_url_of_an_unknown_app_says_how_to_fix_it(realtime):
    response = requests.post(f"{realtime.url}/hooks/wix/no-such-app", data="x.y.z", timeout=5)
    assert response.status_code == 404
    assert "Use your own Wix app" in response.json()["error"]["message"]


def test_manual_mode_keeps_app_webhooks_out(realtime, wix_app, connected_channel, sandbox):
    channel = connected_channel(channel_mode="manual")
    placed = _order_of(sandbox, channel.site_id)

    def ignored():
        return db.session.scalars(
            db.select(WebhookEvent).where(
                WebhookEvent.order_external_id == placed["id"], WebhookEvent.state == "ignored"
            )
        ).all()

    events = _wait(wix_app, ignored)
    assert events and "Manual" in events[0].error
    with wix_app.app_context():
        assert db.session.scalar(db.select(Order.id).where(Order.channel_id == channel.id)) is None


def test_app_removed_stops_the_channel_and_reinstalling_reconnects_it(
    realtime, wix_app, connected_channel, sandbox, logged_in
):
    channel = connected_channel()

    def removed():
        ch = db.session.get(Channel, channel.id, populate_existing=True)
        return ch if ch.app_removed_at is not None else None

    sandbox.remove_app(channel.instance_id)
    assert _wait(wix_app, removed) is not None
    page = logged_in.get(f"/channels/{channel.id}").get_data(as_text=True)
    assert "Reconnect needed" in page
    assert "The Wix app was removed from the site" in page
    with wix_app.app_context():
        run = run_now(channel.id, "orders")
        assert run.state == "skipped" and "reconnected" in run.summary

    sandbox.install(APP_ID, channel.site_id)

    def back():
        ch = db.session.get(Channel, channel.id, populate_existing=True)
        return ch if ch.app_removed_at is None and not ch.needs_reconnect else None

    assert _wait(wix_app, back) is not None, _events(wix_app)
    with wix_app.app_context():
        run = run_now(channel.id, "orders")
        assert run.state == "succeeded", run.summary
        assert db.session.scalar(db.select(SyncRun.id).where(SyncRun.id == run.id))


def test_a_run_refused_by_wix_after_the_app_was_removed_keeps_saying_it_was_removed(
    realtime, wix_app, connected_channel, sandbox, logged_in
):
    """A sync already running when the app is removed meets refused tokens; the channel must
    keep the message that says why and what to do, not a generic 'reconnect' one."""
    channel = connected_channel()
    sandbox.remove_app(channel.instance_id)

    def removed():
        ch = db.session.get(Channel, channel.id, populate_existing=True)
        return ch if ch.app_removed_at is not None else None

    assert _wait(wix_app, removed) is not None, _events(wix_app)
    with wix_app.app_context():
        ch = db.session.get(Channel, channel.id)
        ch.tokens_refused("Wix refused this channel's tokens: reconnect to Wix.")
        db.session.commit()
    page = logged_in.get(f"/channels/{channel.id}").get_data(as_text=True)
    assert "The Wix app was removed from the site" in page

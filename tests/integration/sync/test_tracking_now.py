"""Tracking goes to Wix when the shipment is saved, and the order page says where it is."""

from __future__ import annotations

import time
from html import unescape

import pytest

from tests.fixtures.app import PASSWORD
from wixoms.extensions import db
from wixoms.models import Carrier, Order, Shipment, SyncRun


@pytest.fixture
def shipping(shop, wix_app):
    """A Wix order downloaded into the OMS, a carrier, and the admin's browser."""

    def _make(**settings):
        s = shop(**settings)
        s.order("S")
        assert s.sync().state == "succeeded"
        with wix_app.app_context():
            ups = Carrier(account_id=s.channel.account_id, name="UPS", code="ups")
            db.session.add(ups)
            db.session.commit()
            order = db.session.scalar(db.select(Order))
            s.ids = {"order": order.id, "ups": ups.id, "line": order.lines[0].id}
        web = wix_app.test_client()
        web.post("/login", data={"email": "admin@acme.test", "password": PASSWORD})
        s.web = web
        return s

    return _make


def ship(s, number="1Z999AA10123456784") -> None:
    data = {"carrier_id": s.ids["ups"], "tracking_number": number, f"qty-{s.ids['line']}": "1"}
    response = s.web.post(f"/orders/{s.ids['order']}/shipments", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)[-800:]


def shipment(s) -> Shipment:
    with s.app.app_context():
        row = db.session.scalar(db.select(Shipment))
        db.session.expunge(row)
        return row


def wait_until_sent(s, timeout: float = 15.0) -> Shipment:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        row = shipment(s)
        if row.pushed_at is not None or row.push_error:
            return row
        time.sleep(0.1)
    raise AssertionError("the shipment was not sent to Wix")


def runs_done(s, timeout: float = 15.0) -> None:
    """Wait until no fulfillment push is queued or running."""
    deadline = time.monotonic() + timeout
    active = SyncRun.state.in_(("queued", "running"))
    while time.monotonic() < deadline:
        with s.app.app_context():
            if not db.session.scalar(db.select(db.func.count()).select_from(SyncRun).where(active)):
                return
        time.sleep(0.1)
    raise AssertionError("a fulfillment push did not end")


def page(s) -> str:
    return unescape(s.web.get(f"/orders/{s.ids['order']}").get_data(as_text=True))


def test_a_saved_shipment_is_sent_to_wix_at_once(shipping):
    s = shipping(is_active=True)
    ship(s)
    sent = wait_until_sent(s)
    runs_done(s)
    assert sent.pushed_at is not None and sent.wix_fulfillment_id
    with s.app.app_context():
        run = db.session.scalar(db.select(SyncRun).where(SyncRun.kind == "fulfillments"))
        assert run.trigger == "shipment" and run.state == "succeeded"
    assert s.sandbox.orders(s.channel.site_id)[0]["fulfillmentStatus"] == "FULFILLED"
    html = page(s)
    assert '<span class="badge ok">Sent</span>' in html
    assert f"at {sent.pushed_at:%Y-%m-%d %H:%M} UTC" in html


def test_an_inactive_channel_waits_and_says_why_until_send_to_wix_now(shipping):
    s = shipping(is_active=False)
    ship(s)
    runs_done(s)
    assert shipment(s).pushed_at is None
    html = page(s)
    assert "Waiting" in html and "Not sent by itself: the channel is not active." in html
    assert "Send to Wix now" in html
    response = s.web.post(f"/orders/{s.ids['order']}/push", headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert 'hx-trigger="every 1s"' in response.get_data(as_text=True)  # it watches the push
    assert wait_until_sent(s).pushed_at is not None
    assert "Send to Wix now" not in page(s)  # nothing left to send


def test_a_shipment_wix_refuses_shows_failed_with_wixs_reason(shipping):
    s = shipping(is_active=True)
    s.sandbox.burst("/ecom/v1/fulfillments", 400, 5)
    ship(s)
    failed = wait_until_sent(s)
    runs_done(s)
    assert failed.push_error
    html = page(s)
    assert "Failed" in html and f"Wix said: {failed.push_error}" in html


def test_an_order_awaiting_payment_waits_for_approval(shipping):
    s = shipping(is_active=True)
    with s.app.app_context():
        db.session.get(Order, s.ids["order"]).channel_status = "PENDING"
        db.session.commit()
    ship(s)
    runs_done(s)
    assert "Wix takes tracking for approved orders; this one is Awaiting payment." in page(s)


def test_send_to_wix_now_needs_an_admin_a_token_and_a_wix_order(shipping, wix_app, world):
    s = shipping(is_active=False)
    ship(s)
    url = f"/orders/{s.ids['order']}/push"
    assert s.web.post(url, csrf=False).status_code == 400
    operator = wix_app.test_client()
    operator.post("/login", data={"email": "op@acme.test", "password": PASSWORD})
    assert operator.post(url).status_code == 403
    with s.app.app_context():
        db.session.get(Order, s.ids["order"]).external_id = None  # as if entered in the OMS
        db.session.commit()
    response = s.web.post(url, headers={"HX-Request": "true"})
    assert response.status_code == 409
    assert "This order did not come from Wix" in response.get_data(as_text=True)
    assert shipment(s).pushed_at is None

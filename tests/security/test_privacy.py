"""Buyer personal data in stored webhook bodies goes with the order's, and after a retention."""

from __future__ import annotations

import json
from datetime import timedelta

from tests.integration.views.builders import add_channel, add_order
from wixoms.extensions import db
from wixoms.models import Channel, Order, WebhookEndpoint, WebhookEvent
from wixoms.models._base import utcnow
from wixoms.sync.privacy import mask_all_channels, mask_personal_data, purge_webhook_bodies

BUYER = {"buyerInfo": {"email": "jane@buyer.test"}, "shippingInfo": {"name": "Jane Roe"}}


def _event(channel_id: int, endpoint_id: int, order_ref: str, *, days_ago: int = 0) -> int:
    event = WebhookEvent(
        endpoint_id=endpoint_id,
        channel_id=channel_id,
        body=json.dumps({"id": order_ref, **BUYER}).encode(),
        headers={"X-Forwarded-For": "203.0.113.9"},
        dedupe_key=f"k-{order_ref}",
        order_external_id=order_ref,
        received_at=utcnow() - timedelta(days=days_ago),
        state="done",
    )
    db.session.add(event)
    db.session.flush()
    return event.id


def _world(app, world):
    channel_id = add_channel(app, world.acme.id)
    old = add_order(app, world.acme.id, "W-1", channel_id=channel_id)
    new = add_order(app, world.acme.id, "W-2", channel_id=channel_id)
    with app.app_context():
        endpoint = WebhookEndpoint(channel_id=channel_id, token="t" * 40)
        db.session.add(endpoint)
        db.session.flush()
        for order_id, ref, age in ((old, "wix-old", 100), (new, "wix-new", 1)):
            order = db.session.get(Order, order_id)
            order.external_id, order.placed_at = ref, utcnow() - timedelta(days=age)
        ids = (
            _event(channel_id, endpoint.id, "wix-old", days_ago=100),
            _event(channel_id, endpoint.id, "wix-new"),
        )
        channel = db.session.get(Channel, channel_id)
        channel.mask_personal_data_days = 30
        db.session.commit()
    return channel_id, ids


def test_masking_an_order_purges_its_webhook_bodies(app, world):
    channel_id, (old_event, new_event) = _world(app, world)
    with app.app_context():
        assert mask_personal_data(db.session.get(Channel, channel_id)) == 1
        db.session.commit()
        old, new = db.session.get(WebhookEvent, old_event), db.session.get(WebhookEvent, new_event)
        assert old.body == b"" and old.headers == {} and old.body_purged_at is not None
        assert old.state == "done" and old.order_external_id == "wix-old"  # what was done stays
        assert b"jane@buyer.test" in new.body and new.body_purged_at is None


def test_webhook_bodies_are_purged_after_the_retention(app, world):
    _channel_id, (old_event, new_event) = _world(app, world)
    with app.app_context():
        db.session.get(WebhookEvent, new_event).received_at = utcnow() - timedelta(days=40)
        db.session.commit()
        assert purge_webhook_bodies(30) == 2
        db.session.commit()
        assert all(
            b"jane" not in db.session.get(WebhookEvent, i).body for i in (old_event, new_event)
        )


def test_the_housekeeping_job_uses_the_configured_retention(make_app, world):
    app = make_app(WEBHOOK_BODY_RETENTION_DAYS=0)
    _channel_id, (old_event, new_event) = _world(app, world)
    with app.app_context():
        mask_all_channels(app.config["WEBHOOK_BODY_RETENTION_DAYS"])
        assert db.session.get(WebhookEvent, new_event).body == b""

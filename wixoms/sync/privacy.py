"""Buyer personal data per the channel's privacy settings (Advanced settings tab)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import update

from wixoms.extensions import db
from wixoms.models import Channel, Order, WebhookEvent
from wixoms.models._base import utcnow

PERSONAL_FIELDS = (
    "buyer_name",
    "buyer_email",
    "buyer_phone",
    "ship_name",
    "ship_company",
    "ship_address1",
    "ship_address2",
    "ship_city",
    "ship_region",
    "ship_postcode",
    "buyer_note",
)


def mask_personal_data(channel: Channel, now: datetime | None = None) -> int:
    """Blank buyer and delivery details of the channel's orders placed more than N days ago.

    N is the channel's "mask buyer personal data after N days" (None: never). The country is
    kept for statistics; personal_data_masked_at records when. Returns how many were masked.
    """
    days = channel.mask_personal_data_days
    if days is None or days < 0:
        return 0
    now = now or utcnow()
    cutoff = now - timedelta(days=days)
    result = db.session.execute(
        update(Order)
        .where(
            Order.channel_id == channel.id,
            Order.placed_at <= cutoff,
            Order.personal_data_masked_at.is_(None),
        )
        .values({**dict.fromkeys(PERSONAL_FIELDS, ""), "personal_data_masked_at": now})
        .execution_options(synchronize_session=False)
    )
    masked = db.select(Order.external_id).where(
        Order.channel_id == channel.id, Order.personal_data_masked_at.is_not(None)
    )
    _purge_bodies(
        now, WebhookEvent.channel_id == channel.id, WebhookEvent.order_external_id.in_(masked)
    )
    return result.rowcount or 0


def purge_webhook_bodies(retention_days: int, now: datetime | None = None) -> int:
    """Blank the raw body and headers of webhook deliveries received more than
    ``retention_days`` ago (what was done with them stays: state, outcome, order number)."""
    now = now or utcnow()
    cutoff = now - timedelta(days=max(0, retention_days))
    return _purge_bodies(now, WebhookEvent.received_at <= cutoff)


def _purge_bodies(now: datetime, *where) -> int:
    result = db.session.execute(
        update(WebhookEvent)
        .where(WebhookEvent.body_purged_at.is_(None), *where)
        .values(body=b"", headers={}, body_purged_at=now)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount or 0


def mask_all_channels(webhook_body_retention_days: int | None = None) -> int:
    """The housekeeping job: mask personal data on every channel that asks for it, purge
    webhook bodies past their retention; commit."""
    total = 0
    for channel in db.session.scalars(
        db.select(Channel).where(Channel.mask_personal_data_days.is_not(None))
    ):
        total += mask_personal_data(channel)
    if webhook_body_retention_days is not None:
        purge_webhook_bodies(webhook_body_retention_days)
    db.session.commit()
    return total

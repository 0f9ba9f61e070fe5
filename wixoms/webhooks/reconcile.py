"""Reconciliation in Webhooks mode: an order search since the last seen update catches what
Wix never delivered (deliveries may be dropped; Wix gives up after its retries).

The poll is the orders download itself, run with trigger "reconcile": it searches Wix orders
updated since its own checkpoint (the newest updatedDate the previous poll committed) and
applies the same rules, so an order that did arrive by webhook is merely "unchanged". Webhook
deliveries never move that checkpoint: a delivered later order must not hide a dropped earlier
one. wixoms.jobs schedules it (at most hourly) for active channels in Webhooks mode.
Wix's search never returns INITIALIZED orders; those can only arrive by webhook.
"""

from __future__ import annotations

from datetime import datetime

from wixoms.extensions import db
from wixoms.models import Channel, SyncCheckpoint, SyncRun
from wixoms.sync.runs import aware, record_skipped, run_now

TRIGGER = "reconcile"


def reconcile(channel_id: int) -> SyncRun:
    """Run the reconciliation poll for a channel now and return the finished run."""
    channel = db.session.get(Channel, channel_id)
    if channel is None:
        raise LookupError(f"channel {channel_id} does not exist")
    if channel.channel_mode != "webhooks":
        return record_skipped(
            channel_id,
            "orders",
            TRIGGER,
            "Reconciliation is for Channel Mode = Webhooks; this channel polls on its schedule.",
        )
    return run_now(channel_id, "orders", TRIGGER)


def last_seen_update(channel_id: int) -> datetime | None:
    """Where the next reconciliation search starts: the newest updatedDate it committed."""
    checkpoint = db.session.get(SyncCheckpoint, (channel_id, "orders"))
    return aware(checkpoint.updated_since) if checkpoint is not None else None

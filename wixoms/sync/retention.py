"""Sync log retention: finished runs older than the channel's Log retention are deleted."""

from __future__ import annotations

from datetime import timedelta

from wixoms.extensions import db
from wixoms.models import Channel, SyncRun
from wixoms.models._base import utcnow


def trim_sync_logs() -> int:
    """Delete finished runs (and their entries) older than each channel's log retention."""
    removed = 0
    for channel in db.session.scalars(db.select(Channel)):
        cutoff = utcnow() - timedelta(days=max(1, channel.log_retention_days or 30))
        old = db.session.scalars(
            db.select(SyncRun).where(
                SyncRun.channel_id == channel.id,
                SyncRun.state.in_(("succeeded", "partial", "failed", "skipped")),
                SyncRun.finished_at < cutoff,
            )
        ).all()
        for run in old:
            db.session.delete(run)
        removed += len(old)
    db.session.commit()
    return removed

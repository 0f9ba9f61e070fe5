"""Runs that start now instead of at their next slot: the Sync menu, a saved shipment's
tracking, a changed stock level.

One place decides how: the run is queued (a run already queued for the channel and kind is
reused, so a burst of edits makes one push); in Celery mode it is sent to the workers at once;
else a scheduler process, when there is one, executes it from its queue poll within a second;
without one, this process executes it in a thread.
And one place decides whether an automatic push may start by itself (``auto_blocker``).
"""

from __future__ import annotations

import threading
from typing import Any

from wixoms.cluster import is_celery
from wixoms.extensions import db
from wixoms.models import Channel, SyncRun, WarehouseMapping
from wixoms.sync.runs.execute import execute_run, queue_run

# The channel switch that lets a change push this kind by itself.
AUTO_SWITCH = {"fulfillments": "Push fulfillments", "inventory": "Push inventory"}


def auto_blocker(channel: Channel, kind: str) -> str:
    """Why a change does not push ``kind`` to Wix by itself ('' when it does)."""
    if channel.needs_reconnect:
        return "the channel must be reconnected to Wix first"
    if not channel.is_active:
        return "the channel is not active"
    if channel.channel_mode == "manual":
        return "Channel Mode is Manual"
    if not channel.auto_for(kind):
        return f"{AUTO_SWITCH[kind]} is not automatic"
    return ""


def start_runs(app: Any, channel_id: int, kinds: list[str], trigger: str) -> list[SyncRun]:
    """Queue one run per kind; send them to Celery (Celery mode), or without a scheduler
    process execute them in a thread here."""
    runs = [queue_run(channel_id, kind, trigger=trigger) for kind in kinds]
    ids = [r.id for r in runs if r.state == "queued"]
    if ids and is_celery(app.config):
        from wixoms.cluster.dispatch import send_runs_now

        send_runs_now(app, ids)
    elif ids and not app.config.get("SCHEDULER_ENABLED"):

        def work() -> None:
            with app.app_context():
                try:
                    for run_id in ids:
                        execute_run(run_id)
                finally:
                    db.session.remove()

        threading.Thread(target=work, name=f"sync-soon-{channel_id}", daemon=True).start()
    return runs


def push_stock_soon(app: Any, account_id: int, warehouse_ids: set[int]) -> list[SyncRun]:
    """Stock changed in these warehouses: each channel that pushes inventory from one of them
    by itself pushes now (it sends only what changed), not at its next slot."""
    mapped = db.select(WarehouseMapping.channel_id).where(
        WarehouseMapping.warehouse_id.in_(warehouse_ids)
    )
    channels = db.session.scalars(
        db.select(Channel)
        .where(Channel.account_id == account_id, Channel.id.in_(mapped))
        .order_by(Channel.id)
    ).all()
    runs: list[SyncRun] = []
    for channel in channels:
        if not auto_blocker(channel, "inventory"):
            runs += start_runs(app, channel.id, ["inventory"], trigger="stock")
    return runs

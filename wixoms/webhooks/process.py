"""The webhook worker: pending inbox events, in arrival order, through the orders-download rules.

Events are claimed in batches by one conditional UPDATE, so any number of threads and processes
can run the worker at once without handling an event twice; ``apply`` applies a claimed batch
one order at a time (the JWT's own entity when it carries one, else one fetch per order).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from flask import Flask
from sqlalchemy import ColumnElement, or_, select, update

from wixoms.cluster import is_celery
from wixoms.extensions import db
from wixoms.models import WebhookEvent
from wixoms.models._base import utcnow
from wixoms.webhooks.apply import (
    MAX_ATTEMPTS,
    RETRY_MAX_S,
    Clients,
    backoff_seconds,
    handle_batch,
    ignore_reason,
)

__all__ = [
    "MAX_ATTEMPTS",
    "RETRY_MAX_S",
    "backoff_seconds",
    "ignore_reason",
    "process_event",
    "process_pending",
    "recover_stale",
    "replay",
]

log = logging.getLogger(__name__)

# An event left "processing" longer than this was being handled by a process that died.
PROCESSING_LEASE_S = 120.0
PASS_LIMIT = 200
# Events claimed and applied together: the events of one order in a batch cost one apply.
BATCH_SIZE = 100


def _aware(value: datetime | None) -> datetime | None:
    from wixoms.sync.runs import aware

    return aware(value)


def _due(now: datetime) -> tuple[ColumnElement[bool], ...]:
    """The conditions of an event that may be claimed now."""
    return (
        WebhookEvent.state.in_(("pending", "failed")),
        or_(WebhookEvent.next_attempt_at.is_(None), WebhookEvent.next_attempt_at <= now),
    )


def due_event_ids(limit: int, now: datetime | None = None) -> list[int]:
    """Pending (and retry-due failed) events, oldest first."""
    stmt = select(WebhookEvent.id).where(*_due(now or utcnow())).order_by(WebhookEvent.id)
    return list(db.session.scalars(stmt.limit(limit)))


def claim(event_ids: list[int]) -> list[int]:
    """Take these events for this worker in one statement; return those it got, oldest first."""
    if not event_ids:
        return []
    now = utcnow()
    taken = db.session.scalars(
        update(WebhookEvent)
        .where(WebhookEvent.id.in_(event_ids), *_due(now))
        .values(
            state="processing",
            attempts=WebhookEvent.attempts + 1,
            next_attempt_at=now + timedelta(seconds=PROCESSING_LEASE_S),
        )
        .returning(WebhookEvent.id)
    ).all()
    db.session.commit()
    return sorted(taken)


def recover_stale() -> int:
    """Events left "processing" by a dead worker go back to the queue; return how many."""
    now = utcnow()
    count = db.session.execute(
        update(WebhookEvent)
        .where(WebhookEvent.state == "processing", WebhookEvent.next_attempt_at < now)
        .values(
            state="failed",
            next_attempt_at=now,
            error="The worker stopped while processing this event; it is retried.",
        )
    ).rowcount
    db.session.commit()
    return count


def process_pending(limit: int = PASS_LIMIT, clients: Clients | None = None) -> int:
    """Process due events oldest first, a batch at a time (needs an app context).

    Returns how many events were handled. ``clients`` lets a caller count the Wix fetches.
    """
    recover_stale()
    own = clients is None
    clients = clients or Clients()
    handled = 0
    try:
        while handled < limit:
            claimed = claim(due_event_ids(min(BATCH_SIZE, limit - handled)))
            if not claimed:
                break
            handle_batch(claimed, clients)
            handled += len(claimed)
    finally:
        if own:
            clients.close()
        db.session.rollback()
    return handled


def process_event(event_id: int) -> WebhookEvent | None:
    """Claim and process one event now (replay, tests); return it, whatever became of it."""
    clients = Clients()
    try:
        if claim([event_id]):
            handle_batch([event_id], clients)
    finally:
        clients.close()
    return db.session.get(WebhookEvent, event_id, populate_existing=True)


def replay(event_id: int) -> WebhookEvent | None:
    """Queue a delivery to be processed again, from the order's current state in Wix."""
    event = db.session.get(WebhookEvent, event_id)
    if event is None or event.state == "processing":
        return event
    event.state = "pending"
    event.attempts = 0
    event.error = None
    event.next_attempt_at = utcnow()
    db.session.commit()
    return event


def next_retry_at() -> datetime | None:
    """When the earliest failed event is due again (None when no retry is waiting)."""
    stmt = select(WebhookEvent.next_attempt_at).where(WebhookEvent.state == "failed")
    soonest = db.session.scalar(stmt.order_by(WebhookEvent.next_attempt_at).limit(1))
    return _aware(soonest)


# --- running the worker ----------------------------------------------------------------------


class _Drainer:
    """One background thread per app and process that drains the inbox when kicked."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self._lock = threading.Lock()
        self._wanted = False
        self._thread: threading.Thread | None = None
        self._timer: threading.Timer | None = None

    def kick(self) -> None:
        with self._lock:
            self._wanted = True
            if self._thread is not None:
                return
            self._thread = threading.Thread(target=self._run, name="webhook-worker", daemon=True)
            self._thread.start()

    def _run(self) -> None:
        while True:
            with self._lock:
                if not self._wanted:
                    self._thread = None
                    return
                self._wanted = False
            with self.app.app_context():
                try:
                    if process_pending(limit=PASS_LIMIT) >= PASS_LIMIT:
                        with self._lock:
                            self._wanted = True  # more were waiting: another pass
                    self._schedule_retry(next_retry_at())
                except Exception:
                    log.exception("webhook worker pass failed")
                finally:
                    db.session.remove()

    def _schedule_retry(self, when: datetime | None) -> None:
        if when is None:
            return
        delay = max(0.05, (when - utcnow()).total_seconds())
        with self._lock:
            if self._timer is not None and self._timer.is_alive():
                self._timer.cancel()
            self._timer = threading.Timer(delay, self.kick)
            self._timer.daemon = True
            self._timer.start()


def worker_mode(app: Flask) -> str:
    """WEBHOOK_WORKER: "thread" (default: process right after the response) or "off";
    "celery" whenever WIXOMS_QUEUE=celery (Celery workers process, web workers never)."""
    mode = str(app.config.get("WEBHOOK_WORKER") or "thread")
    if mode != "off" and is_celery(app.config):
        return "celery"
    return mode


def kick(app: Flask) -> None:
    """Wake this process's worker thread, or ask a Celery worker for a pass (no-op when
    WEBHOOK_WORKER is "off")."""
    mode = worker_mode(app)
    if mode == "celery":
        from wixoms.cluster.dispatch import kick_webhooks

        kick_webhooks(app)
        return
    if mode != "thread":
        return
    drainer = app.extensions.get("wixoms_webhook_drainer")
    if drainer is None:
        drainer = app.extensions.setdefault("wixoms_webhook_drainer", _Drainer(app))
    drainer.kick()


def scheduled_pass(app: Flask) -> Callable[[], None]:
    """The scheduler's job: a safety net for retries and events no thread was kicked for."""

    def run() -> None:
        with app.app_context():
            try:
                if worker_mode(app) != "celery":
                    process_pending()
                elif recover_stale() or due_event_ids(1):
                    from wixoms.cluster.dispatch import send_webhook_pass

                    send_webhook_pass(app, force=True)
            finally:
                db.session.remove()

    return run


def register_webhook_worker(scheduler: Any, app: Flask, interval_s: float = 2.0) -> None:
    """Add the webhook worker to the APScheduler scheduler (stable id, never overlapping)."""
    scheduler.add_job(
        scheduled_pass(app),
        "interval",
        seconds=interval_s,
        id="webhook-worker",  # no ":": jobs.reload_jobs owns ids with one
        replace_existing=True,
        max_instances=1,
        coalesce=True,
        misfire_grace_time=max(1, int(interval_s * 5)),
    )

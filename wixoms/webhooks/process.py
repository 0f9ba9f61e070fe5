"""The webhook worker: pending inbox events, in arrival order, through the orders-download rules.

The payload is only a trigger: for an order event the worker fetches the current order from
Wix by id (Wix is the truth), so repeated, delayed or out-of-order deliveries all converge on
Wix's latest state. Claims are a conditional UPDATE, so any number of threads and processes
can run the worker at once without handling an event twice.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from flask import Flask
from sqlalchemy import or_, select, update
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from wixoms.extensions import db
from wixoms.models import Channel, WebhookEvent
from wixoms.models._base import utcnow
from wixoms.wix import (
    ReconnectRequired,
    WixError,
    WixNotFound,
    WixRateLimited,
    WixServerError,
    WixUnavailable,
)

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 6
RETRY_BASE_S = 2.0
RETRY_MAX_S = 300.0
# An event left "processing" longer than this was being handled by a process that died.
PROCESSING_LEASE_S = 120.0
PASS_LIMIT = 200
RETRYABLE = (WixRateLimited, WixServerError, WixUnavailable, SQLAlchemyError)
MODE_LABELS = {"scheduled": "Scheduled polling", "webhooks": "Webhooks", "manual": "Manual"}


def _aware(value: datetime | None) -> datetime | None:
    from wixoms.sync.runs import aware

    return aware(value)


def backoff_seconds(attempts: int, retry_after: float | None = None) -> float:
    """2 s, 4 s, 8 s … capped at 5 min; Wix's Retry-After wins when it is longer."""
    delay = min(RETRY_MAX_S, RETRY_BASE_S * 2 ** max(0, attempts - 1))
    return max(delay, retry_after or 0.0)


def ignore_reason(event: WebhookEvent, channel: Channel | None) -> str | None:
    """Why an event is stored but not processed, or None when it should be processed."""
    if channel is None:
        return "The channel was deleted."
    if not channel.is_active:
        return "The channel is not active (Is Active is off), so its webhooks are not processed."
    if channel.channel_mode != "webhooks":
        mode = MODE_LABELS.get(channel.channel_mode, channel.channel_mode)
        return (
            f"Channel Mode is {mode}, not Webhooks: orders come in by the "
            f"{'schedule' if channel.channel_mode == 'scheduled' else 'Sync button'} instead."
        )
    if not event.order_external_id:
        return f"Not an order event ({event.event_type}); only orders are processed."
    if event.event_type.endswith("_deleted"):
        return "The order was deleted in Wix; wixoms keeps its copy."
    return None


def due_event_ids(limit: int, now: datetime | None = None) -> list[int]:
    """Pending (and retry-due failed) events, oldest first."""
    now = now or utcnow()
    stmt = (
        select(WebhookEvent.id)
        .where(
            WebhookEvent.state.in_(("pending", "failed")),
            or_(WebhookEvent.next_attempt_at.is_(None), WebhookEvent.next_attempt_at <= now),
        )
        .order_by(WebhookEvent.id)
        .limit(limit)
    )
    return list(db.session.scalars(stmt))


def claim(event_id: int) -> bool:
    """Take the event for this worker (atomically); False when another worker has it."""
    now = utcnow()
    taken = db.session.execute(
        update(WebhookEvent)
        .where(
            WebhookEvent.id == event_id,
            WebhookEvent.state.in_(("pending", "failed")),
            or_(WebhookEvent.next_attempt_at.is_(None), WebhookEvent.next_attempt_at <= now),
        )
        .values(
            state="processing",
            attempts=WebhookEvent.attempts + 1,
            next_attempt_at=now + timedelta(seconds=PROCESSING_LEASE_S),
        )
    ).rowcount
    db.session.commit()
    return bool(taken)


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


class _Clients:
    """One Wix client per channel for a batch of events (pooled HTTP session)."""

    def __init__(self) -> None:
        self._clients: dict[int, Any] = {}

    def get(self, channel: Channel) -> Any:
        from wixoms.connection import client_for

        if channel.id not in self._clients:
            self._clients[channel.id] = client_for(channel)
        return self._clients[channel.id]

    def close(self) -> None:
        for client in self._clients.values():
            client.close()


def process_pending(limit: int = 200) -> int:
    """Process due events oldest first (needs an app context); return how many were handled."""
    recover_stale()
    clients = _Clients()
    handled = 0
    try:
        while handled < limit:
            ids = due_event_ids(min(50, limit - handled))
            if not ids:
                break
            progressed = False
            for event_id in ids:
                if claim(event_id):
                    handle(event_id, clients)
                    handled += 1
                    progressed = True
            if not progressed:
                break
    finally:
        clients.close()
        db.session.rollback()
    return handled


def process_event(event_id: int) -> WebhookEvent | None:
    """Claim and process one event now (replay, tests); return it, whatever became of it."""
    clients = _Clients()
    try:
        if claim(event_id):
            handle(event_id, clients)
    finally:
        clients.close()
    return db.session.get(WebhookEvent, event_id, populate_existing=True)


def handle(event_id: int, clients: _Clients) -> str:
    """Process a claimed event; its final state is committed and returned."""
    event = db.session.get(WebhookEvent, event_id, populate_existing=True)
    channel = db.session.get(Channel, event.channel_id) if event.channel_id else None
    reason = ignore_reason(event, channel)
    if reason:
        return _finish(event_id, "ignored", error=reason)
    try:
        order = clients.get(channel).orders.get(event.order_external_id)
        outcome = _import(channel, order)
    except ReconnectRequired as exc:
        db.session.rollback()
        return _finish(event_id, "parked", error=exc.user_message)
    except WixNotFound:
        db.session.rollback()
        return _finish(
            event_id,
            "parked",
            error="Wix has no such order on this channel's site (deleted, or sent by another "
            "site). Replay it once the order exists.",
        )
    except RETRYABLE as exc:
        db.session.rollback()
        detail = exc.user_message if isinstance(exc, WixError) else "database busy"
        retry_after = exc.retry_after if isinstance(exc, WixRateLimited) else None
        return _retry_or_park(event_id, f"{detail} ({exc})", retry_after)
    except WixError as exc:
        db.session.rollback()
        return _finish(event_id, "parked", error=f"{exc.user_message} ({exc})")
    except Exception as exc:  # a bug or bad data must not stop the queue: retry, then park
        log.exception("webhook event %s failed", event_id)
        db.session.rollback()
        return _retry_or_park(event_id, f"Unexpected error: {type(exc).__name__}: {exc}", None)
    return _finish(event_id, "done", outcome=outcome, order_number=order.number)


def _import(channel: Channel, order: Any) -> str:
    """Apply the orders-download rules to one order and commit; describe the outcome."""
    from wixoms.sync import orders as rules

    try:
        outcome = rules.import_order(channel, order)
        if channel.dry_run:
            db.session.rollback()
            return f"Dry-run mode: {describe_outcome(outcome, channel, order)} Nothing was saved."
        db.session.commit()
    except IntegrityError:
        # Another worker or the orders download imported it meanwhile: now it is an update.
        db.session.rollback()
        outcome = rules.import_order(channel, order)
        db.session.commit()
    return describe_outcome(outcome, channel, order)


def describe_outcome(outcome: str, channel: Channel, order: Any) -> str:
    """A sentence for the deliveries list: what import_order did with the order."""
    from wixoms.sync import orders as rules

    number = f"#{order.number}"
    if outcome == rules.SKIPPED:
        reason = rules.skip_reason(channel, order, rules.OrderRules.load(channel).start)
        return f"Order {number} not imported: {reason or 'filtered by the channel settings'}."
    sentences = {
        rules.CREATED: f"Order {number} imported.",
        rules.HELD: f"Order {number} imported on hold (unknown SKU).",
        rules.MERGED: f"Order {number} imported and merged into an open order.",
        rules.UPDATED: f"Order {number} updated from Wix.",
        rules.UNCHANGED: f"Order {number} already up to date.",
    }
    return sentences.get(outcome, f"Order {number}: {outcome}.")


def _retry_or_park(event_id: int, error: str, retry_after: float | None) -> str:
    event = db.session.get(WebhookEvent, event_id, populate_existing=True)
    if event.attempts >= MAX_ATTEMPTS:
        return _finish(
            event_id, "parked", error=f"Gave up after {event.attempts} attempts: {error}"
        )
    delay = backoff_seconds(event.attempts, retry_after)
    return _finish(
        event_id, "failed", error=error, next_attempt_at=utcnow() + timedelta(seconds=delay)
    )


def _finish(
    event_id: int,
    state: str,
    *,
    error: str | None = None,
    outcome: str | None = None,
    order_number: str | None = None,
    next_attempt_at: datetime | None = None,
) -> str:
    values: dict[str, Any] = {
        "state": state,
        "error": error[:2000] if error else None,
        "next_attempt_at": next_attempt_at,
        "processed_at": utcnow(),
    }
    if outcome is not None:
        values["outcome"] = outcome[:200]
    if order_number:
        values["order_number"] = str(order_number)[:40]
    db.session.execute(update(WebhookEvent).where(WebhookEvent.id == event_id).values(**values))
    db.session.commit()
    return state


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
    """WEBHOOK_WORKER: "thread" (default: process right after the response) or "off"."""
    return str(app.config.get("WEBHOOK_WORKER", "thread"))


def kick(app: Flask) -> None:
    """Wake this process's worker thread (no-op when WEBHOOK_WORKER is "off")."""
    if worker_mode(app) != "thread":
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
                process_pending()
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

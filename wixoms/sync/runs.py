"""Sync runs: queue, lease, execute, count, log, checkpoint, recover.

Every sync kind is a plain function ``fn(ctx: RunContext) -> None`` registered with
``@sync_kind("orders")``. ``execute_run(run_id)`` needs only an app context (no request), so the
web process, the scheduler process, the CLI, or another executor later can all run it.

One run per channel and kind at a time, across processes: a Lease row named
``sync:<channel id>:<kind>`` (works on SQLite and PostgreSQL alike), renewed in the same
transaction as every ``ctx.commit()`` — if another process took the lease over, the commit is
refused and the run stops, so two runs never both write.
"""

from __future__ import annotations

import importlib
import logging
import os
import re
import socket
import threading
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import delete, insert, update
from sqlalchemy.exc import IntegrityError

from wixoms.extensions import db
from wixoms.models import Channel, Lease, SyncCheckpoint, SyncLogEntry, SyncRun
from wixoms.models._base import utcnow
from wixoms.wix import ReconnectRequired, WixClient, WixError

log = logging.getLogger(__name__)

KINDS = ("orders", "inventory", "products", "catalog_import", "fulfillments")
KIND_LABELS = {
    "orders": "Orders download",
    "inventory": "Inventory push",
    "products": "Product push",
    "catalog_import": "Catalog import",
    "fulfillments": "Fulfillment push",
}
COUNTERS = ("seen", "created", "updated", "skipped", "held", "failed")
FINAL_STATES = ("succeeded", "partial", "failed", "skipped")
LEVELS = ("debug", "info", "warning", "error")

# A run renews its lease and heartbeat at every ctx.commit(); one page of work, including
# Wix's rate-limit backoff, must fit in this window or the run is presumed dead.
DEFAULT_LEASE_SECONDS = 300

SYNC_FUNCTIONS: dict[str, Callable[[RunContext], None]] = {}


class RunSkipped(Exception):
    """Raised by ``ctx.skip(reason)``: the run ends as skipped, with the reason in the log."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class LeaseLost(Exception):
    """Another process took this run's lease over (we were presumed dead): stop writing."""


def sync_kind(kind: str) -> Callable[[Callable[[RunContext], None]], Callable[[RunContext], None]]:
    """Register ``fn`` as the sync function of ``kind``."""
    if kind not in KINDS:
        raise ValueError(f"unknown sync kind {kind!r}; one of {KINDS}")

    def register(fn: Callable[[RunContext], None]) -> Callable[[RunContext], None]:
        SYNC_FUNCTIONS[kind] = fn
        return fn

    return register


def load_sync_modules() -> None:
    """Import wixoms.sync.<kind> modules so their @sync_kind functions are registered."""
    for kind in KINDS:
        name = f"wixoms.sync.{kind}"
        try:
            importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise


# --- time and leases -------------------------------------------------------------------------


def aware(value: datetime | None) -> datetime | None:
    """SQLite hands datetimes back naive; every stored time is UTC."""
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=UTC)


def lease_seconds() -> int:
    return int(current_app.config.get("SYNC_LEASE_SECONDS", DEFAULT_LEASE_SECONDS))


def new_owner(label: str = "run") -> str:
    """A lease owner id unique to this process and call: host:pid:label:random."""
    return f"{socket.gethostname()[:30]}:{os.getpid()}:{label}:{uuid.uuid4().hex[:8]}"[:80]


def acquire_lease(name: str, owner: str, ttl_s: float) -> bool:
    """Take (or renew) the named lease if it is free, expired or already ours.

    Uses its own connection and transaction, so call it with no write pending in the session
    (on SQLite the session's write lock would otherwise block it).
    """
    now = utcnow()
    expires = now + timedelta(seconds=ttl_s)
    with db.engine.begin() as conn:
        taken = conn.execute(
            update(Lease)
            .where(Lease.name == name, (Lease.expires_at < now) | (Lease.owner == owner))
            .values(owner=owner, expires_at=expires)
        ).rowcount
        if taken:
            return True
    try:
        with db.engine.begin() as conn:
            conn.execute(insert(Lease).values(name=name, owner=owner, expires_at=expires))
        return True
    except IntegrityError:
        return False


def release_lease(name: str, owner: str) -> None:
    """Give the lease back (only if we still hold it)."""
    with db.engine.begin() as conn:
        conn.execute(delete(Lease).where(Lease.name == name, Lease.owner == owner))


def lease_holder(name: str) -> Lease | None:
    """The live holder of a lease, or None when it is free or expired."""
    lease = db.session.get(Lease, name, populate_existing=True)
    if lease is None or aware(lease.expires_at) < utcnow():
        return None
    return lease


def run_lease_name(channel_id: int, kind: str) -> str:
    return f"sync:{channel_id}:{kind}"


# --- privacy in logs -------------------------------------------------------------------------

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
_PHONE = re.compile(r"\+\d[\d\s().-]{5,}\d")


def redact(text: str, secrets: set[str] | None = None) -> str:
    """Replace e-mail addresses, international phone numbers and known buyer values."""
    for value in sorted(secrets or (), key=len, reverse=True):
        if value and len(value) >= 3:
            text = text.replace(value, "[redacted]")
    text = _EMAIL.sub("[email]", text)
    return _PHONE.sub("[phone]", text)


# --- the context a sync function works with ---------------------------------------------------


class RunContext:
    """What a sync function gets: the run, its channel, a lazy Wix client, counters and log."""

    def __init__(self, run: SyncRun, channel: Channel, owner: str, config: Any = None) -> None:
        self.run = run
        self.channel = channel
        self.owner = owner
        self.config = config if config is not None else current_app.config
        self.dry_run = bool(channel.dry_run)
        self._client: WixClient | None = None
        self._pii: set[str] = set()
        self._calls_before = 0

    @property
    def client(self) -> WixClient:
        """The channel's Wix client, built on first use (renewed tokens are stored)."""
        if self._client is None:
            from wixoms.connection import client_for

            self._client = client_for(self.channel, self.config)
            self._calls_before = self._client.calls
        return self._client

    @property
    def api_calls(self) -> int:
        return 0 if self._client is None else self._client.calls - self._calls_before

    def mark_pii(self, *values: str | None, replace: bool = False) -> None:
        """Values (a buyer's email, phone, name) that must never appear in the log.

        ``replace`` forgets the previous item's values: per-item work keeps the set small.
        """
        if replace:
            self._pii = set()
        self._pii.update(v for v in values if v)

    def log(self, level: str, message: str, item_ref: str = "") -> None:
        """Add a per-run log entry (kept with the next commit); PII removed when configured."""
        if level not in LEVELS:
            level = "info"
        if self.channel.exclude_pii_from_logs:
            message = redact(message, self._pii)
            item_ref = redact(item_ref, self._pii)
        db.session.add(
            SyncLogEntry(run_id=self.run.id, level=level, message=message, item_ref=item_ref[:120])
        )

    def count(self, field: str, n: int = 1) -> None:
        """Add ``n`` to a progress counter: seen, created, updated, skipped, held, failed."""
        if field not in COUNTERS:
            raise ValueError(f"unknown counter {field!r}; one of {COUNTERS}")
        setattr(self.run, field, (getattr(self.run, field) or 0) + n)

    def set_total(self, n: int | None) -> None:
        """How many items the run expects to see (drives the progress bar)."""
        self.run.total = n

    def commit(self) -> None:
        """Commit the work done so far with counters, heartbeat and lease: durable progress.

        Raises LeaseLost (after rolling back) if another process took the run's lease over.
        """
        now = utcnow()
        self.run.heartbeat_at = now
        self.run.api_calls = self.api_calls
        renewed = db.session.execute(
            update(Lease)
            .where(
                Lease.name == run_lease_name(self.channel.id, self.run.kind),
                Lease.owner == self.owner,
            )
            .values(expires_at=now + timedelta(seconds=lease_seconds()))
        ).rowcount
        if not renewed:
            db.session.rollback()
            raise LeaseLost(
                "Another process took over this sync (this one was presumed stopped); "
                "work since the last checkpoint was not saved."
            )
        db.session.commit()

    def get_checkpoint(self) -> SyncCheckpoint:
        """This channel's and kind's checkpoint (a new empty one the first time)."""
        cp = db.session.get(SyncCheckpoint, (self.channel.id, self.run.kind))
        if cp is None:
            cp = SyncCheckpoint(channel_id=self.channel.id, kind=self.run.kind)
            if not self.dry_run:  # a dry run leaves no trace but its log
                db.session.add(cp)
        return cp

    def save_checkpoint(
        self,
        *,
        cursor: str | None = None,
        updated_since: datetime | None = None,
        commit: bool = True,
    ) -> SyncCheckpoint:
        """Move the checkpoint; with ``commit`` it is committed with the page's work, atomically.

        Call it after the page it covers has been processed: the cursor then never runs ahead of
        committed work. ``updated_since=None`` keeps the previous value.
        """
        cp = self.get_checkpoint()
        if self.dry_run:
            return cp
        cp.cursor = cursor
        if updated_since is not None:
            cp.updated_since = updated_since
        cp.updated_at = utcnow()
        if commit:
            self.commit()
        return cp

    def skip(self, reason: str) -> None:
        """End the run as skipped, with ``reason`` shown in the Sync log."""
        raise RunSkipped(reason)

    def close(self) -> None:
        if self._client is not None:
            self._client.close()


# --- queue and execute -----------------------------------------------------------------------


def queue_run(channel_id: int, kind: str, trigger: str = "manual") -> SyncRun:
    """Queue a run; a run already queued for the same channel and kind is returned instead."""
    if kind not in KINDS:
        raise ValueError(f"unknown sync kind {kind!r}; one of {KINDS}")
    existing = db.session.scalar(
        db.select(SyncRun)
        .where(SyncRun.channel_id == channel_id, SyncRun.kind == kind, SyncRun.state == "queued")
        .order_by(SyncRun.id)
        .limit(1)
    )
    if existing is not None:
        return existing
    channel = db.session.get(Channel, channel_id)
    if channel is None:
        raise LookupError(f"channel {channel_id} does not exist")
    run = SyncRun(
        channel_id=channel_id, kind=kind, trigger=trigger, state="queued", dry_run=channel.dry_run
    )
    db.session.add(run)
    db.session.commit()
    return run


def record_skipped(channel_id: int, kind: str, trigger: str, reason: str) -> SyncRun:
    """A run that never started (missed schedule, busy, inactive channel), shown in the log."""
    now = utcnow()
    run = SyncRun(
        channel_id=channel_id, kind=kind, trigger=trigger, state="skipped", summary=reason,
        queued_at=now, started_at=now, finished_at=now,
    )  # fmt: skip
    db.session.add(run)
    db.session.flush()
    db.session.add(SyncLogEntry(run_id=run.id, level="warning", message=reason))
    db.session.commit()
    return run


def _busy_reason(channel_id: int, kind: str) -> str:
    running = db.session.scalar(
        db.select(SyncRun)
        .where(SyncRun.channel_id == channel_id, SyncRun.kind == kind, SyncRun.state == "running")
        .order_by(SyncRun.id.desc())
        .limit(1)
    )
    which = f" (run #{running.id})" if running else ""
    return (
        f"Another {KIND_LABELS[kind].lower()} run{which} is in progress on this channel; "
        "this one was not started. It runs again at its next turn, or use Sync now later."
    )


def _finish(run: SyncRun, state: str, *, summary: str = "", error: str | None = None) -> None:
    run.state = state
    run.finished_at = utcnow()
    run.heartbeat_at = run.finished_at
    idle = state in ("skipped", "failed") and not any(getattr(run, f) for f in COUNTERS)
    done = "" if idle else summarize(run)
    run.summary = f"{summary} {done}".strip()
    run.error = error


def summarize(run: SyncRun) -> str:
    """'120 seen, 100 created, 20 updated' — what was done, for the log and the summary."""
    parts = [f"{getattr(run, f) or 0} {f}" for f in COUNTERS if getattr(run, f)]
    return ("Done: " + ", ".join(parts) + ".") if parts else "Nothing to do."


def execute_run(run_id: int) -> SyncRun:
    """Run a queued SyncRun to its end under the channel-and-kind lease; return it finished.

    A run that is not queued any more is returned untouched. When another run of the same
    channel and kind holds the lease, this one ends as skipped with a message saying so.
    """
    db.session.commit()
    run = db.session.get(SyncRun, run_id, populate_existing=True)
    if run is None or run.state != "queued":
        return run
    lease = run_lease_name(run.channel_id, run.kind)
    # No transaction of ours may stay open while the lease takes its own connection: on SQLite
    # it would wait on our write lock, on PostgreSQL on any DDL queued behind our read locks.
    db.session.commit()
    owner = new_owner(f"run{run_id}")
    if not acquire_lease(lease, owner, lease_seconds()):
        _finish(run, "skipped", summary=_busy_reason(run.channel_id, run.kind))
        db.session.add(SyncLogEntry(run_id=run.id, level="warning", message=run.summary))
        db.session.commit()
        return run
    try:
        return _execute_leased(run_id, owner)
    except Exception as exc:  # outside the sync function (e.g. the database was busy)
        log.exception("sync run %s could not be completed", run_id)
        db.session.rollback()
        _fail_stranded(run_id, f"Unexpected error: {type(exc).__name__}: {exc}")
        return db.session.get(SyncRun, run_id, populate_existing=True)
    finally:
        db.session.rollback()
        release_lease(lease, owner)


def _fail_stranded(run_id: int, message: str, attempts: int = 5) -> None:
    """Never leave a run 'running' because recording its end failed: retry a plain UPDATE."""
    for attempt in range(attempts):
        try:
            db.session.execute(
                update(SyncRun)
                .where(SyncRun.id == run_id, SyncRun.state.in_(("queued", "running")))
                .values(state="failed", finished_at=utcnow(), summary=message, error=message)
            )
            db.session.commit()
            return
        except Exception:
            db.session.rollback()
            time.sleep(0.5 * (attempt + 1))
    log.error("sync run %s is left for start-up recovery", run_id)


def _execute_leased(run_id: int, owner: str) -> SyncRun:
    now = utcnow()
    claimed = db.session.execute(
        update(SyncRun)
        .where(SyncRun.id == run_id, SyncRun.state == "queued")
        .values(state="running", owner=owner, started_at=now, heartbeat_at=now)
    ).rowcount
    db.session.commit()
    run = db.session.get(SyncRun, run_id, populate_existing=True)
    if not claimed:
        return run
    channel = db.session.get(Channel, run.channel_id)
    run.dry_run = bool(channel.dry_run)
    ctx = RunContext(run, channel, owner)
    load_sync_modules()
    fn = SYNC_FUNCTIONS.get(run.kind)
    try:
        if fn is None:
            raise RunSkipped(f"{KIND_LABELS[run.kind]} is not available in this version.")
        if not channel.is_active and run.trigger == "schedule":
            raise RunSkipped("The channel is not active.")
        if channel.needs_reconnect:
            raise RunSkipped("The channel needs to be reconnected to Wix before it can sync.")
        fn(ctx)
        if ctx.dry_run:
            ctx.log("info", "Dry-run mode: computed and logged only; nothing was sent or saved.")
        ctx.commit()
        _finish(run, "partial" if run.failed else "succeeded")
        if run.failed:
            ctx.log("warning", f"{run.failed} item(s) failed; see the entries above.")
    except RunSkipped as exc:
        _after_failure(ctx, run_id)
        run = ctx.run
        _finish(run, "skipped", summary=exc.reason)
        ctx.log("warning", exc.reason)
    except ReconnectRequired as exc:
        _after_failure(ctx, run_id)
        run = ctx.run
        ctx.channel.needs_reconnect = True
        ctx.channel.last_error = exc.user_message
        _finish(run, "failed", summary=exc.user_message, error=str(exc))
        ctx.log("error", exc.user_message)
    except WixError as exc:
        _after_failure(ctx, run_id)
        run = ctx.run
        message = f"{exc.user_message} ({exc})"
        _finish(run, "failed", summary=message, error=str(exc))
        ctx.channel.last_error = exc.user_message
        ctx.log("error", f"Stopped: {message} The next run resumes from the last checkpoint.")
    except LeaseLost as exc:
        _after_failure(ctx, run_id)
        run = ctx.run
        _finish(run, "failed", summary=str(exc), error=str(exc))
    except Exception as exc:
        log.exception("sync run %s (%s) crashed", run_id, ctx.run.kind)
        _after_failure(ctx, run_id)
        run = ctx.run
        message = f"Unexpected error: {type(exc).__name__}: {exc}"
        _finish(run, "failed", summary=message, error=message)
        ctx.log("error", f"Stopped: {message} The next run resumes from the last checkpoint.")
    finally:
        ctx.close()
    run.api_calls = ctx.api_calls
    db.session.commit()
    return run


def _after_failure(ctx: RunContext, run_id: int) -> None:
    """Drop uncommitted work and reload run and channel: counters keep what was committed."""
    db.session.rollback()
    ctx.run = db.session.get(SyncRun, run_id, populate_existing=True)
    ctx.channel = db.session.get(Channel, ctx.run.channel_id, populate_existing=True)


def run_now(channel_id: int, kind: str, trigger: str = "manual") -> SyncRun:
    """Queue a run and execute it synchronously (tests, CLI)."""
    return execute_run(queue_run(channel_id, kind, trigger).id)


def execute_in_thread(app: Any, run_id: int) -> threading.Thread:
    """Execute a queued run in a daemon thread of this process (no scheduler running)."""

    def work() -> None:
        with app.app_context():
            try:
                execute_run(run_id)
            finally:
                db.session.remove()

    thread = threading.Thread(target=work, name=f"sync-run-{run_id}", daemon=True)
    thread.start()
    return thread


def recover_stale_runs(stale_after_s: float | None = None) -> list[SyncRun]:
    """Runs left running by a dead process are marked failed and re-queued; return new runs."""
    stale_after_s = lease_seconds() if stale_after_s is None else stale_after_s
    cutoff = utcnow() - timedelta(seconds=stale_after_s)
    stale = db.session.scalars(
        db.select(SyncRun).where(SyncRun.state == "running", SyncRun.heartbeat_at < cutoff)
    ).all()
    requeued: list[SyncRun] = []
    for run in stale:
        message = (
            "The process running this sync stopped (no heartbeat since "
            f"{aware(run.heartbeat_at):%Y-%m-%d %H:%M:%S} UTC). Work committed before that is "
            "kept; the sync was queued again and resumes from the checkpoint."
        )
        _finish(run, "failed", summary=message, error=message)
        db.session.add(SyncLogEntry(run_id=run.id, level="error", message=message))
        db.session.commit()
        requeued.append(queue_run(run.channel_id, run.kind, "recovery"))
    return requeued

"""Queue, claim and execute runs: ``execute_run(run_id)`` needs only an app context."""

from __future__ import annotations

import logging
import time

from flask import current_app
from sqlalchemy import update

from wixoms.extensions import db
from wixoms.models import Channel, SyncLogEntry, SyncRun
from wixoms.models._base import utcnow
from wixoms.sync.runs.context import LeaseLost, RunContext, RunSkipped
from wixoms.sync.runs.leases import (
    LeaseKeeper,
    acquire_lease,
    lease_holder,
    lease_seconds,
    new_owner,
    release_lease,
    run_lease_name,
    run_of_owner,
)
from wixoms.sync.runs.registry import KIND_LABELS, KINDS, SYNC_FUNCTIONS, load_sync_modules
from wixoms.sync.runs.summary import FINAL_STATES, finish, internal_error
from wixoms.wix import ReconnectRequired, WixError
from wixoms.wording import plural

log = logging.getLogger(__name__)

# How often run_now looks at a run another executor is running.
WAIT_STEP_S = 0.25


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


def _busy_reason(holder_run_id: int | None, kind: str) -> str:
    which = f" (run #{holder_run_id})" if holder_run_id else ""
    return (
        f"Another {KIND_LABELS[kind].lower()} run{which} is in progress on this channel; "
        "this one was not started. It runs again at its next turn, or use Sync now later."
    )


def execute_run(run_id: int) -> SyncRun:
    """Run a queued SyncRun to its end under the channel-and-kind lease; return it.

    Whoever executes a run first takes the lease (its owner names the run), then claims the run
    in the statement that starts it (queued → running). A run that is not queued any more, or
    whose lease another executor already took for it, is returned untouched: that executor runs
    it. When another run of the same channel and kind holds the lease, this one ends as skipped
    with a message saying which, unless someone claimed it meanwhile.
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
        return _lease_busy(run, lease)
    try:
        return _execute_leased(run_id, owner)
    except Exception:  # outside the sync function (e.g. the database was busy)
        log.exception("sync run %s could not be completed", run_id)
        db.session.rollback()
        _fail_stranded(run_id, internal_error(f"run {run_id}"))
        return db.session.get(SyncRun, run_id, populate_existing=True)
    finally:
        db.session.rollback()
        release_lease(lease, owner)


def _lease_busy(run: SyncRun, lease: str) -> SyncRun:
    """The lease is held: by this run's own executor (leave it), or by another run (skip)."""
    holder = lease_holder(lease)
    holder_run = run_of_owner(holder.owner) if holder is not None else None
    db.session.commit()
    if holder is None or holder_run == run.id:
        return db.session.get(SyncRun, run.id, populate_existing=True)
    reason = _busy_reason(holder_run, run.kind)
    now = utcnow()
    skipped = db.session.execute(
        update(SyncRun)
        .where(SyncRun.id == run.id, SyncRun.state == "queued")
        .values(state="skipped", summary=reason, started_at=now, finished_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    if skipped:
        db.session.add(SyncLogEntry(run_id=run.id, level="warning", message=reason))
    db.session.commit()
    return db.session.get(SyncRun, run.id, populate_existing=True)


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
    keeper = LeaseKeeper(
        current_app._get_current_object(),
        run_lease_name(run.channel_id, run.kind),
        owner,
        lease_seconds(),
    ).start()
    try:
        return _execute_claimed(run, owner)
    finally:
        keeper.stop()


def _execute_claimed(run: SyncRun, owner: str) -> SyncRun:
    run_id = run.id
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
        finish(run, "partial" if run.failed else "succeeded")
        if ctx.api_calls and ctx.channel.last_error:
            ctx.channel.last_error = None  # Wix answered this run: the old error is history
        if run.failed:
            ctx.log("warning", f"{plural(run.failed, 'item')} failed; see the entries above.")
    except RunSkipped as exc:
        _after_failure(ctx, run_id)
        run = ctx.run
        finish(run, "skipped", summary=exc.reason)
        ctx.log("warning", exc.reason)
    except ReconnectRequired as exc:
        _after_failure(ctx, run_id)
        run = ctx.run
        ctx.channel.tokens_refused(exc.user_message)
        finish(run, "failed", summary=exc.user_message, error=str(exc))
        ctx.log("error", exc.user_message)
    except WixError as exc:
        _after_failure(ctx, run_id)
        run = ctx.run
        message = f"{exc.user_message} ({exc})"
        finish(run, "failed", summary=message, error=str(exc))
        ctx.channel.last_error = exc.user_message
        ctx.log("error", f"Stopped: {message} The next run resumes from the last checkpoint.")
    except LeaseLost as exc:
        _after_failure(ctx, run_id)
        run = ctx.run
        finish(run, "failed", summary=str(exc), error=str(exc))
    except Exception:
        log.exception("sync run %s (%s) crashed", run_id, ctx.run.kind)
        _after_failure(ctx, run_id)
        run = ctx.run
        message = internal_error(f"run {run_id}")
        finish(run, "failed", summary=message, error=message)
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
    """Queue a run and execute it here, synchronously (tests, CLI); return it finished.

    A run left running by a dead process is recovered first (its sync resumes from the
    checkpoint). When a scheduler took the queued run, this waits for that executor to finish.
    """
    from wixoms.sync.runs.recover import recover_lost_runs

    recover_lost_runs()
    run = execute_run(queue_run(channel_id, kind, trigger).id)
    while run is not None and run.state not in FINAL_STATES:
        time.sleep(WAIT_STEP_S)
        if run.state == "queued":
            run = execute_run(run.id)
            continue
        recover_lost_runs()  # its executor may die while we wait
        db.session.commit()
        run = db.session.get(SyncRun, run.id, populate_existing=True)
    return run

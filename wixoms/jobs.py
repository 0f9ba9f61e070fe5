"""The in-process scheduler: which sync runs when, for exactly one process per deployment.

APScheduler 3.x cannot share a job store between processes, and gunicorn starts one copy of
the app per worker, so every process that may schedule runs a small lease keeper: the one
holding the "scheduler" Lease row (renewed every few seconds, taken over when stale) runs the
BackgroundScheduler; the others stand by. Jobs live in a memory store rebuilt from the
channels' settings at start and re-read every ~30 s, so a Save in any web process takes effect
without talking to this process. A scheduled job only queues a SyncRun; a poller executes
queued runs (from the schedule, "Sync now" or webhooks) in a small thread pool within a
second. The database is the queue: nothing is lost when a process dies.
"""

from __future__ import annotations

import atexit
import logging
import os
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC

from apscheduler.events import EVENT_JOB_MAX_INSTANCES, EVENT_JOB_MISSED, JobEvent
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.interval import IntervalTrigger
from flask import Flask

from wixoms import timers
from wixoms.cluster import is_celery
from wixoms.extensions import db
from wixoms.models import Channel, SyncRun
from wixoms.models._base import utcnow
from wixoms.sync.retention import trim_sync_logs
from wixoms.sync.runs import (
    KIND_LABELS,
    KINDS,
    acquire_lease,
    execute_run,
    new_owner,
    queue_run,
    record_skipped,
    recover_lost_runs,
    release_lease,
)
from wixoms.webhooks.process import register_webhook_worker

log = logging.getLogger(__name__)

SCHEDULER_LEASE = "scheduler"
# Webhooks bring orders in real time; a slower poll catches any delivery Wix never made.
RECONCILE_MIN_INTERVAL_MIN = 60


@dataclass(frozen=True)
class JobSpec:
    """One scheduled job: queue a run of ``kind`` on ``channel_id`` every ``minutes``."""

    channel_id: int
    kind: str
    minutes: int
    trigger: str

    @property
    def id(self) -> str:
        return f"{self.kind}:{self.channel_id}"


def wanted_jobs(channels: list[Channel]) -> dict[str, JobSpec]:
    """The jobs the channels' Main settings ask for (none for inactive channels).

    Scheduled mode: every enabled kind at its interval. Webhooks mode: orders come by webhook,
    so orders get a reconciliation poll, and the enabled outbound kinds (inventory, products,
    fulfillments) keep their schedule — webhooks cannot push to Wix. Manual mode: none.
    """
    specs: dict[str, JobSpec] = {}
    for ch in channels:
        if not ch.is_active or ch.channel_mode == "manual":
            continue
        for kind in KINDS:
            minutes = max(1, int(ch.interval_for(kind) or 1))
            if ch.channel_mode == "webhooks" and kind == "orders":
                spec = JobSpec(ch.id, kind, max(minutes, RECONCILE_MIN_INTERVAL_MIN), "reconcile")
            elif ch.auto_for(kind):
                spec = JobSpec(ch.id, kind, minutes, "schedule")
            else:
                continue
            specs[spec.id] = spec
    return specs


def should_start(app: Flask) -> bool:
    """Never in the reloader's parent, nor under `flask <command>` other than run/scheduler."""
    if not app.config.get("SCHEDULER_ENABLED"):
        return False
    if app.debug and os.environ.get("WERKZEUG_RUN_MAIN") != "true":
        return False
    argv0 = os.path.basename(sys.argv[0]) if sys.argv else ""
    if argv0 in ("flask", "flask.exe") or (argv0 == "__main__.py" and "flask" in sys.argv[0]):
        return len(sys.argv) > 1 and sys.argv[1] == "run"
    return True


class SyncScheduler:
    """Lease keeper + APScheduler + queue poller + run executor for one process."""

    def __init__(
        self,
        app: Flask,
        *,
        owner: str | None = None,
        lease_ttl_s: float | None = None,
        renew_s: float | None = None,
        poll_s: float | None = None,
        reload_s: float | None = None,
        workers: int | None = None,
    ) -> None:
        cfg = app.config
        self.app = app
        self.owner = owner or new_owner("scheduler")
        self.lease_ttl_s = lease_ttl_s or float(cfg.get("SCHEDULER_LEASE_SECONDS", 15))
        self.renew_s = renew_s or float(cfg.get("SCHEDULER_RENEW_SECONDS", 5))
        self.poll_s = poll_s or float(cfg.get("SCHEDULER_POLL_SECONDS", 1))
        self.reload_s = reload_s or float(cfg.get("SCHEDULER_RELOAD_SECONDS", 30))
        self.workers = workers or int(cfg.get("SCHEDULER_WORKERS", 4))
        self.scheduler: BackgroundScheduler | None = None
        self._apscheduler: BackgroundScheduler | None = None
        self.pool: ThreadPoolExecutor | None = None
        self.in_flight: set[int] = set()
        self.specs: dict[str, JobSpec] = {}
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._keeper: threading.Thread | None = None

    # --- leadership --------------------------------------------------------------------------

    @property
    def is_leader(self) -> bool:
        return self.scheduler is not None

    def start(self) -> SyncScheduler:
        """Start the lease keeper thread; it runs the scheduler while it holds the lease."""
        self._keeper = threading.Thread(target=self._keep_lease, name="wixoms-lease", daemon=True)
        self._keeper.start()
        return self

    def _keep_lease(self) -> None:
        while not self._stop.is_set():
            try:
                with self.app.app_context():
                    held = acquire_lease(SCHEDULER_LEASE, self.owner, self.lease_ttl_s)
                    db.session.remove()
            except Exception:
                log.exception("scheduler lease check failed")
                held = False
            if held and not self.is_leader:
                self._lead()
            elif not held and self.is_leader:
                log.warning("scheduler lease lost to another process; standing by")
                self._stand_by()
            self._stop.wait(self.renew_s)

    def _lead(self) -> None:
        log.info("this process runs the wixoms scheduler (%s)", self.owner)
        with self.app.app_context():
            recovered = recover_lost_runs()
            db.session.remove()
        if recovered:
            log.warning(
                "re-queued %d sync run(s) left running by a stopped process", len(recovered)
            )
        if not is_celery(self.app.config):  # in Celery mode the workers execute the runs
            self.pool = ThreadPoolExecutor(self.workers, thread_name_prefix="wixoms-sync")
        sched = BackgroundScheduler(timezone=UTC)
        sched.add_listener(self._on_missed, EVENT_JOB_MISSED | EVENT_JOB_MAX_INSTANCES)
        every = dict(max_instances=1, coalesce=True, replace_existing=True)
        sched.add_job(self.poll_queue, "interval", seconds=self.poll_s, id="poll", **every)
        sched.add_job(self.reload_jobs, "interval", seconds=self.reload_s, id="reload", **every)
        sched.add_job(self.housekeeping, "interval", minutes=10, id="housekeeping", **every)
        register_webhook_worker(sched, self.app)
        sched.start()
        self._apscheduler = sched
        # Jobs first, then leadership: is_leader means the channels' jobs are in place.
        self._reload(sched)
        self.scheduler = sched

    def _stand_by(self) -> None:
        sched, self.scheduler, self._apscheduler = self.scheduler, None, None
        if sched is not None:
            sched.shutdown(wait=False)
        pool, self.pool = self.pool, None
        if pool is not None:
            pool.shutdown(wait=False)

    def stop(self) -> None:
        """Stop everything and give the lease back."""
        self._stop.set()
        if self._keeper is not None and self._keeper is not threading.current_thread():
            self._keeper.join(timeout=self.renew_s + 5)
        was_leader = self.is_leader
        pool = self.pool
        self._stand_by()
        if pool is not None:
            pool.shutdown(wait=True)
        if was_leader:
            with self.app.app_context():
                release_lease(SCHEDULER_LEASE, self.owner)
                db.session.remove()

    # --- jobs -------------------------------------------------------------------------------

    def reload_jobs(self) -> dict[str, JobSpec]:
        """Rebuild the sync jobs from the channels' settings: add, reschedule, remove."""
        sched = self.scheduler
        if sched is None:
            return {}
        return self._reload(sched)

    def _reload(self, sched: BackgroundScheduler) -> dict[str, JobSpec]:
        with self.app.app_context():
            specs = wanted_jobs(list(db.session.scalars(db.select(Channel))))
            db.session.remove()
        self.specs = dict(specs)
        current = {j.id: j for j in sched.get_jobs() if ":" in j.id}
        gone = [job_id for job_id in current if job_id not in specs]
        for job_id in gone:
            current[job_id].remove()
        for job_id, spec in specs.items():
            job = current.get(job_id)
            if job is not None and job.args == (spec,):
                continue
            with self.app.app_context():
                try:
                    due = timers.due_at(job_id, spec.minutes)
                finally:
                    db.session.remove()
            # The stored due time, not "interval from now": a new leader keeps the rhythm, and
            # a slot that fell due during the handover runs at once.
            sched.add_job(
                self.fire_scheduled,
                IntervalTrigger(minutes=spec.minutes, start_date=due, timezone=UTC),
                next_run_time=max(due, utcnow()),
                args=(spec,),
                id=job_id,
                name=f"{KIND_LABELS[spec.kind]} of channel {spec.channel_id}",
                max_instances=1,
                coalesce=True,
                misfire_grace_time=spec.minutes * 60,
                replace_existing=True,
            )
        if gone:
            with self.app.app_context():
                try:
                    timers.forget(gone)
                finally:
                    db.session.remove()
        return specs

    def fire_scheduled(self, spec: JobSpec) -> None:
        """The job's slot has come: move its stored due time on, then queue the run."""
        with self.app.app_context():
            try:
                due, next_due = timers.fire(spec.id, spec.minutes)
            finally:
                db.session.remove()
        sched = self._apscheduler  # set before the jobs are added: a due job fires at once
        if sched is not None and sched.get_job(spec.id) is not None:
            sched.modify_job(spec.id, next_run_time=next_due)  # the slots' rhythm, not this run's
        if due:
            self.queue_scheduled(spec)

    def queue_scheduled(self, spec: JobSpec) -> None:
        """A job fires: queue a run, or record why none was queued (visible in the Sync log)."""
        with self.app.app_context():
            try:
                busy = db.session.scalar(
                    db.select(SyncRun).where(
                        SyncRun.channel_id == spec.channel_id,
                        SyncRun.kind == spec.kind,
                        SyncRun.state.in_(("queued", "running")),
                    )
                )
                if busy is not None:
                    record_skipped(
                        spec.channel_id, spec.kind, spec.trigger,
                        f"Scheduled {KIND_LABELS[spec.kind].lower()} skipped: run #{busy.id} "
                        f"is still {busy.state}.",
                    )  # fmt: skip
                elif db.session.get(Channel, spec.channel_id) is not None:
                    queue_run(spec.channel_id, spec.kind, spec.trigger)
            finally:
                db.session.remove()

    def _on_missed(self, event: JobEvent) -> None:
        spec = self.specs.get(event.job_id)
        if spec is None:
            return
        when = getattr(event, "scheduled_run_time", None) or utcnow()
        why = "was missed (the scheduler was stopped or busy)"
        if event.code == EVENT_JOB_MAX_INSTANCES:
            why = "was skipped: the previous one had not finished"
        label = KIND_LABELS[spec.kind].lower()
        with self.app.app_context():
            try:
                record_skipped(
                    spec.channel_id, spec.kind, spec.trigger,
                    f"Scheduled {label} of {when:%Y-%m-%d %H:%M} UTC {why}.",
                )  # fmt: skip
            finally:
                db.session.remove()

    def poll_queue(self) -> list[int]:
        """Recover lost runs, then hand queued runs to the pool (in Celery mode: send them to
        the workers), oldest first, one per channel and kind at a time."""
        celery_mode = is_celery(self.app.config)
        pool = self.pool
        if pool is None and not celery_mode:
            return []
        with self.app.app_context():
            try:
                recovered = recover_lost_runs()
                if recovered:
                    log.warning("re-queued %d sync run(s) of a stopped process", len(recovered))
                running = set(
                    db.session.execute(
                        db.select(SyncRun.channel_id, SyncRun.kind).where(
                            SyncRun.state == "running"
                        )
                    ).all()
                )
                queued = db.session.execute(
                    db.select(SyncRun.id, SyncRun.channel_id, SyncRun.kind)
                    .where(SyncRun.state == "queued")
                    .order_by(SyncRun.id)
                    .limit(1000 if celery_mode else 50)
                ).all()
            finally:
                db.session.remove()
        if celery_mode:
            from wixoms.cluster.dispatch import sender

            ready = [run_id for run_id, c, k in queued if (c, k) not in running]
            return sender(self.app).send(self.app, ready)
        submitted = []
        for run_id, channel_id, kind in queued:
            with self._lock:
                busy = {(c, k) for c, k in running}
                if run_id in self.in_flight or (channel_id, kind) in busy:
                    continue
                self.in_flight.add(run_id)
            running.add((channel_id, kind))
            pool.submit(self._execute, run_id)
            submitted.append(run_id)
        return submitted

    def _execute(self, run_id: int) -> None:
        try:
            with self.app.app_context():
                try:
                    execute_run(run_id)
                finally:
                    db.session.remove()
        except Exception:
            log.exception("sync run %s could not be executed", run_id)
        finally:
            with self._lock:
                self.in_flight.discard(run_id)

    def housekeeping(self) -> None:
        """Recover runs of dead processes, mask personal data, trim old sync logs."""
        from wixoms.sync.privacy import mask_all_channels

        with self.app.app_context():
            try:
                recover_lost_runs()
                mask_all_channels(int(self.app.config["WEBHOOK_BODY_RETENTION_DAYS"]))
                trim_sync_logs()
            finally:
                db.session.remove()


def start(app: Flask, *, force: bool = False) -> SyncScheduler | None:
    """Start this process's scheduler candidate (see module docstring); idempotent per app."""
    if not force and not should_start(app):
        return None
    existing = app.extensions.get("wixoms_scheduler")
    if existing is not None:
        return existing
    scheduler = SyncScheduler(app).start()
    app.extensions["wixoms_scheduler"] = scheduler
    atexit.register(scheduler.stop)
    return scheduler

"""Send work to the Celery workers: queued sync runs and inbox passes.

Sending is cheap and repeatable: a run's task that finds the run no longer queued returns at
once, so the scheduler re-sends a run still queued after ``RESEND_S`` (a message lost with a
broker restart) and nothing is ever executed twice.
"""

from __future__ import annotations

import logging
import threading
import time

from flask import Flask

from wixoms.cluster.celery_app import EXECUTE_RUN, PROCESS_WEBHOOKS, celery_for
from wixoms.cluster.redis_conn import key_prefix, redis_client
from wixoms.extensions import db
from wixoms.models import SyncRun

log = logging.getLogger(__name__)

# A queued run whose task was sent this long ago and still is not claimed is sent again.
RESEND_S = 60.0
# /hooks deliveries arriving within this window share one inbox pass (one task, not one each).
WEBHOOK_COALESCE_MS = 100


class RunSender:
    """Remembers which runs this process sent, so each poll sends only new (or lost) ones."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._sent: dict[int, float] = {}

    def send(self, app: Flask, run_ids: list[int]) -> list[int]:
        now = time.monotonic()
        with self._lock:
            fresh = [i for i in run_ids if now - self._sent.get(i, -RESEND_S) >= RESEND_S]
            for run_id in fresh:
                self._sent[run_id] = now
            if len(self._sent) > 10_000:  # forget long-finished runs
                self._sent = {k: v for k, v in self._sent.items() if now - v < RESEND_S}
        celery = celery_for(app)
        for run_id in fresh:
            celery.send_task(EXECUTE_RUN, args=(run_id,))
        return fresh


def send_runs_now(app: Flask, run_ids: list[int]) -> list[int]:
    """Sync now / Send to Wix now: send the runs no sibling run is busy with (needs an app
    context); the scheduler sends the others once their sibling has finished."""
    if not run_ids:
        return []
    rows = db.session.execute(
        db.select(SyncRun.id, SyncRun.channel_id, SyncRun.kind, SyncRun.state).where(
            SyncRun.id.in_(run_ids)
        )
    ).all()
    pairs = {(c, k) for _, c, k, _ in rows}
    running = {
        (c, k)
        for c, k in db.session.execute(
            db.select(SyncRun.channel_id, SyncRun.kind).where(SyncRun.state == "running")
        ).all()
        if (c, k) in pairs
    }
    ready = [i for i, c, k, s in rows if s == "queued" and (c, k) not in running]
    return sender(app).send(app, ready)


def sender(app: Flask) -> RunSender:
    found = app.extensions.get("wixoms_run_sender")
    if found is None:
        found = app.extensions.setdefault("wixoms_run_sender", RunSender())
    return found


def send_webhook_pass(app: Flask, *, force: bool = False) -> bool:
    """Ask a worker for an inbox pass; deliveries within WEBHOOK_COALESCE_MS share one."""
    if not force:
        key = f"{key_prefix(app.config)}webhooks:kick"
        if not redis_client(app.config).set(key, b"1", nx=True, px=WEBHOOK_COALESCE_MS):
            return False
    celery_for(app).send_task(PROCESS_WEBHOOKS)
    return True


class WebhookKicker:
    """Asks for inbox passes from a thread of its own, so /hooks answers without a Redis call.

    A request only raises a flag. The thread sends a pass for every flag raised; when another
    process holds the coalescing key (its pass may have been sent before this process's rows
    were committed), it tries again once the key has expired, so a pass is always asked for
    after the last committed delivery. If Redis is down the rows wait for the scheduler's pass.
    """

    def __init__(self, app: Flask) -> None:
        self.app = app
        self._wanted = threading.Event()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def kick(self) -> None:
        self._wanted.set()
        if self._thread is None:
            with self._lock:
                if self._thread is None:
                    self._thread = threading.Thread(
                        target=self._run, name="webhook-kicker", daemon=True
                    )
                    self._thread.start()

    def _run(self) -> None:
        while True:
            self._wanted.wait()
            self._wanted.clear()
            try:
                while not send_webhook_pass(self.app):
                    time.sleep(WEBHOOK_COALESCE_MS / 1000)
            except Exception:
                log.exception("could not ask for a webhook inbox pass; the scheduler will")


def kick_webhooks(app: Flask) -> None:
    """Have this process's kicker ask for an inbox pass (returns at once)."""
    found = app.extensions.get("wixoms_webhook_kicker")
    if found is None:
        found = app.extensions.setdefault("wixoms_webhook_kicker", WebhookKicker(app))
    found.kick()

"""The Celery app of a wixoms deployment and its two tasks: execute a run, drain the inbox.

Workers run ``celery -A wixoms.cluster.worker worker`` (see the Procfile). Tasks carry ids
only; the database holds the truth (a SyncRun row is claimed queued → running in one
statement under its lease), so a task delivered twice or sent twice runs once.
"""

from __future__ import annotations

import logging

from celery import Celery
from flask import Flask

from wixoms.cluster.redis_conn import key_prefix
from wixoms.extensions import db

log = logging.getLogger(__name__)

QUEUE_NAME = "wixoms"
EXECUTE_RUN = "wixoms.execute_run"
PROCESS_WEBHOOKS = "wixoms.process_webhooks"


def celery_for(app: Flask) -> Celery:
    """This app's Celery instance (built once per app)."""
    found = app.extensions.get("wixoms_celery")
    if found is None:
        found = app.extensions.setdefault("wixoms_celery", _make(app))
    return found


def _make(app: Flask) -> Celery:
    celery = Celery("wixoms", broker=app.config["REDIS_URL"], set_as_current=False)
    celery.conf.update(
        broker_transport_options={"global_keyprefix": key_prefix(app.config)},
        broker_connection_retry_on_startup=True,
        task_default_queue=QUEUE_NAME,
        task_ignore_result=True,
        # Sync runs wait on Wix (I/O): a worker holds one task per thread, never a backlog
        # another idle worker could have started. Acked early, a task would free its prefetch
        # slot at once and a busy worker would take more; acked late, a killed worker's task is
        # delivered again and finds its run no longer queued (the scheduler re-queued it).
        worker_prefetch_multiplier=1,
        task_acks_late=True,
        worker_hijack_root_logger=False,
        worker_redirect_stdouts=False,
    )

    @celery.task(name=EXECUTE_RUN, ignore_result=True)
    def execute_run_task(run_id: int) -> str | None:
        from wixoms.sync.runs import execute_run

        with app.app_context():
            try:
                run = execute_run(run_id)
                return run.state if run is not None else None
            finally:
                db.session.remove()

    @celery.task(name=PROCESS_WEBHOOKS, ignore_result=True)
    def process_webhooks_task() -> int:
        from wixoms.cluster.dispatch import send_webhook_pass
        from wixoms.webhooks.process import PASS_LIMIT, process_pending

        with app.app_context():
            try:
                handled = process_pending(limit=PASS_LIMIT)
            finally:
                db.session.remove()
        if handled >= PASS_LIMIT:  # more were waiting: another pass, on any worker
            send_webhook_pass(app, force=True)
        elif handled:  # deliveries whose kick this pass absorbed may have arrived meanwhile
            send_webhook_pass(app)
        return handled

    return celery

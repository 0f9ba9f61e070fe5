"""The Celery worker's entry point: ``celery -A wixoms.cluster.worker worker``.

Builds the wixoms app from the environment (``WIXOMS_*``; the scheduler never starts here),
yields the CPU to the web tier like every process that runs syncs (``WIXOMS_SYNC_PROCESS_NICE``)
and keeps a heartbeat key in Redis while the worker runs, which /health/queue counts.
"""

from __future__ import annotations

from celery.signals import worker_ready, worker_shutdown

from wixoms import create_app
from wixoms.cluster.celery_app import celery_for
from wixoms.cluster.health import WorkerHeartbeat
from wixoms.sync.priority import yield_cpu_to_web

flask_app = create_app({"SCHEDULER_ENABLED": False, "WEBHOOK_WORKER": "celery"})
celery = celery_for(flask_app)
yield_cpu_to_web(flask_app)
_heartbeat = WorkerHeartbeat(flask_app.config)


@worker_ready.connect
def _start_heartbeat(sender: object = None, **_: object) -> None:
    _heartbeat.start(getattr(sender, "hostname", None))


@worker_shutdown.connect
def _stop_heartbeat(**_: object) -> None:
    _heartbeat.stop()

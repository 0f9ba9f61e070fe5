"""Celery mode: sync runs and webhook events executed by Celery workers, budgets shared in Redis.

``WIXOMS_QUEUE=celery`` with ``WIXOMS_REDIS_URL`` (Redis as the broker, PostgreSQL as the
database). The embedded default (``WIXOMS_QUEUE`` unset or ``embedded``) is untouched: runs
execute in the scheduler process's thread pool and webhook events in the web process.

In Celery mode the lease-elected APScheduler still decides when a run is due and queues a
SyncRun row; it then *sends* queued runs to Celery (``dispatch``) instead of executing them.
"Sync now" and /hooks send tasks too; web workers execute nothing. The SyncRun row (claimed
queued → running in one statement) and the per-channel, per-kind lease keep a run from
executing twice, however often its task is delivered. Every process shares one Wix rate
budget and one token cache per app instance through Redis (``budget``, ``tokens``). The
catalog v3 revision cache stays per process: one inventory push per channel runs at a time
(the lease), and a revision another process moved meanwhile answers 409, which the client
already heals by re-reading and retrying once (wixoms/wix/inventory_v3.py ``set_levels``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

QUEUE_MODES = ("embedded", "celery")


def queue_mode(config: Mapping[str, Any]) -> str:
    """The configured queue mode; an unknown value is refused at start-up (``check_config``)."""
    return str(config.get("QUEUE") or "embedded").strip().lower()


def is_celery(config: Mapping[str, Any]) -> bool:
    return queue_mode(config) == "celery"


def check_config(config: Mapping[str, Any]) -> None:
    """Refuse a queue mode that cannot work, with a message saying what to set."""
    mode = queue_mode(config)
    if mode not in QUEUE_MODES:
        raise RuntimeError(f"WIXOMS_QUEUE={mode!r} is not one of {', '.join(QUEUE_MODES)}")
    if mode == "celery" and not config.get("REDIS_URL"):
        raise RuntimeError("WIXOMS_QUEUE=celery needs WIXOMS_REDIS_URL (the Redis broker)")

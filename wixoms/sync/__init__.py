"""The sync rules: one module per sync kind, plus ``runs`` (run records, leases, progress).

Sync functions are plain functions of a RunContext (built from a channel id and a run id), so
the web process, the scheduler process or another executor can run them.
"""

from wixoms.sync.runs import (
    KIND_LABELS,
    KINDS,
    SYNC_FUNCTIONS,
    RunContext,
    RunSkipped,
    execute_run,
    queue_run,
    recover_lost_runs,
    run_now,
    sync_kind,
)

__all__ = [
    "KINDS",
    "KIND_LABELS",
    "SYNC_FUNCTIONS",
    "RunContext",
    "RunSkipped",
    "execute_run",
    "queue_run",
    "recover_lost_runs",
    "run_now",
    "sync_kind",
]

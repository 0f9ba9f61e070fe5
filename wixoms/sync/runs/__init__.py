"""Sync runs: queue, lease, execute, count, log, checkpoint, recover.

Every sync kind is a plain function ``fn(ctx: RunContext) -> None`` registered with
``@sync_kind("orders")`` (``registry``). ``execute_run(run_id)`` (``execute``) needs only an app
context (no request), so the web process, the scheduler process, the CLI, or another executor
later can all run it.

One run per channel and kind at a time, across processes: a Lease row named
``sync:<channel id>:<kind>`` (``leases``; works on SQLite and PostgreSQL alike), renewed in the
same transaction as every ``ctx.commit()`` (``context``) — if another process took the lease
over, the commit is refused and the run stops, so two runs never both write. Runs whose
process lost its lease are recovered at once (``recover``).
"""

from wixoms.sync.runs.context import COUNTERS, LEVELS, LeaseLost, RunContext, RunSkipped, redact
from wixoms.sync.runs.execute import (
    execute_run,
    queue_run,
    record_skipped,
    run_now,
)
from wixoms.sync.runs.leases import (
    DEFAULT_LEASE_SECONDS,
    acquire_lease,
    aware,
    lease_holder,
    lease_seconds,
    new_owner,
    release_lease,
    run_lease_name,
    run_of_owner,
)
from wixoms.sync.runs.recover import lost_runs, recover_lost_runs
from wixoms.sync.runs.registry import (
    KIND_LABELS,
    KINDS,
    SYNC_FUNCTIONS,
    load_sync_modules,
    sync_kind,
)
from wixoms.sync.runs.summary import FINAL_STATES, finish, internal_error, summarize

__all__ = [
    "COUNTERS",
    "DEFAULT_LEASE_SECONDS",
    "FINAL_STATES",
    "KINDS",
    "KIND_LABELS",
    "LEVELS",
    "SYNC_FUNCTIONS",
    "LeaseLost",
    "RunContext",
    "RunSkipped",
    "acquire_lease",
    "aware",
    "execute_run",
    "finish",
    "internal_error",
    "lease_holder",
    "lease_seconds",
    "load_sync_modules",
    "new_owner",
    "queue_run",
    "record_skipped",
    "lost_runs",
    "recover_lost_runs",
    "redact",
    "release_lease",
    "run_lease_name",
    "run_now",
    "run_of_owner",
    "summarize",
    "sync_kind",
]

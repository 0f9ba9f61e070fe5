"""How a run ends: its final state and the one-line summary of what it did."""

from __future__ import annotations

from wixoms.models import SyncRun
from wixoms.models._base import utcnow
from wixoms.sync.runs.context import COUNTERS

FINAL_STATES = ("succeeded", "partial", "failed", "skipped")


def finish(run: SyncRun, state: str, *, summary: str = "", error: str | None = None) -> None:
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


def internal_error(reference: str) -> str:
    """What the merchant reads about a bug or a database failure: never its SQL or values
    (they may hold buyers' data); log.exception has written the details to the server log."""
    return f"An internal error stopped this. The details are in the server log ({reference})."

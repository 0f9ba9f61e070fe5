"""Recovery: a run whose process lost its lease (it died) is failed and queued again at once.

The lease is the proof of life (``leases.LeaseKeeper`` renews it while the process runs), so the
age of a run's heartbeat does not matter: a run is lost when no live lease names its owner. This
is checked at scheduler takeover and start-up, at every queue poll, and when a CLI run meets
one. The new run resumes from the checkpoint the lost one committed.
"""

from __future__ import annotations

from sqlalchemy import update

from wixoms.extensions import db
from wixoms.models import Lease, SyncLogEntry, SyncRun
from wixoms.models._base import utcnow
from wixoms.sync.runs.execute import queue_run
from wixoms.sync.runs.leases import db_now, run_lease_name
from wixoms.sync.runs.summary import finish

LOST_MESSAGE = (
    "The process running this sync stopped (its lease was not renewed). Work committed before "
    "that is kept; the sync was queued again and resumes from the checkpoint."
)


def lost_runs() -> list[SyncRun]:
    """Running runs whose owner holds no live lease for them."""
    now = db_now()
    live = dict(
        db.session.execute(db.select(Lease.name, Lease.owner).where(Lease.expires_at >= now)).all()
    )
    running = db.session.scalars(db.select(SyncRun).where(SyncRun.state == "running")).all()
    return [r for r in running if live.get(run_lease_name(r.channel_id, r.kind)) != r.owner]


def recover_lost_runs() -> list[SyncRun]:
    """Fail and re-queue every lost run; return the new runs (one statement claims each)."""
    requeued: list[SyncRun] = []
    for run in lost_runs():
        taken = db.session.execute(
            update(SyncRun)
            .where(SyncRun.id == run.id, SyncRun.state == "running", SyncRun.owner == run.owner)
            .values(state="failed", finished_at=utcnow())
            .execution_options(synchronize_session=False)
        ).rowcount
        db.session.commit()
        if not taken:
            continue  # it ended (or was recovered by another process) meanwhile
        run = db.session.get(SyncRun, run.id, populate_existing=True)
        finish(run, "failed", summary=LOST_MESSAGE, error=LOST_MESSAGE)
        db.session.add(SyncLogEntry(run_id=run.id, level="error", message=LOST_MESSAGE))
        db.session.commit()
        requeued.append(queue_run(run.channel_id, run.kind, "recovery"))
    return requeued

"""Each scheduled job's next due time, in the database: a takeover neither resets nor skips.

APScheduler keeps its triggers in memory, so a new scheduler leader would start every interval
afresh (a slot due during the handover was lost, and an hourly job slipped by an hour). The
leader therefore starts each job at its stored due time (at once when that time has passed), and
every firing moves the stored time to the next slot after now.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete

from wixoms.extensions import db
from wixoms.models import JobTimer
from wixoms.models._base import utcnow
from wixoms.sync.runs import aware

# A firing this early (clock steps, APScheduler's rounding) still counts for its slot.
EARLY_S = 1.0


def due_at(job_id: str, minutes: int, now: datetime | None = None) -> datetime:
    """When the job is next due; a new job (or one whose interval changed) starts a fresh slot."""
    now = now or utcnow()
    timer = db.session.get(JobTimer, job_id, populate_existing=True)
    if timer is None:
        timer = JobTimer(job_id=job_id, minutes=minutes, next_due_at=now + _every(minutes))
        db.session.add(timer)
    elif timer.minutes != minutes:
        timer.minutes = minutes
        timer.next_due_at = now + _every(minutes)
    db.session.commit()
    return aware(timer.next_due_at)


def fire(job_id: str, minutes: int, now: datetime | None = None) -> tuple[bool, datetime]:
    """A job fires: (is a slot due, the next due time); a due slot moves the stored time on.

    Not due when the stored slot is still ahead: an earlier leader already fired for this one.
    """
    now = now or utcnow()
    timer = db.session.get(JobTimer, job_id, populate_existing=True)
    if timer is None:
        due = now + _every(minutes)
        db.session.add(JobTimer(job_id=job_id, minutes=minutes, next_due_at=due))
        db.session.commit()
        return True, due
    due = aware(timer.next_due_at)
    if due - now > timedelta(seconds=EARLY_S):
        db.session.rollback()
        return False, due
    every = _every(minutes)
    if due <= now:
        due += every * ((now - due) // every + 1)
    timer.minutes = minutes
    timer.next_due_at = due
    db.session.commit()
    return True, due


def forget(job_ids: list[str]) -> None:
    """Jobs that no longer exist (a channel deactivated, a kind switched off) lose their timer."""
    if job_ids:
        db.session.execute(delete(JobTimer).where(JobTimer.job_id.in_(job_ids)))
        db.session.commit()


def _every(minutes: int) -> timedelta:
    return timedelta(minutes=max(1, minutes))

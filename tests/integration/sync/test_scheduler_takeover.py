"""Scheduler takeovers: each job keeps its due time, and a slot due during a handover runs."""

from __future__ import annotations

import time
from datetime import timedelta

from tests.integration.sync.test_scheduler import schedulers, wait_for  # noqa: F401 (fixture)
from wixoms.extensions import db
from wixoms.models import SyncRun
from wixoms.models._base import utcnow


def _next_run(sched, job_id: str):
    job = wait_for(lambda: sched.scheduler and sched.scheduler.get_job(job_id))
    return job.next_run_time


def test_a_takeover_keeps_each_jobs_due_time(shop, schedulers):  # noqa: F811
    s = shop(orders_interval_min=5)
    job_id = f"orders:{s.channel.id}"
    first = schedulers("first")
    due = _next_run(first, job_id)
    first.stop()  # the leader goes away; the next one starts a while later
    time.sleep(1.5)
    second = schedulers("second")
    assert abs((_next_run(second, job_id) - due).total_seconds()) < 0.01


def test_a_slot_that_fell_due_during_the_handover_runs_at_takeover(shop, schedulers):  # noqa: F811
    from wixoms.models import JobTimer

    s = shop(orders_interval_min=15)
    s.order()
    job_id = f"orders:{s.channel.id}"
    missed = utcnow() - timedelta(seconds=20)
    with s.app.app_context():
        db.session.add(JobTimer(job_id=job_id, minutes=15, next_due_at=missed))
        db.session.commit()

    sched = schedulers("new-leader")

    def scheduled_run():
        with s.app.app_context():
            run = db.session.scalar(db.select(SyncRun).where(SyncRun.trigger == "schedule"))
            db.session.remove()
            return run

    assert wait_for(scheduled_run, timeout=10)
    assert abs((_next_run(sched, job_id) - (missed + timedelta(minutes=15))).total_seconds()) < 1
    with s.app.app_context():
        timer = db.session.get(JobTimer, job_id)
        stored = timer.next_due_at.replace(tzinfo=missed.tzinfo)
        assert abs((stored - (missed + timedelta(minutes=15))).total_seconds()) < 0.01


def test_takeover_recovers_the_dead_leaders_run_at_once(shop, schedulers):  # noqa: F811
    """Its heartbeat is seconds old, but its lease lapsed with its process: resumed now."""
    from wixoms.models import Lease

    s = shop()
    s.order()
    with s.app.app_context():
        beat = utcnow() - timedelta(seconds=3)
        dead = SyncRun(channel_id=s.channel.id, kind="orders", state="running",
                       owner="old-leader:1:run1", started_at=beat, heartbeat_at=beat)  # fmt: skip
        db.session.add(dead)
        db.session.add(Lease(name=f"sync:{s.channel.id}:orders", owner="old-leader:1:run1",
                             expires_at=utcnow() - timedelta(seconds=1)))  # fmt: skip
        db.session.commit()
        dead_id = dead.id
    schedulers("new-leader")

    def resumed():
        with s.app.app_context():
            done = (SyncRun.trigger == "recovery", SyncRun.state == "succeeded")
            run = db.session.scalar(db.select(SyncRun).where(*done))
            db.session.remove()
            return run is not None

    assert wait_for(resumed, timeout=10)
    with s.app.app_context():
        assert db.session.get(SyncRun, dead_id).state == "failed"

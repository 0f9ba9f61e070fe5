"""The scheduler: jobs follow Main settings, one process runs them (lease), runs get executed."""

from __future__ import annotations

import sys
import time
from datetime import UTC, datetime, timedelta

import pytest

from wixoms import jobs
from wixoms.extensions import db
from wixoms.jobs import JobSpec, SyncScheduler, should_start, wanted_jobs
from wixoms.models import Channel, Lease, Order, SyncRun
from wixoms.models._base import utcnow
from wixoms.sync.runs import queue_run

FAST = dict(lease_ttl_s=1.0, renew_s=0.1, poll_s=0.1, reload_s=0.3, workers=2)


def wait_for(predicate, timeout: float = 15.0, step: float = 0.05):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(step)
    raise AssertionError(f"timed out waiting for {predicate.__name__}")


@pytest.fixture
def schedulers(wix_app):
    made: list[SyncScheduler] = []

    def _make(owner: str) -> SyncScheduler:
        scheduler = SyncScheduler(wix_app, owner=owner, **FAST).start()
        made.append(scheduler)
        return scheduler

    yield _make
    for scheduler in made:
        scheduler.stop()


def _channel(id_: int, **settings) -> Channel:
    values = dict(
        is_active=True, channel_mode="scheduled", orders_auto=True, orders_interval_min=15,
        inventory_auto=False, inventory_interval_min=30, products_auto=False,
        products_interval_min=360, catalog_import_auto=False, catalog_import_interval_min=1440,
        fulfillments_auto=True, fulfillments_interval_min=10,
    )  # fmt: skip
    values.update(settings)
    return Channel(id=id_, **values)


def test_jobs_follow_each_channels_main_settings():
    specs = wanted_jobs(
        [
            _channel(1),
            _channel(2, inventory_auto=True, fulfillments_auto=False),
            _channel(3, is_active=False),
            _channel(4, channel_mode="manual"),
            _channel(5, channel_mode="webhooks", orders_interval_min=15),
        ]
    )
    assert {k: (v.minutes, v.trigger) for k, v in specs.items()} == {
        "orders:1": (15, "schedule"),
        "fulfillments:1": (10, "schedule"),
        "orders:2": (15, "schedule"),
        "inventory:2": (30, "schedule"),
        "orders:5": (60, "reconcile"),
        "fulfillments:5": (10, "schedule"),
    }


def test_two_schedulers_only_the_lease_holder_runs_jobs(shop, schedulers):
    s = shop()
    s.order()
    a, b = schedulers("scheduler-a"), schedulers("scheduler-b")
    wait_for(lambda: a.is_leader or b.is_leader)
    time.sleep(0.5)
    assert [a.is_leader, b.is_leader].count(True) == 1
    leader, standby = (a, b) if a.is_leader else (b, a)
    with s.app.app_context():
        run_id = queue_run(s.channel.id, "orders").id
        db.session.remove()

    def finished():
        with s.app.app_context():
            state = db.session.get(SyncRun, run_id).state
            db.session.remove()
            return state if state not in ("queued", "running") else None

    assert wait_for(finished) == "succeeded"
    assert len(s.orders()) == 1
    assert standby.in_flight == set() and standby.scheduler is None

    # The leader dies without giving the lease back: the other takes over once it is stale.
    leader._stop.set()
    leader._keeper.join(5)
    leader._stand_by()
    wait_for(lambda: standby.is_leader, timeout=10)
    s.order()
    with s.app.app_context():
        run_id = queue_run(s.channel.id, "orders").id
        assert db.session.get(Lease, "scheduler").owner == standby.owner
        db.session.remove()
    assert wait_for(finished) == "succeeded"
    assert len(s.orders()) == 2


def test_reload_builds_jobs_from_settings_and_follows_a_save(shop, schedulers):
    s = shop(orders_interval_min=5)
    sched = schedulers("solo")
    wait_for(lambda: sched.is_leader)
    ids = lambda: {j.id for j in sched.scheduler.get_jobs() if ":" in j.id}  # noqa: E731
    assert wait_for(lambda: ids() == {f"orders:{s.channel.id}", f"fulfillments:{s.channel.id}"})
    job = sched.scheduler.get_job(f"orders:{s.channel.id}")
    assert (job.max_instances, job.coalesce, job.misfire_grace_time) == (1, True, 300)
    assert job.trigger.interval == timedelta(minutes=5)
    s.settings(channel_mode="manual")  # a Save in any web process
    assert wait_for(lambda: ids() == set(), timeout=5)  # re-read within the reload interval
    s.settings(channel_mode="scheduled", is_active=False)
    sched.reload_jobs()
    assert ids() == set()


def test_scheduled_job_queues_a_run_that_the_poller_executes(shop, schedulers):
    s = shop()
    s.order()
    sched = schedulers("solo")
    wait_for(lambda: sched.is_leader)
    sched.queue_scheduled(JobSpec(s.channel.id, "orders", 15, "schedule"))

    def done():
        with s.app.app_context():
            run = db.session.scalar(db.select(SyncRun).where(SyncRun.trigger == "schedule"))
            result = run.state if run and run.state == "succeeded" else None
            db.session.remove()
            return result

    assert wait_for(done)
    assert len(s.orders()) == 1


def test_scheduled_run_skipped_while_the_previous_runs_is_in_the_sync_log(shop, wix_app):
    s = shop()
    sched = SyncScheduler(wix_app, owner="idle", **FAST)  # not started: call the job directly
    with wix_app.app_context():
        busy = SyncRun(channel_id=s.channel.id, kind="orders", state="running",
                       started_at=utcnow(), heartbeat_at=utcnow())  # fmt: skip
        db.session.add(busy)
        db.session.commit()
        busy_id = busy.id
    sched.queue_scheduled(JobSpec(s.channel.id, "orders", 15, "schedule"))
    with wix_app.app_context():
        skipped = db.session.scalar(db.select(SyncRun).where(SyncRun.state == "skipped"))
        assert skipped.trigger == "schedule"
        assert f"run #{busy_id} is still running" in skipped.summary
        assert skipped.entries[0].level == "warning"


def test_missed_run_is_recorded_in_the_sync_log(shop, schedulers):
    s = shop()
    sched = schedulers("solo")
    wait_for(lambda: sched.is_leader)
    spec = JobSpec(s.channel.id, "orders", 15, "schedule")
    sched.specs["orders:missed"] = spec
    sched.scheduler.add_job(
        sched.queue_scheduled, "date", run_date=datetime.now(UTC) - timedelta(minutes=5),
        args=(spec,), id="orders:missed", misfire_grace_time=1,
    )  # fmt: skip

    def recorded():
        with s.app.app_context():
            run = db.session.scalar(db.select(SyncRun).where(SyncRun.state == "skipped"))
            summary = run.summary if run else None
            db.session.remove()
            return summary

    assert "was missed" in wait_for(recorded)


def test_start_recovers_runs_left_running_by_a_dead_process(shop, schedulers):
    s = shop()
    s.order()
    with s.app.app_context():
        old = utcnow() - timedelta(hours=2)
        dead = SyncRun(channel_id=s.channel.id, kind="orders", state="running",
                       started_at=old, heartbeat_at=old)  # fmt: skip
        db.session.add(dead)
        db.session.commit()
        dead_id = dead.id
    sched = schedulers("solo")
    wait_for(lambda: sched.is_leader)

    def recovered():
        with s.app.app_context():
            done = (SyncRun.trigger == "recovery", SyncRun.state == "succeeded")
            run = db.session.scalar(db.select(SyncRun).where(*done))
            db.session.remove()
            return run is not None

    assert wait_for(recovered)
    with s.app.app_context():
        assert db.session.get(SyncRun, dead_id).state == "failed"
        assert db.session.scalar(db.select(db.func.count()).select_from(Order)) == 1


def test_scheduler_starts_only_where_allowed(make_app, monkeypatch):
    app = make_app()
    assert not should_start(app)  # SCHEDULER_ENABLED is off in tests unless asked
    app.config["SCHEDULER_ENABLED"] = True
    monkeypatch.setattr(sys, "argv", ["/venv/bin/flask", "db", "upgrade"])
    assert not should_start(app)
    monkeypatch.setattr(sys, "argv", ["/venv/bin/flask", "run"])
    assert should_start(app)
    app.debug = True
    monkeypatch.delenv("WERKZEUG_RUN_MAIN", raising=False)
    assert not should_start(app)  # the reloader's parent
    monkeypatch.setenv("WERKZEUG_RUN_MAIN", "true")
    assert should_start(app)
    monkeypatch.setattr(sys, "argv", ["/venv/bin/gunicorn", "wsgi:app"])
    app.debug = False
    assert should_start(app)


def test_create_app_starts_the_scheduler_when_asked(make_app):
    app = make_app(SCHEDULER_ENABLED=True, SCHEDULER_RENEW_SECONDS=0.1)
    scheduler = app.extensions["wixoms_scheduler"]
    try:
        wait_for(lambda: scheduler.is_leader)
        assert jobs.start(app) is scheduler  # idempotent
    finally:
        scheduler.stop()

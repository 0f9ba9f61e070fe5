"""Runs claimed atomically, recovered in seconds: a CLI sync and the scheduler never lose one."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

from tests.integration.sync.test_runs import channel_id, kind  # noqa: F401 (fixtures)
from wixoms.extensions import db
from wixoms.models import Lease, SyncRun
from wixoms.models._base import utcnow
from wixoms.sync import runs
from wixoms.sync.runs import execute_run, queue_run, recover_lost_runs, run_now


def _pause_between_lease_and_claim(monkeypatch):
    """The first executor stops after taking the lease, before its claim (the race window)."""
    holding, go = threading.Event(), threading.Event()
    real = runs.execute._execute_leased
    first = threading.Lock()

    def paused(run_id, owner):
        if first.acquire(blocking=False):
            holding.set()
            assert go.wait(10)
        return real(run_id, owner)

    monkeypatch.setattr(runs.execute, "_execute_leased", paused)
    return holding, go


def test_a_second_executor_of_the_same_run_never_skips_it(app, channel_id, kind, monkeypatch):  # noqa: F811
    """The scheduler's poller and a CLI sync both take the same queued run: it runs once."""
    calls = []
    kind(lambda ctx: calls.append(ctx.run.id))
    holding, go = _pause_between_lease_and_claim(monkeypatch)
    with app.app_context():
        run_id = queue_run(channel_id, "orders", "manual").id

    def scheduler_executes():
        with app.app_context():
            execute_run(run_id)
            db.session.remove()

    thread = threading.Thread(target=scheduler_executes)
    thread.start()
    try:
        assert holding.wait(10)
        with app.app_context():
            seen_by_cli = execute_run(run_id)  # meets the lease its own run's executor holds
            assert seen_by_cli.state == "queued"
    finally:
        go.set()
        thread.join(10)
    with app.app_context():
        run = db.session.get(SyncRun, run_id)
        assert run.state == "succeeded"
        assert "in progress" not in run.summary
    assert calls == [run_id]


def test_a_cli_sync_whose_run_the_scheduler_took_waits_for_it(app, channel_id, kind, monkeypatch):  # noqa: F811
    calls = []
    kind(lambda ctx: calls.append(ctx.run.id))
    holding, go = _pause_between_lease_and_claim(monkeypatch)
    with app.app_context():
        run_id = queue_run(channel_id, "orders", "schedule").id
    thread = threading.Thread(target=lambda: _execute(app, run_id))
    thread.start()
    threading.Timer(0.5, go.set).start()
    try:
        assert holding.wait(10)
        with app.app_context():
            cli = run_now(channel_id, "orders")  # queue_run hands back the queued run
            assert (cli.id, cli.state) == (run_id, "succeeded")
    finally:
        go.set()
        thread.join(10)
    assert calls == [run_id]


def _execute(app, run_id: int) -> None:
    with app.app_context():
        execute_run(run_id)
        db.session.remove()


def _dead_run(channel_id: int, heartbeat_age_s: float) -> int:  # noqa: F811
    """A run left running by a killed process: its lease has lapsed (or was never renewed)."""
    beat = utcnow() - timedelta(seconds=heartbeat_age_s)
    run = SyncRun(
        channel_id=channel_id, kind="orders", state="running", seen=7, owner="dead:9:run1",
        started_at=beat, heartbeat_at=beat,
    )  # fmt: skip
    db.session.add(run)
    db.session.add(
        Lease(name=f"sync:{channel_id}:orders", owner="dead:9:run1",
              expires_at=utcnow() - timedelta(seconds=1))
    )  # fmt: skip
    db.session.commit()
    return run.id


def test_a_cli_sync_recovers_the_run_a_killed_process_left(app, channel_id, kind):  # noqa: F811
    """With the CLI alone, nobody used to mark the dead run failed."""
    kind(lambda ctx: ctx.count("seen"))
    with app.app_context():
        dead_id = _dead_run(channel_id, heartbeat_age_s=5)
        run = run_now(channel_id, "orders")
        assert (run.state, run.trigger) == ("succeeded", "recovery")
        dead = db.session.get(SyncRun, dead_id)
        assert dead.state == "failed"
        assert "lease was not renewed" in dead.summary


def test_a_lost_run_is_recovered_at_once_whatever_its_heartbeat(app, channel_id):  # noqa: F811
    with app.app_context():
        dead_id = _dead_run(channel_id, heartbeat_age_s=2)
        [again] = recover_lost_runs()
        assert again.trigger == "recovery" and again.state == "queued"
        assert db.session.get(SyncRun, dead_id).state == "failed"


def test_a_slow_run_keeps_its_lease_while_its_process_lives(app, channel_id, kind):  # noqa: F811
    """No commit for longer than the lease (Wix's backoff): the keeper renews it meanwhile."""
    app.config["SYNC_LEASE_SECONDS"] = 1
    started, release = threading.Event(), threading.Event()

    def slow(ctx):
        started.set()
        assert release.wait(10)
        ctx.count("seen")

    kind(slow)
    with app.app_context():
        run_id = queue_run(channel_id, "orders").id
    thread = threading.Thread(target=lambda: _execute(app, run_id))
    thread.start()
    try:
        assert started.wait(10)
        time.sleep(2.5)  # more than twice the lease
        with app.app_context():
            assert recover_lost_runs() == []
    finally:
        release.set()
        thread.join(10)
    with app.app_context():
        assert db.session.get(SyncRun, run_id).state == "succeeded"

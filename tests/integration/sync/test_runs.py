"""Run mechanics: lease per channel and kind, final states, counters, checkpoints, recovery."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest

from wixoms.extensions import db
from wixoms.models import Channel, Lease, SyncCheckpoint, SyncLogEntry, SyncRun
from wixoms.models._base import utcnow
from wixoms.sync import runs
from wixoms.sync.runs import (
    SYNC_FUNCTIONS,
    acquire_lease,
    execute_run,
    queue_run,
    recover_lost_runs,
    release_lease,
    run_now,
)


@pytest.fixture
def channel_id(app, world) -> int:
    with app.app_context():
        channel = Channel(account_id=world.acme.id, name="Wix", instance_id="i-1", is_active=True)
        db.session.add(channel)
        db.session.commit()
        return channel.id


@pytest.fixture
def kind(monkeypatch):
    """Plug a sync function into the 'orders' slot: tests of the machinery, not the rules."""
    runs.load_sync_modules()

    def plug(fn):
        monkeypatch.setitem(SYNC_FUNCTIONS, "orders", fn)
        return "orders"

    return plug


def test_run_succeeds_with_counters_log_and_checkpoint(app, channel_id, kind):
    def work(ctx):
        ctx.set_total(3)
        for i in range(3):
            ctx.count("seen")
            ctx.count("created")
            ctx.log("info", f"item {i}", f"#{i}")
            ctx.save_checkpoint(cursor=f"page-{i}")

    with app.app_context():
        run = run_now(channel_id, kind(work))
        assert (run.state, run.seen, run.created, run.total) == ("succeeded", 3, 3, 3)
        assert run.summary == "Done: 3 seen, 3 created."
        assert [e.item_ref for e in run.entries] == ["#0", "#1", "#2"]
        assert db.session.get(SyncCheckpoint, (channel_id, "orders")).cursor == "page-2"
        assert run.started_at and run.finished_at and run.owner
        assert db.session.get(Lease, f"sync:{channel_id}:orders") is None


def test_failed_items_make_the_run_partial(app, channel_id, kind):
    def work(ctx):
        ctx.count("seen", 2)
        ctx.count("failed")
        ctx.log("error", "one item failed")

    with app.app_context():
        run = run_now(channel_id, kind(work))
        assert run.state == "partial"
        assert "1 failed" in run.summary


def test_crash_keeps_committed_work_and_records_what_was_done(app, channel_id, kind, caplog):
    def work(ctx):
        ctx.count("seen", 100)
        ctx.save_checkpoint(cursor="after-page-1")
        ctx.count("seen", 100)  # page 2 never committed
        raise RuntimeError("disk on fire")

    with app.app_context():
        run = run_now(channel_id, kind(work))
        assert run.state == "failed"
        assert run.seen == 100
        # The merchant reads a plain message; the exception goes to the server log only.
        assert "An internal error stopped this" in run.error and "disk" not in run.error
        assert "RuntimeError: disk on fire" in caplog.text
        assert "Done: 100 seen." in run.summary
        assert db.session.get(SyncCheckpoint, (channel_id, "orders")).cursor == "after-page-1"


def test_skip_ends_the_run_as_skipped_with_the_reason(app, channel_id, kind):
    with app.app_context():
        run = run_now(channel_id, kind(lambda ctx: ctx.skip("No warehouse is mapped.")))
        assert run.state == "skipped"
        assert run.summary == "No warehouse is mapped."
        assert run.entries[-1].message == "No warehouse is mapped."


def test_second_queued_run_of_the_same_kind_is_refused(app, channel_id):
    with app.app_context():
        first = queue_run(channel_id, "orders")
        again = queue_run(channel_id, "orders")
        other = queue_run(channel_id, "inventory")
        assert again.id == first.id
        assert other.id != first.id


def test_concurrent_run_of_the_same_kind_is_refused_with_a_message(app, channel_id, kind):
    started, release = threading.Event(), threading.Event()

    def slow(ctx):
        started.set()
        assert release.wait(10)

    kind(slow)
    with app.app_context():
        first = queue_run(channel_id, "orders").id

    def run_first():
        with app.app_context():
            execute_run(first)
            db.session.remove()

    thread = threading.Thread(target=run_first)
    thread.start()
    try:
        assert started.wait(10)
        with app.app_context():
            second = run_now(channel_id, "orders")
            assert second.state == "skipped"
            assert f"run #{first}" in second.summary
            assert "in progress" in second.summary
    finally:
        release.set()
        thread.join(10)
    with app.app_context():
        assert db.session.get(SyncRun, first).state == "succeeded"


def test_runs_of_different_kinds_do_not_block_each_other(app, channel_id, kind, monkeypatch):
    monkeypatch.setitem(SYNC_FUNCTIONS, "inventory", lambda ctx: ctx.count("seen"))
    with app.app_context():
        assert acquire_lease(f"sync:{channel_id}:orders", "someone-else", 60)
        assert run_now(channel_id, "inventory").state == "succeeded"


def test_lease_taken_over_when_expired(app):
    with app.app_context():
        assert acquire_lease("x", "a", 60)
        assert not acquire_lease("x", "b", 60)
        assert acquire_lease("x", "a", 60)  # renewal by the holder
        db.session.execute(db.update(Lease).values(expires_at=utcnow() - timedelta(seconds=1)))
        db.session.commit()
        assert acquire_lease("x", "b", 60)
        release_lease("x", "a")  # not the holder any more: nothing happens
        assert db.session.get(Lease, "x", populate_existing=True).owner == "b"


def test_run_that_lost_its_lease_stops_without_saving(app, channel_id, kind):
    def work(ctx):
        ctx.count("seen")
        ctx.commit()
        db.session.execute(
            db.update(Lease).where(Lease.name.like("sync:%")).values(owner="another-process")
        )
        db.session.commit()
        ctx.count("seen")
        ctx.save_checkpoint(cursor="must-not-move")

    with app.app_context():
        run = run_now(channel_id, kind(work))
        assert run.state == "failed"
        assert run.seen == 1
        assert "took over" in run.summary
        assert db.session.get(SyncCheckpoint, (channel_id, "orders")) is None


def test_run_whose_owner_lost_its_lease_is_recovered_whatever_its_heartbeat(app, channel_id):
    """The lease is the proof of life: a fresh heartbeat does not keep a dead run running,
    and an old heartbeat does not condemn a run whose process still renews its lease."""
    with app.app_context():
        old = utcnow() - timedelta(hours=1)
        dead = SyncRun(
            channel_id=channel_id, kind="orders", state="running", seen=40, owner="gone:1:run1",
            started_at=utcnow(), heartbeat_at=utcnow(),
        )  # fmt: skip
        alive = SyncRun(
            channel_id=channel_id, kind="inventory", state="running", owner="here:2:run2",
            started_at=old, heartbeat_at=old,
        )  # fmt: skip
        db.session.add_all([dead, alive])
        db.session.commit()
        assert acquire_lease(f"sync:{channel_id}:inventory", "here:2:run2", 60)
        requeued = recover_lost_runs()
        assert [(r.kind, r.trigger, r.state) for r in requeued] == [
            ("orders", "recovery", "queued")
        ]
        db.session.refresh(dead)
        assert dead.state == "failed"
        assert "stopped" in dead.summary and "Done: 40 seen." in dead.summary
        assert db.session.get(SyncRun, alive.id).state == "running"
        assert recover_lost_runs() == []  # recovered once


def test_dry_run_channel_marks_the_run(app, channel_id, kind):
    with app.app_context():
        db.session.get(Channel, channel_id).dry_run = True
        db.session.commit()
        run = run_now(channel_id, kind(lambda ctx: ctx.save_checkpoint(cursor="moved")))
        assert run.dry_run
        assert db.session.get(SyncCheckpoint, (channel_id, "orders")) is None
        assert any("Dry-run" in e.message for e in run.entries)


def test_buyer_email_and_phone_never_logged_when_excluded(app, channel_id, kind):
    def work(ctx):
        ctx.mark_pii("Ada Lovelace")
        ctx.log("info", "Order #1 by Ada Lovelace <ada@example.com>, +1 415 555 0100")

    with app.app_context():
        run = run_now(channel_id, kind(work))
        message = db.session.scalars(db.select(SyncLogEntry.message)).first()
        assert "ada@example.com" not in message
        assert "555 0100" not in message
        assert "Ada Lovelace" not in message
        assert message.startswith("Order #1 by")
        assert run.state == "succeeded"


def test_unknown_channel_cannot_be_queued(app, world):
    with app.app_context(), pytest.raises(LookupError):
        queue_run(999, "orders")


def test_every_kind_has_a_label_and_the_registry_refuses_unknown_kinds():
    assert set(runs.KIND_LABELS) == set(runs.KINDS)
    with pytest.raises(ValueError):
        runs.sync_kind("everything")


def test_a_failure_outside_the_sync_function_never_leaves_the_run_running(
    app, channel_id, monkeypatch, caplog
):
    """Regression (demo on SQLite): 'database is locked' while starting left a run 'running'."""

    def busy(run_id, owner):
        db.session.execute(db.update(SyncRun).where(SyncRun.id == run_id).values(state="running"))
        db.session.commit()
        raise RuntimeError("database is locked")

    monkeypatch.setattr(runs.execute, "_execute_leased", busy)
    with app.app_context():
        run = run_now(channel_id, "orders")
        assert run.state == "failed"
        assert "An internal error stopped this" in run.summary
        assert "database is locked" in caplog.text
        assert db.session.get(Lease, f"sync:{channel_id}:orders") is None

"""Orders download under failure: killed runs, 429/5xx bursts, expired tokens, removed app."""

from __future__ import annotations

from datetime import timedelta

import pytest

from wixoms.extensions import db
from wixoms.models import Channel, Order, SyncCheckpoint, SyncRun
from wixoms.models._base import utcnow
from wixoms.sync.orders import download as orders_sync
from wixoms.sync.runs import execute_run, recover_lost_runs

SEARCH = "/ecom/v1/orders/search"
N = 350  # four pages of 100; the client prefetches one page ahead


@pytest.fixture
def busy_shop(shop):
    s = shop()
    s.placed = [s.order("S" if i % 2 else "M") for i in range(N)]
    s.sandbox.set_faults(retry_after=0)  # Retry-After: 0 keeps the retries fast
    return s


def _after_page(monkeypatch, k: int, action) -> None:
    """Run ``action()`` once, right after page ``k`` has been imported and committed."""
    real = orders_sync.import_page
    seen = {"pages": 0}

    def wrapped(ctx, page, rules):
        if seen["pages"] == k:
            action()
        seen["pages"] += 1
        return real(ctx, page, rules)

    monkeypatch.setattr(orders_sync, "import_page", wrapped)


def _assert_each_wix_order_once(s) -> None:
    ids = [o.external_id for o in s.orders()]
    assert len(ids) == len(set(ids)) == N
    assert set(ids) == {p["id"] for p in s.placed}


def test_run_failing_after_page_k_resumes_from_the_checkpoint(busy_shop, monkeypatch):
    s = busy_shop

    def fail():
        raise RuntimeError("injected failure after page 2")

    _after_page(monkeypatch, 2, fail)
    first = s.sync()
    assert first.state == "failed"
    assert (first.seen, first.created) == (200, 200)
    assert "Done: 200 seen, 200 created." in first.summary
    with s.app.app_context():
        assert db.session.get(SyncCheckpoint, (s.channel.id, "orders")).cursor
    monkeypatch.undo()
    second = s.sync()
    assert (second.state, second.created) == ("succeeded", N - 200)
    _assert_each_wix_order_once(s)


def test_process_killed_mid_run_is_recovered_and_resumes(busy_shop, monkeypatch):
    s = busy_shop

    def kill():
        raise KeyboardInterrupt  # not an Exception: nothing in the run catches it, like a kill

    _after_page(monkeypatch, 1, kill)
    with pytest.raises(KeyboardInterrupt):
        s.sync()
    monkeypatch.undo()
    with s.app.app_context():
        dead = db.session.scalar(db.select(SyncRun))
        assert dead.state == "running"
        requeued = recover_lost_runs()
        assert [r.trigger for r in requeued] == ["recovery"]
        resumed = execute_run(requeued[0].id)
        assert (resumed.state, resumed.created) == ("succeeded", N - 100)
        assert db.session.get(SyncRun, dead.id).state == "failed"
    _assert_each_wix_order_once(s)


def test_bursts_of_429_and_5xx_are_survived(busy_shop):
    s = busy_shop
    s.sandbox.reset_counters()
    s.sandbox.burst(SEARCH, 429, 2)
    s.sandbox.burst(SEARCH, 503, 2)
    run = s.sync()
    assert (run.state, run.created) == ("succeeded", N)
    _assert_each_wix_order_once(s)
    calls = s.sandbox.counters()["endpoints"]
    assert calls[f"POST {SEARCH}"] == 4 + 4  # four pages, four refused attempts retried


def test_wix_failure_mid_run_is_recorded_and_the_next_run_resumes(busy_shop, monkeypatch):
    s = busy_shop
    _after_page(monkeypatch, 1, lambda: s.sandbox.burst(SEARCH, 503, 20))
    first = s.sync()
    assert first.state == "failed"
    # the next page may already be fetched (prefetch): the fetch of page 3 or page 4 fails
    done = first.created
    assert done in (200, 300) and f"Done: {done} seen, {done} created." in first.summary
    assert any(e.level == "error" and "resumes" in e.message for e in first.entries)
    monkeypatch.undo()
    s.sandbox.clear_faults()
    second = s.sync()
    assert (second.state, second.created) == ("succeeded", N - done)
    _assert_each_wix_order_once(s)


def test_token_expiring_mid_run_is_renewed(busy_shop, monkeypatch):
    s = busy_shop
    with s.app.app_context():
        token_before = db.session.get(Channel, s.channel.id).access_token
    _after_page(monkeypatch, 1, s.sandbox.expire_tokens)
    run = s.sync()
    assert (run.state, run.created) == ("succeeded", N)
    with s.app.app_context():
        channel = db.session.get(Channel, s.channel.id)
        assert channel.access_token != token_before
        assert not channel.needs_reconnect
    _assert_each_wix_order_once(s)


def test_app_removed_from_the_site_asks_to_reconnect(shop):
    s = shop()
    s.order()
    s.sandbox.remove_app(s.channel.instance_id)
    run = s.sync()
    assert run.state == "failed"
    assert "Reconnect" in run.summary
    with s.app.app_context():
        channel = db.session.get(Channel, s.channel.id)
        assert channel.needs_reconnect
        assert db.session.scalar(db.select(db.func.count()).select_from(Order)) == 0
    assert s.sync().state == "skipped"  # no pointless calls until reconnected


def test_run_heartbeat_is_fresh_while_running(busy_shop, monkeypatch):
    s = busy_shop
    beats = []

    def look():
        with s.app.app_context():
            run = db.session.scalar(db.select(SyncRun).where(SyncRun.state == "running"))
            beats.append(run.heartbeat_at)

    _after_page(monkeypatch, 2, look)
    s.sync()
    assert beats and utcnow() - beats[0].replace(tzinfo=utcnow().tzinfo) < timedelta(seconds=60)

"""WIXOMS_QUEUE=celery: sync runs execute on Celery worker processes, once, under one budget."""

from __future__ import annotations

import math
import time

from tests.integration.cluster.conftest import runs, wait_for
from wixoms.cluster.celery_app import EXECUTE_RUN, celery_for
from wixoms.extensions import db
from wixoms.jobs import SyncScheduler
from wixoms.models import Order, SyncCheckpoint, SyncRun
from wixoms.sync.runs import queue_run
from wixoms.sync.runs.recover import LOST_MESSAGE
from wixoms.sync.runs.soon import start_runs
from wixoms.wix.throughput import PLANS


def _orders(app) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(db.select(Order.external_id)))


def _finished(app, channel_id: int, kind: str = "orders"):
    def check():
        found = runs(app, channel_id, kind)
        return found if found and all(r.state not in ("queued", "running") for r in found) else None

    return check


def test_sync_now_runs_on_a_worker_once_however_often_its_task_is_delivered(
    wix_app, seeded_channel, workers
):
    channel = seeded_channel(orders=120, products=3)
    with wix_app.app_context():
        run_id = start_runs(wix_app, channel.id, ["orders"], trigger="manual")[0].id
        # The broker delivers the same task again (a resend after a lost ack, a second poll).
        celery_for(wix_app).send_task(EXECUTE_RUN, args=(run_id,))
        celery_for(wix_app).send_task(EXECUTE_RUN, args=(run_id,))
    health = wix_app.test_client().get("/health/queue").get_json()
    assert (health["queue"], health["queue_depth"], health["workers"]) == ("celery", 3, 0)
    assert health["runs_queued"] == 1
    worker = workers.start(concurrency=4)
    done = wait_for(wix_app, _finished(wix_app, channel.id), 30, "the run to finish")
    health = wix_app.test_client().get("/health/queue").get_json()
    assert (health["queue_depth"], health["workers"], health["runs_queued"]) == (0, 1, 0)
    assert [(r.id, r.state) for r in done] == [(run_id, "succeeded")]
    # The worker process executed it, not the web process that queued it.
    assert f":{worker.pid}:" in done[0].owner
    ids = _orders(wix_app)
    assert len(ids) == len(set(ids)) == done[0].created > 0


def test_a_worker_killed_mid_run_leaves_a_run_that_resumes_from_its_checkpoint(
    wix_app, seeded_channel, workers, sandbox
):
    channel = seeded_channel(orders=400, products=3)
    sandbox.set_faults(latency_ms=400)  # each page takes a while: time to kill mid-run
    first = workers.start(concurrency=1)
    with wix_app.app_context():
        run_id = queue_run(channel.id, "orders").id
    scheduler = SyncScheduler(wix_app)  # the elected scheduler's queue poll, in Celery mode
    assert scheduler.poll_queue() == [run_id]

    def checkpointed():
        cp = db.session.get(SyncCheckpoint, (channel.id, "orders"))
        return cp is not None and cp.cursor and len(_orders(wix_app)) >= 100

    wait_for(wix_app, checkpointed, 30, "the first pages to be committed")
    workers.kill(first)
    with wix_app.app_context():
        committed = db.session.get(SyncRun, run_id).seen
    assert 100 <= committed < 400
    sandbox.set_faults(latency_ms=0)
    workers.start(concurrency=1)
    # Its lease runs out (2 s here); the scheduler's poll recovers the run and sends the new one.
    wait_for(wix_app, lambda: len(scheduler.poll_queue()) == 1, 15, "the lost run's recovery")
    done = wait_for(wix_app, _finished(wix_app, channel.id), 30, "the recovered run")
    assert [(r.state, r.trigger) for r in done] == [("failed", "manual"), ("succeeded", "recovery")]
    assert done[0].summary.startswith(LOST_MESSAGE)
    # The new run started at the checkpoint: the pages the killed one committed are not read
    # again (at most the page it was on), and every order is in the OMS once.
    assert done[0].seen == committed
    assert done[1].seen <= 400 - committed + 100
    ids = _orders(wix_app)
    assert len(ids) == len(set(ids)) == done[0].created + done[1].created


def test_two_workers_share_one_instance_budget_and_token(wix_app, seeded_channel, workers, sandbox):
    plan = PLANS["pro"]
    channel = seeded_channel(orders=1000, products=24, plan=plan.key)
    workers.start(concurrency=1)
    workers.start(concurrency=1)
    sandbox.reset_counters()
    started = time.monotonic()
    with wix_app.app_context():
        start_runs(wix_app, channel.id, ["orders", "catalog_import"], trigger="manual")
    wait_for(wix_app, _finished(wix_app, channel.id, "orders"), 40, "the orders run")
    wait_for(wix_app, _finished(wix_app, channel.id, "catalog_import"), 40, "the import")
    elapsed = time.monotonic() - started
    owners = {r.owner.split(":")[1] for k in ("orders", "catalog_import")
              for r in runs(wix_app, channel.id, k)}  # fmt: skip
    assert len(owners) == 2, "each run executed on its own worker process"
    counters = sandbox.counters()
    peak = counters["peak_per_minute"][channel.instance_id]
    # One bucket for the instance, whatever the number of processes: at most the burst plus
    # the rate over the time the runs took (two per-process buckets would allow twice that).
    assert peak > plan.burst + 10, "the runs needed well more calls than one burst"
    assert peak <= plan.burst + math.ceil(plan.requests_per_second * elapsed) + 1
    # Both workers needed a token at once: the cluster asked Wix for one.
    assert counters["token_grants"] == {channel.instance_id: 1}

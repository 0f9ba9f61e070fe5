"""Benchmark: the Celery mode — channels synced per minute with 1, 2 and 4 worker processes.

One private PostgreSQL database (re-created), a private Redis key prefix, and the Wix sandbox
as a process answering every API call after ``latency_ms`` (200 ms, Wix's latency dominates a
sync). The sandbox is seeded with 3 × ``channels`` sites, each with orders, and a channel of
the OMS is bound to each site. For 1, 2 and 4 Celery worker processes (each ``--pool threads
--concurrency 2``: each process adds I/O concurrency and a GIL of its own), a fresh group
of ``channels`` channels gets an orders download queued and sent through Celery as "Sync now"
does; the time from sending to the last run finished gives channels synced per minute.

Metrics: ``channels_per_min_{1,2,4}_workers`` and ``speedup_4_workers`` (goal ≥ 2.5);
``max_calls_per_instance_per_min`` counted by the sandbox (≤ 200 and ≤ the plan's rate +
burst); ``duplicate_runs`` (orders runs executed more than once per channel, goal 0);
``orders_missing`` (sandbox orders in a searchable status not in the OMS, goal 0);
``token_requests_per_instance_max`` against ``token_lifetimes_elapsed_max`` (goal: at most the
lifetimes + 1).

Run: .venv/bin/python bench/scale_out.py [--quick] [--database-url URL] [--redis-url URL]
Writes bench/results/scale_out.json.
"""

from __future__ import annotations

import math
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import redis

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from _common import bench_parser, load_average, print_metrics, write_results  # noqa: E402
from _fault_world import (  # noqa: E402
    APP_ID,
    Process,
    app_config,
    env_of,
    fresh_database,
    start_sandbox,
)

from wixoms import create_app  # noqa: E402
from wixoms.cluster.dispatch import sender  # noqa: E402
from wixoms.extensions import db  # noqa: E402
from wixoms.models import Account, Channel, Order, SyncRun  # noqa: E402
from wixoms.sync.runs import queue_run  # noqa: E402
from wixoms.wix.throughput import PLANS  # noqa: E402

WORKER_COUNTS = (1, 2, 4)
THREADS_PER_WORKER = 2
SEARCHABLE = ["APPROVED", "PENDING", "CANCELED", "REJECTED"]
PLAN = "standard"


def start_workers(count: int, config: dict, tmp: Path, client: redis.Redis) -> list[Process]:
    pattern = f"{config['REDIS_PREFIX']}worker:*"
    before = set(client.scan_iter(match=pattern))
    procs = [
        Process(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "wixoms.cluster.worker",
                "worker",
                "--pool",
                "threads",
                "--concurrency",
                str(THREADS_PER_WORKER),
                "--prefetch-multiplier",
                "1",
                "--without-gossip",
                "--without-mingle",
                "--loglevel",
                "WARNING",
                "--hostname",
                f"bench{count}-{i}@%h",
            ],
            env_of(config),
            tmp / f"worker-{count}-{i}.log",
        )  # fmt: skip
        for i in range(count)
    ]
    deadline = time.monotonic() + 60
    while len(set(client.scan_iter(match=pattern)) - before) < count:
        if time.monotonic() > deadline:
            raise RuntimeError(f"{count} Celery workers did not start; see {tmp}")
        time.sleep(0.2)
    return procs


def bind_channels(app, control, sites: list[dict]) -> list[int]:
    """One merchant account per site (an account has one channel), bound to the site."""
    ids = []
    with app.app_context():
        for n, site in enumerate(sites):
            install = control.install(APP_ID, site["id"])
            account = Account(name=f"Merchant {n + 1}")
            db.session.add(account)
            db.session.flush()
            channel = Channel(
                account_id=account.id, name=site["name"][:60], catalog_version="v3",
                is_active=True, auth_flow="oauth", instance_id=install["instanceId"],
                site_id=site["id"], site_url="", site_name=site["name"][:60],
                api_url=app.config["WIX_API_BASE"], throughput_plan=PLAN,
                import_last_days=30, order_statuses=list(SEARCHABLE), skip_fulfilled=False,
                process_pickup_orders=True,
            )  # fmt: skip
            db.session.add(channel)
            db.session.flush()
            ids.append(channel.id)
        db.session.commit()
    return ids


def sync_group(app, channel_ids: list[int], timeout_s: float) -> float:
    """Queue and send one orders download per channel; seconds until all have finished."""
    started = time.monotonic()
    with app.app_context():
        run_ids = [queue_run(cid, "orders", "manual").id for cid in channel_ids]
        sender(app).send(app, run_ids)
        db.session.remove()
    while time.monotonic() - started < timeout_s:
        with app.app_context():
            left = db.session.scalar(
                db.select(db.func.count()).where(
                    SyncRun.id.in_(run_ids), SyncRun.state.in_(("queued", "running"))
                )
            )
            db.session.remove()
        if not left:
            return time.monotonic() - started
        time.sleep(0.1)
    raise RuntimeError(f"{len(channel_ids)} runs did not finish within {timeout_s} s")


def main() -> int:
    parser = bench_parser(__doc__, "100 channels of 10 orders (same ratios, under 3 minutes)")
    parser.add_argument(
        "--database-url", default="postgresql://postgres@127.0.0.1:5432/wixoms_scale_out"
    )
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/0")
    args = parser.parse_args()
    channels = 100
    orders_per_site = 10 if args.quick else 40
    latency_ms = 200
    tmp = Path(tempfile.mkdtemp(prefix="wixoms-scale-out-"))
    db_url = fresh_database(args.database_url)
    client = redis.Redis.from_url(args.redis_url)
    client.ping()
    prefix = f"wixoms-bench-{uuid.uuid4().hex[:8]}:"
    sandbox, control, wix_url = start_sandbox(tmp)
    workers: list[Process] = []
    bench_started = time.monotonic()
    try:
        config = {
            **app_config(db_url, wix_url, control, tmp),
            "QUEUE": "celery",
            "REDIS_URL": args.redis_url,
            "REDIS_PREFIX": prefix,
        }
        app = create_app({**config, "SCHEDULER_ENABLED": False})
        with app.app_context():
            db.create_all()
        base = datetime.now(UTC) - timedelta(minutes=10 * orders_per_site + 60)
        sites = control.seed(
            sites=channels * len(WORKER_COUNTS), catalog="v3", products=2,
            orders=orders_per_site, baseDate=base.isoformat(),
        )["sites"]  # fmt: skip
        channel_ids = bind_channels(app, control, sites)
        control.set_faults(latency_ms=latency_ms)
        control.reset_counters()
        per_min: dict[int, float] = {}
        for n, count in enumerate(WORKER_COUNTS):
            workers = start_workers(count, config, tmp, client)
            group = channel_ids[n * channels : (n + 1) * channels]
            took = sync_group(app, group, timeout_s=300)
            per_min[count] = round(channels / took * 60, 1)
            print(f"{count} worker(s): {channels} channels in {took:.1f} s", flush=True)
            for proc in workers:
                proc.stop()
            workers = []
        elapsed = time.monotonic() - bench_started
        counters = control.counters()
        with app.app_context():
            executed = db.session.execute(
                db.select(SyncRun.channel_id, db.func.count())
                .where(SyncRun.kind == "orders", SyncRun.state.notin_(("queued", "skipped")))
                .group_by(SyncRun.channel_id)
            ).all()
            in_oms = dict(
                db.session.execute(
                    db.select(
                        Order.channel_id, db.func.count(db.func.distinct(Order.external_id))
                    ).group_by(Order.channel_id)
                ).all()
            )
            duplicated_orders = db.session.scalar(
                db.select(db.func.count() - db.func.count(db.func.distinct(Order.external_id)))
            )
            site_of = dict(db.session.execute(db.select(Channel.site_id, Channel.id)).all())
        expected = {
            site_of[s["id"]]: sum(1 for o in control.orders(s["id"]) if o["status"] in SEARCHABLE)
            for s in sites
        }
        missing = sum(max(0, want - in_oms.get(cid, 0)) for cid, want in expected.items())
        plan = PLANS[PLAN]
        ttl = float(control.config()["oauth2_token_ttl"])
        metrics = {
            "engine": "celery",
            "channels": channels,
            **{f"channels_per_min_{c}_workers": per_min[c] for c in WORKER_COUNTS},
            "speedup_4_workers": round(per_min[4] / per_min[1], 2),
            "max_calls_per_instance_per_min": max(counters["peak_per_minute"].values()),
            "plan_calls_per_min_max": plan.requests_per_minute + plan.burst,
            "duplicate_runs": sum(max(0, n - 1) for _, n in executed),
            "orders_duplicated": duplicated_orders,
            "orders_missing": missing,
            "token_requests_per_instance_max": max(counters["token_grants"].values()),
            "token_lifetimes_elapsed_max": math.ceil(elapsed / ttl),
        }
    finally:
        for proc in workers:
            proc.stop()
        sandbox.stop()
        keys = list(client.scan_iter(match=f"{prefix}*", count=1000))
        if keys:
            client.delete(*keys)
    params = {
        "quick": args.quick,
        "channels_per_group": channels,
        "sites_seeded": channels * len(WORKER_COUNTS),
        "orders_per_site": orders_per_site,
        "latency_ms": latency_ms,
        "worker_counts": list(WORKER_COUNTS),
        "threads_per_worker": THREADS_PER_WORKER,
        "prefetch_multiplier": 1,
        "plan": PLAN,
        "database": "postgresql",
        "broker": "redis",
        "cpu_count": __import__("os").cpu_count(),
        "load_average_1m": load_average(),
    }
    goals = {
        "speedup_4_workers": "≥ 2.5",
        "max_calls_per_instance_per_min": f"≤ 200 and ≤ {plan.requests_per_minute + plan.burst}",
        "duplicate_runs": "0",
        "orders_duplicated": "0",
        "orders_missing": "0",
        "token_requests_per_instance_max": "≤ token_lifetimes_elapsed_max + 1",
    }
    print_metrics(metrics, goals, 34, 10)
    path = write_results("scale_out", metrics, params)
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

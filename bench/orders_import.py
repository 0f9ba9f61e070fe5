"""Benchmark: the orders download (the whole sync run, database included) on SQLite and PostgreSQL.

A sandbox process seeded with one Catalog v3 site of N orders answers with 20 ms injected latency
and Wix's 200 requests/min limit. For each database a child process builds the app, an OMS
catalog holding the site's SKUs and a channel bound to the site, then runs
``run_now(channel, "orders")`` once and reports what it did.

- calls_ratio: Wix requests the sandbox answered during the run / the minimum, which is
  ceil(searchable orders / 100) searches + 1 token call (wix-api.md §9). INITIALIZED orders are
  never searchable, so they are not in the minimum (nor downloaded).
- wall_ratio: the run's wall time / the ideal, which is the larger of (a) a bare `requests`
  loop making exactly the minimum calls in this run (latency-bound) and (b) the time the
  Throughput plan's token bucket needs for them (rate-bound).
- peak_rss_mb: the child process's peak resident memory (it holds no sandbox).

Every metric is the worst over the databases measured; per-database figures sit alongside.
Usage: python bench/orders_import.py [--quick] [--orders N] [--db sqlite,postgresql]
PostgreSQL: WIXOMS_BENCH_DATABASE_URL (default postgresql+psycopg://postgres@127.0.0.1:5432/test),
in a schema of its own (bench_orders_import) that is dropped and recreated.
"""

from __future__ import annotations

import argparse
import json
import logging
import math
import os
import resource
import subprocess
import sys
import tempfile
import time

import requests
from _common import ROOT, bench_parser, sandbox_process, write_results

sys.path.insert(0, str(ROOT))

from wixoms.sandbox.control_client import SandboxControl  # noqa: E402
from wixoms.wix import PLANS  # noqa: E402

LATENCY_MS = 20
PRODUCTS = 50
SEARCHABLE = ["APPROVED", "PENDING", "CANCELED", "REJECTED"]
PG_DEFAULT = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
PG_SCHEMA = "bench_orders_import"


def bare_download(url: str, control: SandboxControl, site_id: str, page_size: int):
    """The baseline: the minimal calls with plain requests, as its own app instance."""
    app = control.register_app(app_id=f"baseline-{time.monotonic_ns()}", app_secret="b-secret")
    instance = control.install(app["appId"], site_id)["instanceId"]
    session = requests.Session()
    started = time.perf_counter()
    token = session.post(
        f"{url}/oauth2/token",
        json={"grant_type": "client_credentials", "client_id": app["appId"],
              "client_secret": "b-secret", "instance_id": instance},
        timeout=30,
    ).json()["access_token"]  # fmt: skip
    calls, orders, cursor = 1, 0, None
    body = {"search": {"filter": {"status": {"$in": SEARCHABLE}},
                       "sort": [{"fieldName": "updatedDate", "order": "ASC"}],
                       "cursorPaging": {"limit": page_size}}}  # fmt: skip
    while True:
        if cursor:
            body = {"search": {"cursorPaging": {"limit": page_size, "cursor": cursor}}}
        data = session.post(f"{url}/ecom/v1/orders/search", json=body,
                            headers={"Authorization": token}, timeout=30).json()  # fmt: skip
        calls += 1
        orders += len(data.get("orders") or [])
        meta = data.get("metadata") or {}
        cursor = (meta.get("cursors") or {}).get("next")
        if not meta.get("hasNext") or not cursor:
            break
    session.close()
    return time.perf_counter() - started, calls, orders


# --- the child: one import on one database ---------------------------------------------------


def child(args: argparse.Namespace) -> None:
    from cryptography.fernet import Fernet
    from sqlalchemy import create_engine, text

    from wixoms import create_app
    from wixoms.extensions import db
    from wixoms.models import Account, Channel, Order, Product, Variant
    from wixoms.sync.runs import run_now

    logging.disable(logging.WARNING)
    uri = args.db
    if uri.startswith("postgresql"):
        engine = create_engine(uri)
        with engine.begin() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{PG_SCHEMA}" CASCADE'))
            conn.execute(text(f'CREATE SCHEMA "{PG_SCHEMA}"'))
        engine.dispose()
        uri += ("&" if "?" in uri else "?") + f"options=-csearch_path%3D{PG_SCHEMA}"
    control = SandboxControl(args.sandbox, timeout=300)
    app_doc = control.register_app(app_id="wixoms-bench", app_secret="bench-secret")
    site_id = control.sites()[0]["id"]
    instance = control.install(app_doc["appId"], site_id)["instanceId"]
    app = create_app({
        "SQLALCHEMY_DATABASE_URI": uri, "SECRET_KEY": "bench", "TESTING": False,
        "ENCRYPTION_KEY": Fernet.generate_key().decode(), "INSTANCE_PATH": args.instance,
        "WIX_API_BASE": args.sandbox, "WIX_WWW_BASE": args.sandbox,
        "WIX_APP_ID": app_doc["appId"], "WIX_APP_SECRET": "bench-secret",
    })  # fmt: skip
    with app.app_context():
        db.create_all()
        account = Account(name="Bench")
        db.session.add(account)
        db.session.flush()
        for wix_product in control.products(site_id):
            product = Product(account_id=account.id, name=wix_product["name"][:80])
            for v in (wix_product.get("variantsInfo") or {}).get("variants") or []:
                if v.get("sku"):
                    product.variants.append(Variant(account_id=account.id, sku=v["sku"]))
            db.session.add(product)
        from datetime import UTC, datetime

        channel = Channel(
            account_id=account.id, name="Wix", instance_id=instance, site_id=site_id,
            api_url=args.sandbox, is_active=True, throughput_plan=args.plan,
            order_statuses=SEARCHABLE, process_pickup_orders=True, payment_filter="any",
            skip_fulfilled=False, import_type="from_date",
            import_from_date=datetime(2000, 1, 1, tzinfo=UTC), exclude_pii_from_logs=True,
        )  # fmt: skip
        db.session.add(channel)
        db.session.commit()
        channel_id = channel.id
        control.reset_counters()
        started = time.perf_counter()
        run = run_now(channel_id, "orders")
        wall = time.perf_counter() - started
        calls = control.counters()["total"]
        rows = db.session.scalar(db.select(db.func.count()).select_from(Order))
        distinct = db.session.scalar(db.select(db.func.count(db.distinct(Order.external_id))))
        result = {
            "state": run.state, "summary": run.summary, "seen": run.seen, "created": run.created,
            "held": run.held, "wall_s": wall, "calls": calls, "client_calls": run.api_calls,
            "orders_in_db": rows, "distinct_orders": distinct,
            "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        }  # fmt: skip
        db.engine.dispose()
    print("RESULT " + json.dumps(result), flush=True)


# --- the parent ---------------------------------------------------------------------------


def measure(db_name: str, uri: str, url: str, args, baseline: tuple, plan) -> dict:
    wall_base, _calls_base, searchable = baseline
    with tempfile.TemporaryDirectory() as tmp:
        if db_name == "sqlite":
            uri = f"sqlite:///{tmp}/bench.sqlite"
        command = [sys.executable, __file__, "--child", "--db", uri, "--sandbox", url,
                   "--instance", tmp, "--plan", plan.key]  # fmt: skip
        out = subprocess.run(command, capture_output=True, text=True, env={**os.environ,
                             "PYTHONPATH": str(ROOT)}, check=False)  # fmt: skip
    line = next((x for x in out.stdout.splitlines() if x.startswith("RESULT ")), None)
    if line is None:
        raise SystemExit(f"{db_name}: the import failed\n{out.stderr[-3000:]}")
    r = json.loads(line[len("RESULT ") :])
    if (
        r["state"] != "succeeded"
        or r["created"] != searchable
        or r["distinct_orders"] != searchable
    ):
        raise SystemExit(f"{db_name}: imported {r['created']} of {searchable}: {r}")
    minimum = math.ceil(searchable / plan.orders_page_size) + 1
    rate_bound = max(0, minimum - plan.burst) / plan.requests_per_second
    ideal = max(wall_base, rate_bound)
    return {
        f"{db_name}_orders": searchable,
        f"{db_name}_calls": r["calls"],
        f"{db_name}_min_calls": minimum,
        f"{db_name}_calls_ratio": r["calls"] / minimum,
        f"{db_name}_wall_s": r["wall_s"],
        f"{db_name}_baseline_s": wall_base,
        f"{db_name}_rate_bound_s": rate_bound,
        f"{db_name}_ideal_s": ideal,
        f"{db_name}_wall_ratio": r["wall_s"] / ideal,
        f"{db_name}_peak_rss_mb": r["peak_rss_mb"],
        f"{db_name}_orders_per_s": searchable / r["wall_s"],
    }


def postgres_url() -> str | None:
    url = os.environ.get("WIXOMS_BENCH_DATABASE_URL", PG_DEFAULT)
    try:
        from sqlalchemy import create_engine, text

        engine = create_engine(url)
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        engine.dispose()
        return url
    except Exception as exc:  # no PostgreSQL here: say so and measure SQLite only
        print(f"PostgreSQL not reachable ({type(exc).__name__}); measuring SQLite only.")
        return None


def main() -> int:
    parser = bench_parser(__doc__, "10,000 orders instead of 100,000")
    parser.add_argument("--orders", type=int, help="orders to seed (overrides --quick)")
    parser.add_argument("--db", default="sqlite,postgresql")
    parser.add_argument("--plan", default="standard", choices=sorted(PLANS))
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--sandbox", help=argparse.SUPPRESS)
    parser.add_argument("--instance", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args)
        return 0
    orders = args.orders or (10_000 if args.quick else 100_000)
    plan = PLANS[args.plan]
    dbs = {"sqlite": "sqlite"}
    if "postgresql" in args.db.split(","):
        url = postgres_url()
        if url:
            dbs["postgresql"] = url
    if "sqlite" not in args.db.split(","):
        dbs.pop("sqlite")
    metrics: dict = {}
    # Seeding 100,000 orders takes a while: wait up to two minutes for the sandbox.
    with sandbox_process(orders, PRODUCTS, wait_s=120) as url:
        control = SandboxControl(url, timeout=600)
        control.set_faults(latency_ms=LATENCY_MS)
        site_id = control.sites()[0]["id"]
        for name, uri in dbs.items():
            # The bare loop measures latency only: Wix's per-minute limit is lifted meanwhile.
            control.set_faults(rate_limit_per_minute=None)
            baseline = bare_download(url, control, site_id, plan.orders_page_size)
            control.set_faults(rate_limit_per_minute=200)
            metrics.update(measure(name, uri, url, args, baseline, plan))
    for key in ("calls_ratio", "wall_ratio", "peak_rss_mb"):
        metrics[key] = max(metrics[f"{name}_{key}"] for name in dbs)
    params = {"orders_seeded": orders, "orders": metrics[f"{next(iter(dbs))}_orders"],
              "quick": args.quick, "latency_ms": LATENCY_MS, "plan": plan.key,
              "databases": list(dbs), "products": PRODUCTS}  # fmt: skip
    print_table(metrics, list(dbs))
    write_results("orders_import", metrics, params)
    return 0


def print_table(m: dict, dbs: list[str]) -> None:
    print(f"{'database':11} {'orders':>7} {'calls/min':>11} {'ratio':>6} {'wall/ideal s':>15} "
          f"{'ratio':>6} {'RSS MB':>7}")  # fmt: skip
    for d in dbs:
        print(
            f"{d:11} {m[f'{d}_orders']:>7} {m[f'{d}_calls']:>5}/{m[f'{d}_min_calls']:<5} "
            f"{m[f'{d}_calls_ratio']:6.3f} {m[f'{d}_wall_s']:7.1f}/{m[f'{d}_ideal_s']:<7.1f} "
            f"{m[f'{d}_wall_ratio']:6.3f} {m[f'{d}_peak_rss_mb']:7.1f}"
        )
    worst = f"{m['calls_ratio']:.3f}, {m['wall_ratio']:.3f}, {m['peak_rss_mb']:.0f} MB"
    print(f"goals: calls ≤ 1.05×, wall ≤ 1.3×, peak RSS < 250 MB (100,000 orders); worst: {worst}")


if __name__ == "__main__":
    sys.exit(main())

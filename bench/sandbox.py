"""Benchmark: the Wix sandbox's own speed — seeding 10,000 orders, and an order search page.

- seed: time to seed one site with 10,000 orders (plus its products) in-process. Goal < 10 s.
- search: a sandbox server in its own process (`python -m wixoms.sandbox`, seeded the same way;
  no injected latency, rate limit off) and many `POST /ecom/v1/orders/search` pages of 100
  (first pages with an updatedDate filter and sort, then cursor pages), timed client-side over
  loopback HTTP until the body is received (JSON parsing excluded). Goal p99 < 20 ms.
  Baseline in the same run: `GET /stores/v3/provision/version` (auth + routing only), so
  `search_vs_trivial_p50` says what the search itself costs over the HTTP round trip.

Usage: python bench/sandbox.py [--quick]
"""

from __future__ import annotations

import logging
import os
import platform
import statistics
import sys
import time

import requests
from _common import (
    bench_parser,
    load_average,
    percentile,
    print_metrics,
    sandbox_process,
    write_results,
)

from wixoms.sandbox.control_client import SandboxControl
from wixoms.sandbox.seed import seed
from wixoms.sandbox.store import Store

ORDERS = 10_000
PRODUCTS = 50


def time_seed(runs: int) -> list[float]:
    """Seconds to seed one site with 10,000 orders, per run."""
    times = []
    for run in range(runs):
        store = Store()
        started = time.perf_counter()
        seed(store, sites=1, catalog="v3", products=PRODUCTS, orders=ORDERS, seed_value=run + 1)
        times.append(time.perf_counter() - started)
        assert len(store.orders) == ORDERS
    return times


def connect(url: str) -> tuple[requests.Session, str]:
    control = SandboxControl(url)
    control.set_faults(rate_limit_per_minute=None, rate_limit_per_second=None)
    site_id = control.sites()[0]["id"]
    app = control.register_app(auth_flow="oauth")
    instance = control.install(app["appId"], site_id)["instanceId"]
    session = requests.Session()
    session.headers["Authorization"] = control.access_token(instance)
    return session, url


def time_requests(call, count: int) -> list[float]:
    """call() returns (elapsed ms until the body arrived, response)."""
    latencies = []
    for _ in range(count):
        elapsed, response = call()
        latencies.append(elapsed)
        assert response.status_code == 200, response.text[:200]
    return latencies


def timed(send):
    def call():
        started = time.perf_counter()
        response = send()
        return (time.perf_counter() - started) * 1000, response

    return call


def search_calls(session: requests.Session, base: str):
    """Alternate first pages (filter + sort) and the cursor pages that follow them."""
    first = {
        "search": {
            "filter": {"updatedDate": {"$gt": "2024-01-01T00:00:00.000Z"}},
            "sort": [{"fieldName": "updatedDate", "order": "ASC"}],
            "cursorPaging": {"limit": 100},
        }
    }
    state = {"cursor": None}

    def call():
        body = first
        if state["cursor"]:
            body = {"search": {"cursorPaging": {"limit": 100, "cursor": state["cursor"]}}}
        started = time.perf_counter()
        response = session.post(base + "/ecom/v1/orders/search", json=body, timeout=10)
        elapsed = (time.perf_counter() - started) * 1000
        data = response.json()
        assert 0 < len(data["orders"]) <= 100
        state["cursor"] = data["metadata"]["cursors"].get("next")
        return elapsed, response

    return call


def main() -> int:
    args = bench_parser(__doc__, "a smaller run (< 3 min)").parse_args()
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    seed_runs = 1 if args.quick else 3
    requests_count = 300 if args.quick else 2000
    warmup = 20

    seed_times = time_seed(seed_runs)
    with sandbox_process(ORDERS, PRODUCTS) as url:
        session, base = connect(url)
        trivial = timed(lambda: session.get(base + "/stores/v3/provision/version", timeout=10))
        search = search_calls(session, base)
        time_requests(trivial, warmup)
        time_requests(search, warmup)
        baseline = time_requests(trivial, requests_count)
        pages = time_requests(search, requests_count)

    metrics = {
        "seed_10k_orders_s": round(statistics.median(seed_times), 3),
        "search_page_p50_ms": round(percentile(pages, 50), 2),
        "search_page_p99_ms": round(percentile(pages, 99), 2),
        "trivial_p50_ms": round(percentile(baseline, 50), 2),
        "trivial_p99_ms": round(percentile(baseline, 99), 2),
        "search_vs_trivial_p50": round(percentile(pages, 50) / percentile(baseline, 50), 2),
    }
    params = {
        "quick": args.quick,
        "orders": ORDERS,
        "products": PRODUCTS,
        "seed_runs": seed_runs,
        "search_requests": requests_count,
        "page_limit": 100,
        "injected_latency_ms": 0,
        "transport": "requests.Session over loopback to `python -m wixoms.sandbox` (werkzeug)",
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "load_average_1m": load_average(),
    }
    write_results("sandbox", metrics, params)
    goals = {"seed_10k_orders_s": "< 10", "search_page_p99_ms": "< 20"}
    print_metrics(metrics, goals, key_width=24, value_width=10)
    ok = metrics["seed_10k_orders_s"] < 10 and metrics["search_page_p99_ms"] < 20
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

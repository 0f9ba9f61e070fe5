"""Benchmark: Wix API calls used vs the minimum, and wall time vs the latency-bound ideal.

Runs the sandbox in-process (wixoms.sandbox.server.SandboxServer) with 20 ms injected latency.

- orders: download every searchable order (INITIALIZED is never searchable) of a seeded site
  with a fresh client. Minimum calls = ceil(searchable / 100) searches + 1 token call
  (wix-api.md §9). Wall ideal = max(a bare `requests` loop making exactly those calls in this
  run, the time the Throughput plan's token bucket needs for them).
- inventory: 1% of the site's SKUs change (half up, half down) and are pushed with the Wix
  quantities last read as `last_known`. Minimum (§9, with Wix's limits of §10, not the
  client's settings): v3 = ceil(k / 1000) bulk updates (revisions cached from the last
  read); v1 = the fewer of ceil(up/300) + ceil(down/300)
  increment/decrement calls and one PATCH per touched product. A cold v3 push (no cached
  revisions) is reported too, against bulk calls + the inventory-item query pages a perfect
  client would need for the touched products.

Calls are counted by the sandbox itself (its per-site counters), not by the client.
Usage: python bench/client_calls.py [--quick]
"""

from __future__ import annotations

import logging
import math
import random
import statistics
import sys
import time

import requests
from _common import bench_parser, print_ratios, write_results

from wixoms.sandbox.control_client import SandboxControl
from wixoms.sandbox.server import SandboxServer
from wixoms.wix import (
    DEFAULT_PLAN,
    PLANS,
    AuthFlow,
    CatalogVersion,
    RateLimiter,
    WixApp,
    WixClient,
)
from wixoms.wix.catalog_v3 import revision_cache
from wixoms.wix.throughput import WIX_MAX_PAGE_SIZE
from wixoms.wix.throughput import WIX_V1_INVENTORY_BATCH_MAX as WIX_V1_BATCH
from wixoms.wix.throughput import WIX_V3_INVENTORY_BULK_MAX as WIX_V3_BULK
from wixoms.wix.throughput import WIX_V3_INVENTORY_PAGE_MAX as WIX_V3_PAGE
from wixoms.wix.tokens import token_registry
from wixoms.wix.transport import rate_limiters

LATENCY_MS = 20
RUNS = 3
SEARCHABLE = ["APPROVED", "PENDING", "CANCELED", "REJECTED"]


class World:
    """One sandbox site with the app installed."""

    def __init__(self, server: SandboxServer, control: SandboxControl, site: dict) -> None:
        self.server, self.control, self.site = server, control, site
        app_id = f"bench-{site['id'][:8]}"
        doc = control.register_app(app_id=app_id, app_secret="bench-secret", auth_flow="oauth")
        self.app = WixApp(
            doc["appId"], doc["appSecret"], AuthFlow.OAUTH, api_base=server.url, www_base=server.url
        )
        self.instance_id = control.install(app_id, site["id"])["instanceId"]
        # The baseline runs as a second app on the same site: Wix's 200/min budget is per
        # instance, so its unpaced calls never eat into the measured client's budget.
        other = control.register_app(app_id=f"{app_id}-b", app_secret="bench-secret-b")
        self.baseline_app = WixApp(
            other["appId"], other["appSecret"], api_base=server.url, www_base=server.url
        )
        self.baseline_instance_id = control.install(other["appId"], site["id"])["instanceId"]

    def client(self, plan: str = DEFAULT_PLAN, unlimited: bool = False) -> WixClient:
        token_registry.clear()
        rate_limiters.clear()
        limiter = RateLimiter(10_000, 10_000) if unlimited else None
        return WixClient(
            self.app,
            instance_id=self.instance_id,
            credentials=None,
            plan=plan,
            rate_limiter=limiter,
        )

    def calls_since_reset(self) -> int:
        """Requests the sandbox answered since its counters were reset (token calls included)."""
        return int(self.control.counters()["total"])


def seeded_site(server, control, catalog: str, products: int, orders: int) -> World:
    control.reset()
    control.clear_faults()
    site = control.seed(sites=1, catalog=catalog, products=products, orders=orders, seed=11)
    return World(server, control, site["sites"][0])


def bare_orders_download(world: World, page_size: int) -> tuple[float, int]:
    """The baseline: the minimal calls with plain requests, no parsing, no pacing."""
    session = requests.Session()
    started = time.perf_counter()
    token = session.post(
        f"{world.server.url}/oauth2/token",
        json={
            "grant_type": "client_credentials",
            "client_id": world.baseline_app.app_id,
            "client_secret": world.baseline_app.app_secret,
            "instance_id": world.baseline_instance_id,
        },
        timeout=30,
    ).json()["access_token"]
    calls, cursor = 1, None
    body = {
        "search": {
            "filter": {"status": {"$in": SEARCHABLE}},
            "sort": [{"fieldName": "updatedDate", "order": "ASC"}],
            "cursorPaging": {"limit": page_size, "cursor": None},
        }
    }
    while True:
        if cursor:
            body = {"search": {"cursorPaging": {"limit": page_size, "cursor": cursor}}}
        data = session.post(
            f"{world.server.url}/ecom/v1/orders/search",
            json=body,
            headers={"Authorization": token},
            timeout=30,
        ).json()
        calls += 1
        meta = data.get("metadata") or {}
        cursor = (meta.get("cursors") or {}).get("next")
        if not meta.get("hasNext") or not cursor:
            break
    session.close()
    return time.perf_counter() - started, calls


def bench_orders(server, control, n_orders: int) -> dict:
    world = seeded_site(server, control, "v3", products=30, orders=n_orders)
    searchable = sum(1 for o in control.orders(world.site["id"]) if o["status"] != "INITIALIZED")
    plan = PLANS[DEFAULT_PLAN]
    minimum = math.ceil(searchable / WIX_MAX_PAGE_SIZE) + 1  # Wix's page limit, not the plan's
    control.set_faults(latency_ms=LATENCY_MS)

    # Alternate baseline and client runs and compare medians: other load on the machine
    # then hits both alike.
    baselines, walls, calls, counted = [], [], [], []
    for _ in range(RUNS):
        baselines.append(bare_orders_download(world, plan.orders_page_size)[0])
        client = world.client()
        control.reset_counters()
        started = time.perf_counter()
        seen = sum(
            len(page.orders)
            for page in client.orders.iter_pages(statuses=SEARCHABLE, updated_since=None)
        )
        walls.append(time.perf_counter() - started)
        calls.append(world.calls_since_reset())
        counted.append(client.calls)
        client.close()
    baseline, wall = statistics.median(baselines), statistics.median(walls)
    rate_bound = max(0, minimum - plan.burst) / plan.requests_per_second
    ideal = max(baseline, rate_bound)
    if seen != searchable:
        raise SystemExit(f"orders: downloaded {seen} of {searchable}")
    return {
        "orders": searchable,
        "orders_calls": max(calls),
        "orders_client_counted_calls": max(counted),
        "orders_min_calls": minimum,
        "orders_calls_ratio": max(calls) / minimum,
        "orders_wall_s": wall,
        "orders_wall_runs_s": walls,
        "orders_baseline_runs_s": baselines,
        "orders_baseline_s": baseline,
        "orders_rate_bound_s": rate_bound,
        "orders_ideal_s": ideal,
        "orders_wall_ratio": wall / ideal,
    }


def _changes(levels: dict, rng: random.Random) -> dict:
    """1% of the SKUs change: half go up, half go down (never below zero)."""
    chosen = rng.sample(
        sorted(levels, key=lambda r: (r.product_id, r.variant_id)), max(2, len(levels) // 100)
    )
    return {
        ref: levels[ref] + 3 if i % 2 == 0 or levels[ref] < 2 else levels[ref] - 2
        for i, ref in enumerate(chosen)
    }


def bench_inventory(server, control, catalog: str, products: int) -> dict:
    world = seeded_site(server, control, catalog, products=products, orders=0)
    version = CatalogVersion.V1 if catalog == "v1" else CatalogVersion.V3
    # Setup reads are not measured: lift the sandbox's per-minute limit meanwhile.
    control.set_faults(rate_limit_per_minute=1_000_000)
    revision_cache.clear()
    setup = world.client(unlimited=True)
    # What the last import/push recorded; in v3 this read also caches the items' revisions.
    levels = setup.catalog(version).inventory_levels()
    setup.close()
    control.set_faults(rate_limit_per_minute=200, latency_ms=LATENCY_MS)

    target = _changes(levels, random.Random(5))
    up = sum(1 for r, q in target.items() if q > levels[r])
    down = sum(1 for r, q in target.items() if q < levels[r])
    if version is CatalogVersion.V1:
        minimum = min(
            math.ceil(up / WIX_V1_BATCH) + math.ceil(down / WIX_V1_BATCH),
            len({r.product_id for r in target}),
        )
    else:
        minimum = math.ceil(len(target) / WIX_V3_BULK)

    client = world.client()
    client.tokens.access_token()  # the token call is not part of the push
    control.reset_counters()
    result = client.catalog(version).set_inventory(target, last_known=levels)
    calls = world.calls_since_reset()
    client.close()
    if result.failed or len(result.updated) != len(target):
        raise SystemExit(
            f"inventory {catalog}: {len(result.updated)} of {len(target)} updated, "
            f"{len(result.failed)} failed"
        )
    out = {
        f"inventory_{catalog}_skus": len(levels),
        f"inventory_{catalog}_changed": len(target),
        f"inventory_{catalog}_strategy": result.strategy,
        f"inventory_{catalog}_calls": calls,
        f"inventory_{catalog}_min_calls": minimum,
        f"inventory_{catalog}_calls_ratio": calls / minimum,
    }
    if version is CatalogVersion.V3:
        out.update(cold_v3_push(world, control, target))
    return out


def cold_v3_push(world: World, control: SandboxControl, target: dict) -> dict:
    """No cached revisions: the push must query the touched products' inventory items."""
    revision_cache.clear()
    touched = {r.product_id for r in target}
    items = sum(
        len(p.get("variantsInfo", {}).get("variants", []))
        for p in control.products(world.site["id"])
        if p["id"] in touched
    )
    minimum = math.ceil(len(target) / WIX_V3_BULK) + math.ceil(items / WIX_V3_PAGE)
    bumped = {r: q + 1 for r, q in target.items()}
    client = world.client()
    client.tokens.access_token()
    control.reset_counters()
    client.catalog(CatalogVersion.V3).set_inventory(bumped, last_known=target)
    calls = world.calls_since_reset()
    client.close()
    return {
        "inventory_v3_cold_calls": calls,
        "inventory_v3_cold_min_calls": minimum,
        "inventory_v3_cold_calls_ratio": calls / minimum,
    }


def main() -> int:
    args = bench_parser(__doc__, "smaller run, same ratios").parse_args()
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    n_orders = 2_000 if args.quick else 10_000
    # Seeded products have 1, 3 or 6 variants (10/3 on average): 3,000 products ≈ 10,000 SKUs.
    n_products = 600 if args.quick else 3_000
    metrics: dict = {}
    with SandboxServer() as server:
        control = SandboxControl(server.url, timeout=120)
        metrics.update(bench_orders(server, control, n_orders))
        metrics.update(bench_inventory(server, control, "v1", n_products))
        metrics.update(bench_inventory(server, control, "v3", n_products))
    metrics["inventory_calls_ratio"] = max(
        metrics["inventory_v1_calls_ratio"], metrics["inventory_v3_calls_ratio"]
    )
    params = {
        "quick": args.quick,
        "orders_seeded": n_orders,
        "products_seeded": n_products,
        "latency_ms": LATENCY_MS,
        "plan": DEFAULT_PLAN,
    }
    print_table(metrics)
    write_results("client_calls", metrics, params)
    return 0


def print_table(m: dict) -> None:
    rows = [
        (
            "orders: calls / minimum",
            f"{m['orders_calls']} / {m['orders_min_calls']}",
            m["orders_calls_ratio"],
            "≤ 1.05",
        ),
        (
            "orders: wall / ideal (s)",
            f"{m['orders_wall_s']:.2f} / {m['orders_ideal_s']:.2f}",
            m["orders_wall_ratio"],
            "≤ 1.3",
        ),
        (
            "inventory v1: calls / minimum",
            f"{m['inventory_v1_calls']} / {m['inventory_v1_min_calls']}",
            m["inventory_v1_calls_ratio"],
            "≤ 1.1",
        ),
        (
            "inventory v3: calls / minimum",
            f"{m['inventory_v3_calls']} / {m['inventory_v3_min_calls']}",
            m["inventory_v3_calls_ratio"],
            "≤ 1.1",
        ),
        (
            "inventory v3 cold: calls / minimum",
            f"{m['inventory_v3_cold_calls']} / {m['inventory_v3_cold_min_calls']}",
            m["inventory_v3_cold_calls_ratio"],
            "(info)",
        ),
    ]
    print_ratios(rows, name_width=38, value_width=20)
    print(
        f"orders downloaded: {m['orders']}; v1 SKUs: {m['inventory_v1_skus']} "
        f"({m['inventory_v1_strategy']}); v3 SKUs: {m['inventory_v3_skus']}"
    )


if __name__ == "__main__":
    sys.exit(main())

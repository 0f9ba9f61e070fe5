"""Benchmark: Wix calls of the inventory push (the sync rule, end to end) vs the minimum.

The sandbox runs in-process (wixoms.sandbox.server.SandboxServer); the app runs on a temporary
SQLite database. For each catalog version a site is seeded with ~10,000 SKUs (products of 1, 3
or 6 variants; --quick: ~2,000 SKUs), the OMS holds the same SKUs with stock in a mapped
warehouse and SKU mappings (as after a catalog import), and the state of a previous push is in
place: Wix shows what InventoryPushState says was last sent. Then:

- 1% of the SKUs change in the OMS (half up, half down) and ``run_now(channel, "inventory")``
  pushes them. Calls are counted by the sandbox. Minimum (wix-api.md §9): v1 = the fewer of
  one PATCH per touched product and ceil(up/300) + ceil(down/300) increment/decrement calls
  after reading Wix's quantities (products pages of 100: a delta from a quantity not read from
  Wix would carry any drift, issue 14);
  v3 = ceil(k/1000) bulk updates + the inventory-item query pages (≤ 1000 items) a perfect
  client needs for the touched products' revisions (a fresh process has none cached). The
  batch sizes are Wix's limits (§10, the SDK typings), not the client's settings.
- the push runs again with nothing changed: the goal is 0 calls.

The last read-back of Wix's quantities (reconciliation) is recent, as it would be between two
scheduled reconciliations, so neither push is a reconciliation.

Wix's quantities are checked against the OMS afterwards; a wrong quantity fails the benchmark.
Usage: python bench/inventory_push.py [--quick]
"""

from __future__ import annotations

import logging
import math
import random
import sys
import tempfile
import time
from pathlib import Path

from _common import bench_parser, print_ratios, write_results
from cryptography.fernet import Fernet
from sqlalchemy import insert, select, update

from wixoms import create_app
from wixoms.extensions import db
from wixoms.models import (
    Account,
    Channel,
    InventoryLevel,
    InventoryPushState,
    Product,
    SkuMapping,
    SyncCheckpoint,
    Variant,
    Warehouse,
    WarehouseMapping,
)
from wixoms.models._base import utcnow
from wixoms.sandbox.catalog import set_stock
from wixoms.sandbox.control_client import SandboxControl
from wixoms.sandbox.server import SandboxServer
from wixoms.sync.runs import run_now
from wixoms.wix.catalog_v3 import revision_cache
from wixoms.wix.throughput import WIX_MAX_PAGE_SIZE
from wixoms.wix.throughput import WIX_V1_INVENTORY_BATCH_MAX as WIX_V1_BATCH
from wixoms.wix.throughput import WIX_V3_INVENTORY_BULK_MAX as WIX_V3_BULK
from wixoms.wix.throughput import WIX_V3_INVENTORY_PAGE_MAX as WIX_V3_PAGE

PLAN = "standard"
APP_ID = "bench-inventory-push"


def wix_skus(server: SandboxServer, site_id: str) -> list[tuple[str, str, str, dict, int]]:
    """(sku, product id, variant id, choices, variant count) of every Wix variant with a SKU."""
    store = server.store
    rows, seen = [], set()
    with store.lock:
        for product in store.site_products[site_id].values():
            for v in product.variants:
                sku = v.sku or (product.sku if not v.choices else "")
                if sku and sku not in seen:
                    seen.add(sku)
                    rows.append((sku, product.id, v.id, dict(v.choices), len(product.variants)))
    return rows


def set_wix_quantities(server: SandboxServer, quantities: dict[tuple[str, str], int]) -> None:
    store = server.store
    with store.lock:
        for (product_id, variant_id), quantity in quantities.items():
            product = store.products[product_id]
            product.track_inventory = True
            variant = next(v for v in product.variants if v.id == variant_id)
            set_stock(variant, True, quantity, None)


def wix_quantities(server: SandboxServer, refs: list[tuple[str, str]]) -> dict:
    store = server.store
    with store.lock:
        by_id = {
            (p.id, v.id): v.quantity
            for p in (store.products[pid] for pid in {r[0] for r in refs})
            for v in p.variants
        }
    return {ref: by_id[ref] for ref in refs}


class World:
    """One seeded Wix site and an OMS whose last inventory push left Wix in step."""

    def __init__(self, server, control, catalog: str, products: int, tmp: Path) -> None:
        self.server, self.control, self.catalog = server, control, catalog
        control.reset()
        control.clear_faults()
        seeded = control.seed(sites=1, catalog=catalog, products=products, orders=0, seed=11)
        self.site_id = seeded["sites"][0]["id"]
        control.register_app(app_id=APP_ID, app_secret="bench-secret", auth_flow="oauth")
        self.instance_id = control.install(APP_ID, self.site_id)["instanceId"]
        token = control.access_token(self.instance_id)
        self.app = create_app(
            {
                "SECRET_KEY": "bench",
                "ENCRYPTION_KEY": Fernet.generate_key().decode(),
                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp / f'{catalog}.sqlite'}",
                "INSTANCE_PATH": str(tmp),
                "WIX_API_BASE": server.url,
                "WIX_WWW_BASE": server.url,
                "WIX_APP_ID": APP_ID,
                "WIX_APP_SECRET": "bench-secret",
            }
        )
        logging.getLogger("wixoms").setLevel(logging.WARNING)  # no per-request log lines
        self.skus = wix_skus(server, self.site_id)
        with server.store.lock:
            self.wix_products = len(server.store.site_products[self.site_id])
        rng = random.Random(7)
        self.on_hand = {sku: rng.randrange(0, 60) for sku, *_ in self.skus}
        with self.app.app_context():
            db.create_all()
            self.channel_id = self._fill_oms(token)
        set_wix_quantities(server, {(p, v): self.on_hand[s] for s, p, v, _c, _n in self.skus})

    def _fill_oms(self, token: str) -> int:
        account = Account(name=f"Bench {self.catalog}")
        db.session.add(account)
        db.session.flush()
        warehouse = Warehouse(account_id=account.id, code="MAIN", name="Main")
        channel = Channel(
            account_id=account.id, name="Wix", catalog_version=self.catalog, is_active=True,
            access_token=token, instance_id=self.instance_id, site_id=self.site_id,
            api_url=self.server.url, throughput_plan=PLAN,
        )  # fmt: skip
        db.session.add_all([warehouse, channel])
        db.session.flush()
        db.session.add(WarehouseMapping(channel_id=channel.id, warehouse_id=warehouse.id))
        db.session.add(
            SyncCheckpoint(channel_id=channel.id, kind="inventory", updated_since=utcnow())
        )
        product_ids: dict[str, int] = {}
        for _sku, wix_product, *_ in self.skus:
            product_ids.setdefault(wix_product, len(product_ids) + 1)
        db.session.execute(
            insert(Product),
            [{"id": i, "account_id": account.id, "name": f"P{i}"} for i in product_ids.values()],
        )
        variants, levels, mappings, states = [], [], [], []
        for i, (sku, wix_product, wix_variant, choices, _n) in enumerate(self.skus, start=1):
            variants.append(
                {"id": i, "account_id": account.id, "product_id": product_ids[wix_product],
                 "sku": sku, "options": choices}
            )  # fmt: skip
            levels.append(
                {"variant_id": i, "warehouse_id": warehouse.id, "on_hand": self.on_hand[sku]}
            )
            wix = {"wix_product_id": wix_product, "wix_variant_id": wix_variant}
            mappings.append({"channel_id": channel.id, "wix_sku": sku, "variant_id": i, **wix})
            states.append(
                {"channel_id": channel.id, "sku": sku, "quantity": self.on_hand[sku], **wix}
            )
        for model, rows in (
            (Variant, variants),
            (InventoryLevel, levels),
            (SkuMapping, mappings),
            (InventoryPushState, states),
        ):
            db.session.execute(insert(model), rows)
        db.session.commit()
        return channel.id

    def change_one_percent(self, rng: random.Random) -> dict[str, int]:
        """Half of the chosen SKUs go up, half down; return the new on-hand per SKU."""
        chosen = rng.sample([s for s, *_ in self.skus], max(2, len(self.skus) // 100))
        new = {}
        for i, sku in enumerate(chosen):
            old = self.on_hand[sku]
            new[sku] = old + 3 if i % 2 == 0 or old < 2 else old - 2
        with self.app.app_context():
            for sku, quantity in new.items():
                variant_id = db.session.scalar(select(Variant.id).where(Variant.sku == sku))
                db.session.execute(
                    update(InventoryLevel)
                    .where(InventoryLevel.variant_id == variant_id)
                    .values(on_hand=quantity)
                )
            db.session.commit()
        return new

    def push(self) -> tuple[int, float, str]:
        """Run the inventory push; return (Wix calls counted by the sandbox, seconds, log)."""
        self.control.reset_counters()
        started = time.perf_counter()
        with self.app.app_context():
            run = run_now(self.channel_id, "inventory")
            if run.state != "succeeded":
                raise SystemExit(f"{self.catalog}: push ended {run.state}: {run.summary}")
            log = "\n".join(e.message for e in run.entries if not e.item_ref)
            db.session.remove()
        return int(self.control.counters()["total"]), time.perf_counter() - started, log

    def check_wix(self) -> None:
        refs = [(p, v) for _s, p, v, _c, _n in self.skus]
        wix = wix_quantities(self.server, refs)
        wrong = [s for s, p, v, _c, _n in self.skus if wix[(p, v)] != self.on_hand[s]]
        if wrong:
            raise SystemExit(f"{self.catalog}: {len(wrong)} SKU(s) differ in Wix, e.g. {wrong[:3]}")


def minimum_calls(world: World, changed: dict[str, int], old: dict[str, int]) -> int:
    rows = {s: (p, n) for s, p, _v, _c, n in world.skus}
    touched = {rows[s][0] for s in changed}
    if world.catalog == "v1":
        up = sum(1 for s, q in changed.items() if q > old[s])
        down = len(changed) - up
        deltas = math.ceil(up / WIX_V1_BATCH) + math.ceil(down / WIX_V1_BATCH)
        reads = math.ceil(world.wix_products / WIX_MAX_PAGE_SIZE)  # every product is read
        return min(reads + deltas, len(touched))
    items = sum(n for p, n in {rows[s] for s in changed} if p in touched)
    return math.ceil(len(changed) / WIX_V3_BULK) + math.ceil(items / WIX_V3_PAGE)


def bench_catalog(server, control, catalog: str, products: int, tmp: Path) -> dict:
    world = World(server, control, catalog, products, tmp)
    revision_cache.clear()  # a fresh process: no inventory-item revisions known
    old = dict(world.on_hand)
    changed = world.change_one_percent(random.Random(5))
    world.on_hand.update(changed)
    calls, seconds, log = world.push()
    world.check_wix()
    minimum = minimum_calls(world, changed, old)
    unchanged_calls, unchanged_s, _ = world.push()
    strategy = next((line for line in log.splitlines() if "strategy" in line), "bulk_update")
    return {
        f"{catalog}_skus": len(world.skus),
        f"{catalog}_changed": len(changed),
        f"{catalog}_calls": calls,
        f"{catalog}_min_calls": minimum,
        f"{catalog}_calls_ratio": calls / minimum,
        f"{catalog}_push_s": round(seconds, 3),
        f"{catalog}_calls_when_unchanged": unchanged_calls,
        f"{catalog}_unchanged_push_s": round(unchanged_s, 3),
        f"{catalog}_strategy": strategy,
    }


def main() -> int:
    args = bench_parser(__doc__, "smaller run, same ratios").parse_args()
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    skus = 2_000 if args.quick else 10_000
    # Seeded products have 1, 3 or 6 variants; a sixth of v1's keep one SKU for 3 variants.
    products = {"v1": math.ceil(skus / 3), "v3": math.ceil(skus * 3 / 10)}
    metrics: dict = {}
    with SandboxServer() as server, tempfile.TemporaryDirectory() as tmp:
        control = SandboxControl(server.url, timeout=120)
        for catalog in ("v1", "v3"):
            metrics.update(bench_catalog(server, control, catalog, products[catalog], Path(tmp)))
    metrics["calls_ratio"] = max(metrics["v1_calls_ratio"], metrics["v3_calls_ratio"])
    metrics["calls_when_unchanged"] = max(
        metrics["v1_calls_when_unchanged"], metrics["v3_calls_when_unchanged"]
    )
    params = {
        "quick": args.quick,
        "skus_target": skus,
        "products_seeded": products,
        "plan": PLAN,
        "changed": "1%",
    }
    print_table(metrics)
    write_results("inventory_push", metrics, params)
    return 0


def print_table(m: dict) -> None:
    rows = []
    for catalog in ("v1", "v3"):
        value = f"{m[f'{catalog}_calls']} / {m[f'{catalog}_min_calls']}"
        rows.append((f"{catalog}: calls / minimum", value, m[f"{catalog}_calls_ratio"], "≤ 1.1"))
        unchanged = m[f"{catalog}_calls_when_unchanged"]
        rows.append((f"{catalog}: calls when unchanged", unchanged, None, "0"))
    print_ratios(rows, name_width=34, value_width=14)
    for catalog in ("v1", "v3"):
        print(
            f"{catalog}: {m[f'{catalog}_skus']} SKUs, {m[f'{catalog}_changed']} changed, "
            f"push {m[f'{catalog}_push_s']} s, unchanged {m[f'{catalog}_unchanged_push_s']} s; "
            f"{m[f'{catalog}_strategy']}"
        )
    print(f"calls_ratio {m['calls_ratio']:.3f}  calls_when_unchanged {m['calls_when_unchanged']}")


if __name__ == "__main__":
    sys.exit(main())

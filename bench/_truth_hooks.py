"""Phase 3 of bench/inventory_truth.py: /hooks intake latency while a big push runs."""

from __future__ import annotations

import json
import secrets
import threading
import time
from pathlib import Path

import requests
from _common import percentile
from _truth_world import run_sync_process
from _webhooks_stack import ORDER_TEMPLATE, Gunicorn, app_env
from inventory_push import World
from sqlalchemy import update

from wixoms.extensions import db
from wixoms.models import Channel, InventoryLevel, WebhookEndpoint
from wixoms.sandbox.control_client import SandboxControl
from wixoms.sandbox.server import SandboxServer
from wixoms.wix.catalog_v3 import revision_cache


def hooks_latencies(url: str, seconds: float, stop: threading.Event | None = None) -> list[float]:
    """POST Automations bodies at ~20/s for ``seconds`` (or until ``stop``); latencies in ms."""
    body = json.dumps(ORDER_TEMPLATE)
    out: list[float] = []
    session = requests.Session()
    end = time.monotonic() + seconds
    n = 0
    while time.monotonic() < end and not (stop is not None and stop.is_set()):
        n += 1
        payload = body.replace("@ID@", secrets.token_hex(8)).replace("@N@", str(n))
        t0 = time.perf_counter()
        response = session.post(url, data=payload, headers={"Content-Type": "application/json"})
        out.append((time.perf_counter() - t0) * 1000 if response.status_code < 300 else 10_000.0)
        time.sleep(0.05)
    return out


def hooks_phase(tmp: Path, key: str, skus: int) -> dict:
    with SandboxServer() as server:
        control = SandboxControl(server.url, timeout=300)
        products = skus * 3 // 10  # seeded v3 products have 1, 3 or 6 variants
        world = World(server, control, "v3", products, tmp)
        control.set_faults(rate_limit_per_minute=None, latency_ms=25)
        revision_cache.clear()
        with world.app.app_context():
            db.session.execute(update(Channel).values(channel_mode="webhooks"))
            token = secrets.token_urlsafe(24)
            db.session.add(
                WebhookEndpoint(channel_id=world.channel_id, kind="automation", token=token)
            )
            db.session.execute(update(InventoryLevel).values(on_hand=InventoryLevel.on_hand + 1))
            db.session.commit()
            db_url = str(db.engine.url)
            db.engine.dispose()
        config = {**world.app.config}
        env = app_env({"SECRET_KEY": "bench", "ENCRYPTION_KEY": config["ENCRYPTION_KEY"],
                       "WEBHOOK_WORKER": "off", "WEBHOOK_RATE_PER_SECOND": 10**9,
                       "WEBHOOK_RATE_BURST": 10**9, "INSTANCE_PATH": str(tmp)})  # fmt: skip
        env["WIXOMS_DATABASE_URL"] = db_url
        gunicorn = Gunicorn(env, threads=4)
        try:
            url = f"{gunicorn.url}/hooks/{token}"
            hooks_latencies(url, 3)  # warm up
            baseline = hooks_latencies(url, 15)
            keys = ("SECRET_KEY", "ENCRYPTION_KEY", "WIX_API_BASE", "WIX_WWW_BASE", "WIX_APP_ID")
            sub = {k: config[k] for k in (*keys, "WIX_APP_SECRET")}
            sub.update(SQLALCHEMY_DATABASE_URI=db_url, INSTANCE_PATH=str(tmp))
            started = time.monotonic()
            push = run_sync_process(sub, world.channel_id, "inventory")
            stop = threading.Event()
            waiter = threading.Thread(target=lambda: (push.wait(), stop.set()))
            waiter.start()
            during = hooks_latencies(url, 900, stop)
            waiter.join()
            push_s = time.monotonic() - started
        finally:
            gunicorn.stop()
        wix = world.server.store
        with wix.lock:
            pushed = sum(
                1
                for p in wix.site_products[world.site_id].values()
                for v in p.variants
                if v.sku and v.quantity == world.on_hand.get(v.sku, -1) + 1
            )
    return {
        "hooks_p99_ms_during_push_sqlite": round(percentile(during, 99), 1),
        "hooks_p99_ms_baseline_sqlite": round(percentile(baseline, 99), 1),
        "hooks_p99_ratio_during_vs_baseline": round(
            percentile(during, 99) / max(percentile(baseline, 99), 0.001), 2
        ),
        "hooks_p50_ms_during_push_sqlite": round(percentile(during, 50), 1),
        "hooks_p50_ms_baseline_sqlite": round(percentile(baseline, 50), 1),
        "hooks_requests_during_push": len(during),
        "hooks_failed_during_push": sum(1 for x in during if x >= 10_000),
        "push_skus": len(world.skus),
        "push_skus_set_in_wix": pushed,
        "push_s": round(push_s, 1),
        "push_exit_code": push.returncode,
    }

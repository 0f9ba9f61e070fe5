"""Phase 2 of bench/inventory_truth.py: orders under faults, a token expiry and a kill -9."""

from __future__ import annotations

import random
import signal
import threading
import time
from pathlib import Path

from _truth_world import app_config, connect, run_sync_process

from wixoms import create_app
from wixoms.extensions import db
from wixoms.models import Channel, Product, Variant
from wixoms.sync.orders.audit import compare_with_wix
from wixoms.sync.runs import recover_lost_runs, run_now


def feeder(control, site_id: str, sku: str, stop: threading.Event, placed: list) -> None:
    """New orders keep arriving; now and then an earlier one is cancelled in Wix."""
    rng = random.Random(3)
    while not stop.is_set():
        try:
            order = control.place_order(site_id, lines=[{"sku": sku, "quantity": 1}], pickup=False)
            placed.append(order["id"])
            if len(placed) % 4 == 0:
                control.update_order(rng.choice(placed), status="CANCELED")
        except Exception:  # noqa: BLE001 - the control API is not under test; keep feeding
            pass
        time.sleep(0.05)


def soak_phase(server, control, tmp: Path, key: str, seconds: float) -> dict:
    config = app_config(tmp, "soak", server.url, key)
    config["SYNC_LEASE_SECONDS"] = 5  # a killed run's lease is taken over quickly
    app = create_app(config)
    channel_id, site_id = connect(
        app, control, server.url, "v3", order_statuses=["APPROVED", "CANCELED"]
    )
    control.add_product(site_id, name="Soak tee", price=9, sku="SOAK-1", quantity=10**6)
    with app.app_context():
        channel = db.session.get(Channel, channel_id)
        product = Product(account_id=channel.account_id, name="Soak tee")
        product.variants.append(Variant(account_id=channel.account_id, sku="SOAK-1"))
        db.session.add(product)
        db.session.commit()
    control.set_faults(error_rate=0.15, error_statuses=[500, 503, 429], retry_after=1,
                       rate_limit_per_minute=None, latency_ms=20)  # fmt: skip
    stop, placed = threading.Event(), []
    thread = threading.Thread(target=feeder, args=(control, site_id, "SOAK-1", stop, placed))
    thread.start()
    started = time.monotonic()
    killed = expired = False
    runs = 0
    try:
        while time.monotonic() - started < seconds:
            if not killed and time.monotonic() - started > seconds / 3:
                process = run_sync_process(config, channel_id, "orders")
                time.sleep(1.0)
                process.send_signal(signal.SIGKILL)  # kill -9 mid-run
                process.wait()
                killed = True
                continue
            if not expired and time.monotonic() - started > seconds / 2:
                control.expire_tokens()
                expired = True
            with app.app_context():
                recover_lost_runs()
                run_now(channel_id, "orders")
                db.session.remove()
            runs += 1
    finally:
        stop.set()
        thread.join()
    control.clear_faults()
    time.sleep(6)  # the killed run's lease expires
    with app.app_context():
        recover_lost_runs()  # the killed run: its lease has expired
        for _ in range(3):
            run_now(channel_id, "orders")
        db.session.remove()
    with app.app_context():
        truth = compare_with_wix(channel_id, control.orders(site_id))
        db.session.remove()
    return {
        **truth,
        "soak_orders": len(placed),
        "soak_runs": runs,
        "soak_killed": killed,
        "soak_token_expired": expired,
    }

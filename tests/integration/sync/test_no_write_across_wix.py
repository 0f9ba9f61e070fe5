"""No sync holds a write transaction while it waits on Wix (issue 14, Build 6).

Each sync runs against a slow sandbox (latency injected on every Wix call). While a Wix call is
in flight, another session saves the channel (a write every merchant makes) with a short lock
wait: on SQLite any open write transaction of the sync would make it fail with "database is
locked"; on PostgreSQL a row lock on the channel would.
"""

from __future__ import annotations

import threading
import time
from decimal import Decimal

import pytest
from sqlalchemy import update
from sqlalchemy.exc import OperationalError

from wixoms.extensions import db
from wixoms.models import Carrier, Channel, Order, OrderLine, Product, Shipment, SyncRun, Variant
from wixoms.sync.runs import run_now

LATENCY_MS = 700
PROBE_WAIT_MS = 250


def _write_elsewhere(channel_id: int) -> str | None:
    """Save the channel from another connection, waiting at most PROBE_WAIT_MS for locks;
    return the error, or None when the write went through."""
    engine = db.engine
    sqlite = engine.dialect.name == "sqlite"
    with engine.connect() as conn:
        conn.exec_driver_sql(
            f"PRAGMA busy_timeout={PROBE_WAIT_MS}"
            if sqlite
            else f"SET lock_timeout = '{PROBE_WAIT_MS}ms'"
        )
        conn.commit()
        try:
            with conn.begin():
                conn.execute(
                    update(Channel)
                    .where(Channel.id == channel_id)
                    .values(settings_version=Channel.settings_version + 1)
                )
            return None
        except OperationalError as exc:
            return str(exc.orig)
        finally:
            conn.exec_driver_sql("PRAGMA busy_timeout=10000" if sqlite else "RESET lock_timeout")
            conn.commit()


def run_while_probing(app, sandbox, channel_id: int, kind: str) -> tuple[SyncRun, list, int]:
    """Run ``kind`` in a thread; each time a Wix call starts, write from another session.

    Returns the finished run, the probe errors and how many Wix calls were probed.
    """
    sandbox.set_faults(latency_ms=LATENCY_MS)
    sandbox.reset_counters()
    result: dict = {}

    def work() -> None:
        with app.app_context():
            try:
                run = run_now(channel_id, kind)
                result["run"] = (run.state, run.summary)
            finally:
                db.session.remove()

    thread = threading.Thread(target=work, daemon=True)
    errors: list[str] = []
    probed = 0
    seen = 0
    with app.app_context():
        thread.start()
        while thread.is_alive():
            total = sandbox.counters()["total"]
            if total > seen:  # a Wix call is in flight: the sandbox is sleeping on it
                seen = total
                probed += 1
                error = _write_elsewhere(channel_id)
                if error:
                    errors.append(error)
            time.sleep(0.05)
        db.session.remove()
    thread.join()
    sandbox.clear_faults()
    return result.get("run"), errors, probed


def test_product_push_lets_others_write_while_waiting_on_wix(
    wix_app, world, sandbox, connected_channel
):
    channel = connected_channel(catalog="v3")
    with wix_app.app_context():
        for i in range(3):
            product = Product(account_id=world.acme.id, name=f"Mug {i}")
            product.variants.append(
                Variant(account_id=world.acme.id, sku=f"MUG-{i}", price=Decimal("9.00"))
            )
            db.session.add(product)
        db.session.commit()
    run, errors, probed = run_while_probing(wix_app, sandbox, channel.id, "products")
    assert run[0] == "succeeded", run
    assert probed >= 3
    assert errors == []


def test_catalog_import_lets_others_write_while_waiting_on_wix(
    wix_app, world, sandbox, connected_channel
):
    channel = connected_channel(catalog="v3")
    for i in range(3):
        sandbox.add_product(channel.site_id, name=f"Cap {i}", price=5, sku=f"CAP-{i}")
    run, errors, probed = run_while_probing(wix_app, sandbox, channel.id, "catalog_import")
    assert run[0] == "succeeded", run
    assert probed >= 1
    assert errors == []


def test_fulfillment_push_lets_others_write_while_waiting_on_wix(
    wix_app, world, sandbox, connected_channel
):
    channel = connected_channel(catalog="v3")
    product = sandbox.add_product(channel.site_id, name="Tee", price=20, sku="TEE")
    with wix_app.app_context():
        ups = Carrier(account_id=world.acme.id, name="UPS", code="ups")
        db.session.add(ups)
        for i in range(3):
            wix = sandbox.place_order(
                channel.site_id, lines=[{"productId": product["id"], "quantity": 1}]
            )
            order = Order(
                account_id=world.acme.id, channel_id=channel.id, external_id=wix["id"],
                number=wix["number"], channel_status="APPROVED",
            )  # fmt: skip
            order.lines.append(
                OrderLine(external_line_id=wix["lineItems"][0]["id"], quantity=1, sku="TEE")
            )
            db.session.add(Shipment(order=order, carrier=ups, tracking_number=f"1Z{i:04d}"))
        db.session.commit()
    run, errors, probed = run_while_probing(wix_app, sandbox, channel.id, "fulfillments")
    assert run[0] == "succeeded", run
    assert probed >= 3
    assert errors == []


def test_orders_download_lets_others_write_while_waiting_on_wix(shop):
    s = shop()
    for _ in range(3):
        s.order()
    run, errors, probed = run_while_probing(s.app, s.sandbox, s.channel.id, "orders")
    assert run[0] == "succeeded", run
    assert probed >= 1
    assert errors == []


@pytest.fixture(autouse=True)
def _no_faults_left(sandbox):
    yield
    sandbox.clear_faults()

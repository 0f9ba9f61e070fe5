"""Benchmark: an order placed in Wix, visible on a freshly connected channel with no setup.

A site installs the wixoms app (whose one webhook URL, /hooks/wix, was registered once by
whoever runs wixoms); a channel is bound to it as the wizard leaves it and nothing else: Is
Active still off, Channel Mode Scheduled polling, no endpoint, no Automation.
Orders are placed in the sandbox one at a time; each latency is (OMS order created_at − the
moment the order was placed). Wix's app webhook (JWT, routed by instanceId) brings it.

Baseline, same run: a second channel set up the techOMS way (Channel Mode Webhooks, an
Automations endpoint, the Wix Automation "Order placed → Send HTTP request"); ratio = zero-setup
median ÷ Automations median (Wix sends an app several events per order, created and
approved, each fetched from Wix, so a little above 1). Goal: order_visible_zero_setup_s
(the median) < 2 s.

Run: .venv/bin/python bench/zero_setup.py [--quick]   (SQLite, in-process servers)
Writes bench/results/zero_setup.json as {"metrics": {...}, "params": {...}}.
"""

from __future__ import annotations

import logging
import statistics
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

from cryptography.fernet import Fernet
from werkzeug.serving import make_server

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from _common import bench_parser, load_average, percentile, print_ratios, write_results  # noqa: E402

from wixoms import create_app  # noqa: E402
from wixoms.extensions import db  # noqa: E402
from wixoms.models import Account, Channel, Order, WebhookEndpoint  # noqa: E402
from wixoms.sandbox.control_client import SandboxControl  # noqa: E402
from wixoms.sandbox.server import SandboxServer  # noqa: E402

APP_ID = "b3f1c2d4-0000-4a4a-9b9b-zerosetup001"
SECRET = "zero-setup-secret"


def serve(app) -> tuple[str, object]:
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_port}", server


def wixoms_app(tmp: Path, wix: str, public_key: str):
    app = create_app(
        {
            "SECRET_KEY": "bench",
            "ENCRYPTION_KEY": Fernet.generate_key().decode(),
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp / 'bench.sqlite'}",
            "INSTANCE_PATH": str(tmp),
            "WIX_API_BASE": wix,
            "WIX_WWW_BASE": wix,
            "WIX_APP_ID": APP_ID,
            "WIX_APP_SECRET": SECRET,
            "WIX_PUBLIC_KEY": public_key,
            "WIX_ALLOWED_API_HOSTS": wix.split("//")[1],
        }
    )
    with app.app_context():
        db.create_all()
    return app


def connect(app, sandbox: SandboxControl, wix: str, name: str, **settings) -> tuple[int, str]:
    """A site with the app installed and a channel bound to it, as the wizard leaves it."""
    site = sandbox.create_site(name, "V3_CATALOG")
    install = sandbox.install(APP_ID, site["id"])
    with app.app_context():
        account = Account(name=name)
        db.session.add(account)
        db.session.flush()
        channel = Channel(
            account_id=account.id,
            name=name,
            instance_id=install["instanceId"],
            site_id=site["id"],
            api_url=wix,
            access_token=sandbox.access_token(install["instanceId"]),
            **settings,
        )
        db.session.add(channel)
        db.session.commit()
        return channel.id, site["id"]


def latencies(app, sandbox: SandboxControl, site_id: str, count: int) -> list[float]:
    product = sandbox.add_product(
        site_id, name="Tee", price=20, sku=f"T-{site_id[:6]}", quantity=10**6
    )
    found: list[float] = []
    for _ in range(count):
        placed_at = datetime.now(UTC)
        order = sandbox.place_order(
            site_id, lines=[{"productId": product["id"], "quantity": 1}], status="APPROVED"
        )
        deadline = time.monotonic() + 15
        created = None
        while created is None and time.monotonic() < deadline:
            with app.app_context():
                created = db.session.scalar(
                    db.select(Order.created_at).where(Order.external_id == order["id"])
                )
            if created is None:
                time.sleep(0.005)
        if created is None:
            raise SystemExit(f"order {order['id']} never arrived")
        created = created if created.tzinfo else created.replace(tzinfo=UTC)
        found.append((created - placed_at).total_seconds())
        time.sleep(0.3)  # one order at a time, well under Wix's 200 requests/min
    return found


def main() -> None:
    parser = bench_parser(__doc__, "10 orders per path instead of 40")
    args = parser.parse_args()
    count = 10 if args.quick else 40
    for name in ("werkzeug", "wixoms"):
        logging.getLogger(name).setLevel(logging.WARNING)
    with tempfile.TemporaryDirectory() as tmp, SandboxServer({}) as wix_server:
        wix = wix_server.url
        sandbox = SandboxControl(wix)
        registered = sandbox.register_app(app_id=APP_ID, app_secret=SECRET, auth_flow="oauth")
        app = wixoms_app(Path(tmp), wix, registered["publicKey"])
        url, server = serve(app)
        sandbox.register_app(
            app_id=APP_ID, app_secret=SECRET, auth_flow="oauth", webhook_url=f"{url}/hooks/wix"
        )
        _zero_id, zero_site = connect(app, sandbox, wix, "Zero setup")
        auto_id, auto_site = connect(
            app, sandbox, wix, "Automations", channel_mode="webhooks", is_active=True
        )
        with app.app_context():
            endpoint = WebhookEndpoint(channel_id=auto_id, kind="automation", token="z" * 43)
            db.session.add(endpoint)
            db.session.commit()
        sandbox.add_automation(auto_site, f"{url}/hooks/{'z' * 43}")
        zero = latencies(app, sandbox, zero_site, count)
        automation = latencies(app, sandbox, auto_site, count)
        server.shutdown()

    zero_median, auto_median = statistics.median(zero), statistics.median(automation)
    metrics = {
        "order_visible_zero_setup_s": round(zero_median, 3),
        "order_visible_zero_setup_p95_s": round(percentile(zero, 95), 3),
        "order_visible_zero_setup_max_s": round(max(zero), 3),
        "order_visible_automations_s": round(auto_median, 3),
        "zero_setup_vs_automations_ratio": round(zero_median / auto_median, 3),
    }
    print_ratios(
        [
            ("zero setup (app webhooks), median s", metrics["order_visible_zero_setup_s"],
             None, "< 2 s"),
            ("zero setup p95 s", metrics["order_visible_zero_setup_p95_s"], None, ""),
            ("zero setup max s", metrics["order_visible_zero_setup_max_s"], None, ""),
            ("Automations endpoint (baseline), median s", metrics["order_visible_automations_s"],
             None, ""),
            ("zero setup ÷ Automations", "", metrics["zero_setup_vs_automations_ratio"],
             "same order of magnitude"),
        ],
        42,
        8,
    )  # fmt: skip
    params = {"orders_per_path": count, "quick": args.quick, "database": "sqlite",
              "load_average": load_average()}  # fmt: skip
    print(f"wrote {write_results('zero_setup', metrics, params)}")


if __name__ == "__main__":
    main()

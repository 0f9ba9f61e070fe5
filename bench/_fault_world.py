"""The production-like world of bench/fault_recovery.py: PostgreSQL, the sandbox as a process
with its fault injection, gunicorn (4 workers electing the scheduler, as the README runs it),
a loopback collector of Wix's webhook deliveries, and the OMS-side queries the phases need.
"""

from __future__ import annotations

import json
import logging
import os
import secrets
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import requests
from _common import ROOT, account_selling, free_port, stop_process_group
from cryptography.fernet import Fernet
from sqlalchemy import create_engine, text
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from wixoms import create_app
from wixoms.extensions import db
from wixoms.models import (
    Channel,
    Lease,
    Order,
    SyncRun,
    WebhookEndpoint,
    WebhookEvent,
)
from wixoms.sandbox.control_client import SandboxControl

APP_ID = "f19a0000-0000-4a4a-9b9b-faultrecover1"
SKU = "FAULT-TEE"


def fresh_database(url: str) -> str:
    """(Re-)create the private database named by ``url``; return the psycopg URL."""
    url = url.replace("postgresql://", "postgresql+psycopg://", 1)
    base, name = url.rsplit("/", 1)
    admin = create_engine(f"{base}/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return url


class Process:
    """A subprocess in its own session (so kill reaches its children), stopped at exit."""

    def __init__(self, command: list[str], env: dict[str, str], log: Path) -> None:
        self.log = log.open("ab")
        self.proc = subprocess.Popen(
            command, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT), **env},
            stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip

    def stop(self) -> None:
        stop_process_group(self.proc, wait_s=20)
        self.log.close()


def wait_http(url: str, timeout_s: float = 40) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            requests.get(url, timeout=1)
            return
        except requests.RequestException:
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer")


def start_sandbox(tmp: Path) -> tuple[Process, SandboxControl, str]:
    port = free_port()
    sandbox = Process([sys.executable, "-m", "wixoms.sandbox", "--port", str(port)], {},
                      tmp / "sandbox.log")  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    wait_http(url + "/_sandbox/sites")
    return sandbox, SandboxControl(url), url


def app_config(db_url: str, wix_url: str, control: SandboxControl, tmp: Path) -> dict:
    secret = secrets.token_urlsafe(24)
    control.register_app(app_id=APP_ID, app_secret=secret, auth_flow="oauth", webhook_url="")
    return {
        "DATABASE_URL": db_url,
        "SQLALCHEMY_DATABASE_URI": db_url,
        "SECRET_KEY": secrets.token_hex(16),
        "ENCRYPTION_KEY": Fernet.generate_key().decode(),
        "INSTANCE_PATH": str(tmp / "instance"),
        "WIX_API_BASE": wix_url,
        "WIX_WWW_BASE": wix_url,
        "WIX_APP_ID": APP_ID,
        "WIX_APP_SECRET": secret,
        "WIX_AUTH_FLOW": "oauth",
        "WIX_PUBLIC_KEY": control.public_key(APP_ID),
        "WIX_ALLOWED_API_HOSTS": wix_url.split("//", 1)[1],
    }


def env_of(config: dict) -> dict[str, str]:
    return {
        f"WIXOMS_{k}": json.dumps(v) if isinstance(v, bool) else str(v)
        for k, v in config.items()
        if k != "SQLALCHEMY_DATABASE_URI"
    }


def start_gunicorn(config: dict, tmp: Path, workers: int = 4) -> tuple[Process, str]:
    """gunicorn as the README runs it: gthread workers electing one scheduler among them."""
    port = free_port()
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "-w",
        str(workers),
        "--threads",
        "4",
        "-b",
        f"127.0.0.1:{port}",
        "--log-level",
        "warning",
        "wixoms:create_app()",
    ]
    env = {**env_of(config), "WIXOMS_SCHEDULER_ENABLED": "true"}
    server = Process(command, env, tmp / "gunicorn.log")
    url = f"http://127.0.0.1:{port}"
    wait_http(url + "/health")
    return server, url


class OMS:
    """The benchmark's own app context on the shared database (no scheduler here)."""

    def __init__(self, config: dict) -> None:
        self.app = create_app(config)
        with self.app.app_context():
            db.create_all()

    def do(self, work: Callable[[], object]) -> object:
        with self.app.app_context():
            try:
                return work()
            finally:
                db.session.remove()

    def channel(self, control: SandboxControl, wix_url: str, **settings: object) -> dict:
        """A sandbox site with the app installed (and a product) and a channel bound to it."""
        site = control.create_site(f"Fault {secrets.token_hex(3)}", "V3_CATALOG")
        instance = control.install(APP_ID, site["id"])["instanceId"]
        product = control.add_product(site["id"], name="Tee", price=20, sku=SKU, quantity=10**6)
        token = control.access_token(instance)

        def work() -> dict:
            account_id = account_selling(SKU, f"Fault {site['id'][:6]}", "Tee")
            values = dict(
                account_id=account_id, name="Wix", catalog_version="v3", is_active=True,
                access_token=token, instance_id=instance, site_id=site["id"], site_url="",
                api_url=wix_url, auth_flow="oauth", import_type="from_date",
                import_from_date=datetime(2000, 1, 1, tzinfo=UTC), skip_fulfilled=False,
                orders_auto=False, fulfillments_auto=False, inventory_auto=False,
                products_auto=False, catalog_import_auto=False, channel_mode="manual",
            )  # fmt: skip
            values.update(settings)
            channel = Channel(**values)
            db.session.add(channel)
            db.session.flush()
            tokens = {}
            for kind in ("app", "automation"):
                tokens[kind] = secrets.token_urlsafe(32)
                db.session.add(
                    WebhookEndpoint(channel_id=channel.id, kind=kind, token=tokens[kind])
                )
            db.session.commit()
            return {"id": channel.id, "site": site["id"], "product": product["id"], **tokens}

        return self.do(work)  # type: ignore[return-value]

    def orders(self, channel_id: int) -> list[tuple[str, str]]:
        """(Wix order id, Wix status) of every OMS order of the channel."""
        return self.do(
            lambda: db.session.execute(
                db.select(Order.external_id, Order.channel_status).where(
                    Order.channel_id == channel_id
                )
            ).all()
        )  # type: ignore[return-value]

    def queue(self, channel_id: int, trigger: str = "schedule") -> int:
        def work() -> int:
            run = SyncRun(channel_id=channel_id, kind="orders", trigger=trigger, state="queued")
            db.session.add(run)
            db.session.commit()
            return run.id

        return self.do(work)  # type: ignore[return-value]

    def run(self, run_id: int) -> SyncRun:
        def work() -> SyncRun:
            run = db.session.get(SyncRun, run_id)
            db.session.expunge(run)
            return run

        return self.do(work)  # type: ignore[return-value]

    def runs(self, channel_id: int) -> list[SyncRun]:
        def work() -> list[SyncRun]:
            rows = list(db.session.scalars(
                db.select(SyncRun).where(SyncRun.channel_id == channel_id).order_by(SyncRun.id)
            ))  # fmt: skip
            db.session.expunge_all()
            return rows

        return self.do(work)  # type: ignore[return-value]

    def leader_pid(self) -> int | None:
        def work() -> int | None:
            lease = db.session.get(Lease, "scheduler")
            if lease is None or lease.expires_at.replace(tzinfo=UTC) < datetime.now(UTC):
                return None
            return int(lease.owner.split(":")[1])

        return self.do(work)  # type: ignore[return-value]

    def events_open(self) -> int:
        return self.do(
            lambda: db.session.scalar(
                db.select(db.func.count())
                .select_from(WebhookEvent)
                .where(WebhookEvent.state.in_(("pending", "processing", "failed")))
            )
        )  # type: ignore[return-value]


class Collector:
    """A loopback HTTP server recording the webhook bodies Wix sends it (answers 200)."""

    def __init__(self) -> None:
        self.bodies: list[bytes] = []
        self._lock = threading.Lock()

        @Request.application
        def receive(request: Request) -> Response:
            with self._lock:
                self.bodies.append(request.get_data())
            return Response("ok")

        logging.getLogger("werkzeug").setLevel(logging.WARNING)
        self.server = make_server("127.0.0.1", 0, receive, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def wait_quiet(self, quiet_s: float = 1.5, timeout_s: float = 60) -> list[bytes]:
        deadline = time.monotonic() + timeout_s
        seen, since = -1, time.monotonic()
        while time.monotonic() < deadline:
            if len(self.bodies) != seen:
                seen, since = len(self.bodies), time.monotonic()
            elif time.monotonic() - since >= quiet_s:
                break
            time.sleep(0.1)
        self.server.shutdown()
        return list(self.bodies)

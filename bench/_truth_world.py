"""The benchmark's world: a sandbox site bound to an OMS channel, and syncs in this process or
in a child process (``python bench/_truth_world.py KIND CHANNEL_ID``, the one the soak kills).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

from wixoms import create_app
from wixoms.extensions import db
from wixoms.models import Account, Channel, Warehouse, WarehouseMapping
from wixoms.sandbox.control_client import SandboxControl
from wixoms.sync.priority import yield_cpu_to_web
from wixoms.sync.runs import run_now

ROOT = Path(__file__).resolve().parents[1]
APP_ID = "bench-inventory-truth"
CATALOGS = {"v1": "V1_CATALOG", "v3": "V3_CATALOG"}


def app_config(tmp: Path, name: str, wix_url: str, key: str) -> dict:
    return {
        "SECRET_KEY": "bench",
        "ENCRYPTION_KEY": key,
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp / f'{name}.sqlite'}",
        "INSTANCE_PATH": str(tmp),
        "WIX_API_BASE": wix_url,
        "WIX_WWW_BASE": wix_url,
        "WIX_APP_ID": APP_ID,
        "WIX_APP_SECRET": "bench-secret",
    }


def connect(app, control: SandboxControl, url: str, catalog: str, **settings) -> tuple[int, str]:
    """A sandbox site with the app installed, and an OMS account + channel bound to it."""
    site = control.create_site(f"Bench {catalog}", CATALOGS[catalog])
    instance = control.install(APP_ID, site["id"])["instanceId"]
    token = control.access_token(instance)
    with app.app_context():
        db.create_all()
        account = Account(name=f"Bench {catalog} {site['id'][:6]}")
        db.session.add(account)
        db.session.flush()
        warehouse = Warehouse(account_id=account.id, code="MAIN", name="Main")
        channel = Channel(
            account_id=account.id, name="Wix", catalog_version=catalog, is_active=True,
            access_token=token, instance_id=instance, site_id=site["id"], site_url="",
            api_url=url, import_type="from_date",
            import_from_date=datetime(2000, 1, 1, tzinfo=UTC), skip_fulfilled=False, **settings,
        )  # fmt: skip
        db.session.add_all([warehouse, channel])
        db.session.flush()
        db.session.add(WarehouseMapping(channel_id=channel.id, warehouse_id=warehouse.id))
        db.session.commit()
        return channel.id, site["id"]


def sync(app, channel_id: int, kind: str) -> None:
    with app.app_context():
        run = run_now(channel_id, kind)
        if run.state not in ("succeeded", "partial"):
            raise SystemExit(f"{kind} run ended {run.state}: {run.summary}")
        db.session.remove()


def run_sync_process(config: dict, channel_id: int, kind: str) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "INVENTORY_TRUTH_CONFIG": json.dumps(config)}
    command = [sys.executable, str(Path(__file__)), kind, str(channel_id)]
    return subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def run_one_sync(kind: str, channel_id: int) -> int:
    """The child process: one sync run, configured by INVENTORY_TRUTH_CONFIG."""
    app = create_app(json.loads(os.environ["INVENTORY_TRUTH_CONFIG"]))
    yield_cpu_to_web(app)  # as `flask wixoms sync` and the scheduler process do
    with app.app_context():
        run = run_now(channel_id, kind)
        return 0 if run.state in ("succeeded", "partial") else 1


if __name__ == "__main__":
    sys.exit(run_one_sync(sys.argv[1], int(sys.argv[2])))

"""Celery mode against a real Redis and real Celery worker processes.

Redis: ``WIXOMS_TEST_REDIS_URL`` (default redis://127.0.0.1:6379/0). Every test uses a key
prefix of its own, so concurrent test runs on one Redis never see each other's queue. Without
Redis the tests are skipped, except under CI=true where they fail (as `make test` does for
PostgreSQL).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import redis

from tests.fixtures.wix import APP_ID, _control
from wixoms.extensions import db
from wixoms.models import Channel, SyncRun

ROOT = Path(__file__).resolve().parents[3]
REDIS_URL = os.environ.get("WIXOMS_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
WORKER_START_S = 30


@pytest.fixture(scope="session")
def redis_url() -> str:
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError as exc:
        message = f"Redis at {REDIS_URL} is unreachable ({exc})"
        if os.environ.get("CI"):
            pytest.fail(f"{message}: CI requires it.")
        pytest.skip(f"{message}: the Celery-mode tests need a real Redis.")
    return REDIS_URL


@pytest.fixture
def redis_prefix(redis_url) -> Iterator[str]:
    prefix = f"wixoms-test-{uuid.uuid4().hex[:10]}:"
    yield prefix
    client = redis.Redis.from_url(redis_url)
    keys = list(client.scan_iter(match=f"{prefix}*", count=1000))
    if keys:
        client.delete(*keys)


@pytest.fixture
def wix_config(wix_config, redis_url, redis_prefix) -> dict:
    """The Wix config of the shared fixtures, in Celery mode on this test's Redis prefix."""
    return {
        **wix_config,
        "QUEUE": "celery",
        "REDIS_URL": redis_url,
        "REDIS_PREFIX": redis_prefix,
        "SYNC_LEASE_SECONDS": 2,
    }


class Workers:
    """Starts `celery -A wixoms.cluster.worker worker` processes with the app's config."""

    def __init__(self, app, tmp_path: Path) -> None:
        self.app = app
        self.tmp_path = tmp_path
        self.procs: list[subprocess.Popen] = []

    def env(self) -> dict[str, str]:
        cfg = self.app.config
        keys = [k for k in cfg if k.startswith("WIX_")] + [
            "QUEUE", "REDIS_URL", "REDIS_PREFIX", "SYNC_LEASE_SECONDS", "SECRET_KEY",
            "ENCRYPTION_KEY",
        ]  # fmt: skip
        env = {k: v for k, v in os.environ.items() if not k.startswith("WIXOMS_")}
        env.update({f"WIXOMS_{k}": str(cfg[k]) for k in keys if cfg.get(k) is not None})
        env["WIXOMS_DATABASE_URL"] = cfg["SQLALCHEMY_DATABASE_URI"]
        return env

    def start(self, concurrency: int = 2) -> subprocess.Popen:
        client = redis.Redis.from_url(self.app.config["REDIS_URL"])
        pattern = f"{self.app.config['REDIS_PREFIX']}worker:*"
        before = set(client.scan_iter(match=pattern))
        log = open(self.tmp_path / f"worker{len(self.procs)}.log", "wb")  # noqa: SIM115
        proc = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "wixoms.cluster.worker", "worker",
             "--pool", "threads", "--concurrency", str(concurrency), "--loglevel", "WARNING",
             "--without-gossip", "--without-mingle", "--hostname", f"w{len(self.procs)}@%h"],
            cwd=ROOT, env=self.env(), stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        self.procs.append(proc)
        deadline = time.monotonic() + WORKER_START_S
        while time.monotonic() < deadline:
            if set(client.scan_iter(match=pattern)) - before:
                return proc
            if proc.poll() is not None:
                break
            time.sleep(0.1)
        raise AssertionError(f"the Celery worker did not start; see {log.name}")

    def kill(self, proc: subprocess.Popen) -> None:
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)

    def stop_all(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                proc.terminate()
        for proc in self.procs:
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()


@pytest.fixture
def workers(wix_app, tmp_path) -> Iterator[Workers]:
    found = Workers(wix_app, tmp_path)
    yield found
    found.stop_all()


@pytest.fixture
def seeded_channel(wix_app, world, sandbox, sandbox_server) -> Callable[..., Channel]:
    """A channel on a sandbox site seeded with ``orders`` orders and ``products`` products."""

    def _make(orders: int, products: int = 0, plan: str = "standard") -> Channel:
        # Orders come every 10 minutes from the base date: all of them within the last 30 days.
        base = (datetime.now(UTC) - timedelta(minutes=10 * orders + 60)).isoformat()
        site = sandbox.seed(sites=1, catalog="v3", orders=orders, products=products, baseDate=base)[
            "sites"
        ][0]
        install = _control(
            sandbox_server.url, "POST", "/installations", json={"appId": APP_ID,
                                                                "siteId": site["id"]},
        )  # fmt: skip
        with wix_app.app_context():
            channel = Channel(
                account_id=world.acme.id, name="Wix", catalog_version="v3", is_active=True,
                auth_flow="oauth", instance_id=install["instanceId"], site_id=site["id"],
                site_url=site.get("url", ""), site_name=site.get("name", "Seeded"),
                api_url=sandbox_server.url, throughput_plan=plan, import_last_days=30,
            )  # fmt: skip
            db.session.add(channel)
            db.session.commit()
            db.session.refresh(channel)
            db.session.expunge(channel)
            return channel

    return _make


def wait_for(app, predicate: Callable[[], object], timeout: float, what: str):
    """Poll ``predicate`` in an app context until it returns something truthy."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with app.app_context():
            try:
                found = predicate()
            finally:
                db.session.remove()
        if found:
            return found
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def runs(app, channel_id: int, kind: str = "orders") -> list[SyncRun]:
    with app.app_context():
        found = list(
            db.session.scalars(
                db.select(SyncRun)
                .where(SyncRun.channel_id == channel_id, SyncRun.kind == kind)
                .order_by(SyncRun.id)
            )
        )
        db.session.expunge_all()
        return found

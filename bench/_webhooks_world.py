"""The data side of bench/webhooks.py: its own PostgreSQL schema, the OMS world, the sandbox's
orders placed at a steady rate, and waiting for them to show up in the OMS."""

from __future__ import annotations

import secrets
import time
from datetime import UTC, datetime

import requests
from _common import account_selling
from _webhooks_stack import SKU

from wixoms import create_app
from wixoms.extensions import db
from wixoms.models import Channel, Order, WebhookEndpoint, WebhookEvent

BENCH_SCHEMA = "bench_webhooks"


def make_world(config: dict, channel_values: dict) -> tuple[int, str]:
    """Fresh tables, an account with the benchmark SKU, a channel in Webhooks mode, an endpoint."""
    app = create_app(config)
    with app.app_context():
        db.drop_all()
        db.create_all()
        channel = Channel(
            account_id=account_selling(SKU, "Bench", "Bench tee"),
            name="Bench Wix",
            is_active=True,
            channel_mode="webhooks",
            import_type="from_date",
            import_from_date=datetime(2000, 1, 1, tzinfo=UTC),
            skip_fulfilled=False,
            **channel_values,
        )
        db.session.add(channel)
        db.session.flush()
        token = secrets.token_urlsafe(32)
        db.session.add(WebhookEndpoint(channel_id=channel.id, kind="automation", token=token))
        db.session.commit()
        channel_id = channel.id
        db.engine.dispose()
    return channel_id, token


def count_events(config: dict) -> int:
    app = create_app(config)
    with app.app_context():
        n = db.session.scalar(db.select(db.func.count()).select_from(WebhookEvent))
        db.engine.dispose()
        return n


def control(base: str, method: str, path: str, **kw) -> dict:
    response = requests.request(method, f"{base}/_sandbox{path}", timeout=10, **kw)
    response.raise_for_status()
    return response.json() if response.content else {}


def place_orders(base: str, site_id: str, product_id: str, args) -> dict[str, datetime]:
    """Place orders one by one at a steady rate; return order id → time placed (UTC)."""
    placed: dict[str, datetime] = {}
    interval = 1.0 / args.order_rate
    start = time.monotonic()
    for i in range(args.orders):
        delay = start + i * interval - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        at = datetime.now(UTC)
        order = control(
            base, "POST", f"/sites/{site_id}/orders",
            json={"lines": [{"productId": product_id, "quantity": 1}], "status": "APPROVED"},
        )["order"]  # fmt: skip
        placed[order["id"]] = at
    return placed


def wait_for_orders(
    config: dict, channel_id: int, wanted: set[str], timeout_s: float
) -> tuple[dict[str, datetime], int]:
    """Order id → OMS created_at once all are there (or on timeout), and the OMS order count."""
    app = create_app(config)
    deadline = time.monotonic() + timeout_s
    with app.app_context():
        while True:
            rows = db.session.execute(
                db.select(Order.external_id, Order.created_at).where(Order.channel_id == channel_id)
            ).all()
            db.session.rollback()
            seen = {
                ext: (at if at.tzinfo else at.replace(tzinfo=UTC))
                for ext, at in rows
                if ext in wanted
            }
            if len(seen) == len(wanted) or time.monotonic() > deadline:
                break
            time.sleep(0.2)
        db.engine.dispose()
    return seen, len(rows)


def drop_redis_keys(url: str, prefix: str) -> None:
    import redis

    client = redis.Redis.from_url(url)
    keys = list(client.scan_iter(match=f"{prefix}*", count=1000))
    if keys:
        client.delete(*keys)


def bench_database(url: str | None) -> str | None:
    """A PostgreSQL URL whose search_path is a schema of its own (re-created), or None.

    Several gunicorn processes writing one SQLite file queue on its write lock, and SQLite's
    busy handler sleeps up to 100 ms between tries: a production deployment with workers uses
    PostgreSQL, so the benchmark does when one is reachable.
    """
    from sqlalchemy import create_engine, text

    if not url or url == "sqlite":
        return None
    url = url.replace("postgresql://", "postgresql+psycopg://", 1)
    try:
        engine = create_engine(url, connect_args={"connect_timeout": 3})
        with engine.begin() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{BENCH_SCHEMA}" CASCADE'))
            conn.execute(text(f'CREATE SCHEMA "{BENCH_SCHEMA}"'))
        engine.dispose()
    except Exception as exc:  # unreachable: fall back to SQLite and say so
        print(f"PostgreSQL at {url} not usable ({type(exc).__name__}); using SQLite")
        return None
    sep = "&" if "?" in url else "?"
    return f"{url}{sep}options=-csearch_path%3D{BENCH_SCHEMA}"

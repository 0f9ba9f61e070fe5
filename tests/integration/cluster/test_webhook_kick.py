"""A /hooks delivery in the Celery mode always gets an inbox pass asked for after its commit."""

from __future__ import annotations

import time

import redis
from cryptography.fernet import Fernet

from wixoms import create_app
from wixoms.webhooks import process


def _queued_tasks(client: redis.Redis, prefix: str) -> int:
    """Messages waiting in the broker's queue lists under this test's prefix."""
    return sum(
        client.llen(key)
        for key in client.scan_iter(match=f"{prefix}*", count=1000)
        if client.type(key) == b"list"
    )


def test_a_kick_while_another_process_holds_the_coalescing_key_still_sends_a_pass(
    tmp_path, redis_url, redis_prefix
):
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'kick.sqlite'}",
            "SECRET_KEY": "kick-test",
            "ENCRYPTION_KEY": Fernet.generate_key().decode(),
            "INSTANCE_PATH": str(tmp_path / "instance"),
            "QUEUE": "celery",
            "REDIS_URL": redis_url,
            "REDIS_PREFIX": redis_prefix,
            "SCHEDULER_ENABLED": False,
        }
    )
    client = redis.Redis.from_url(redis_url)
    # Another web process asked for a pass a moment ago: its task may run before this
    # process's delivery is committed, so it cannot stand in for this one.
    client.set(f"{redis_prefix}webhooks:kick", b"1", px=300)

    process.kick(app)

    deadline = time.monotonic() + 3
    while _queued_tasks(client, redis_prefix) == 0 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _queued_tasks(client, redis_prefix) == 1

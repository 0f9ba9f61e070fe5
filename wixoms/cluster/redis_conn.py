"""One Redis connection pool per process and URL; every key carries the deployment's prefix."""

from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import Any

import redis

_lock = threading.Lock()
_clients: dict[str, redis.Redis] = {}


def redis_client(config: Mapping[str, Any]) -> redis.Redis:
    url = str(config["REDIS_URL"])
    with _lock:
        client = _clients.get(url)
        if client is None:
            client = _clients[url] = redis.Redis.from_url(
                url, socket_timeout=5, socket_connect_timeout=2, health_check_interval=30
            )
        return client


def key_prefix(config: Mapping[str, Any]) -> str:
    """``WIXOMS_REDIS_PREFIX`` (default ``wixoms:``) keeps deployments sharing a Redis apart."""
    return str(config.get("REDIS_PREFIX") or "wixoms:")

"""One Wix token cache per app instance, shared through Redis, with single-flight renewal.

``TokenManager`` (wixoms/wix/tokens.py) renews under its registry state's ``lock`` and reuses
the state's ``credentials``; this registry hands it a Redis lock and a Redis-stored token
(encrypted with the app's key, expiring with the token), so the cluster asks Wix for each
token once per lifetime.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

import redis

from wixoms import crypto
from wixoms.wix.auth import Credentials

# A renewal is one HTTP call with retries: a crashed holder frees the lock after this.
LOCK_TIMEOUT_S = 60
LOCK_WAIT_S = 90


class RedisTokenState:
    """The registry state of one instance: a Redis lock and the latest shared credentials."""

    def __init__(self, client: redis.Redis, key: str) -> None:
        self._client = client
        self.key = key
        self.lock = client.lock(
            f"{key}:lock", timeout=LOCK_TIMEOUT_S, blocking_timeout=LOCK_WAIT_S, thread_local=False
        )

    @property
    def credentials(self) -> Credentials | None:
        raw = self._client.get(self.key)
        if raw is None:
            return None
        try:
            data = json.loads(crypto.decrypt(raw.decode()))
        except ValueError:  # another key or a damaged entry: ask Wix again
            return None
        expires = data.get("expires_at")
        return Credentials(
            access_token=data["access_token"],
            refresh_token=data.get("refresh_token"),
            expires_at=datetime.fromisoformat(expires) if expires else None,
        )

    @credentials.setter
    def credentials(self, creds: Credentials | None) -> None:
        if creds is None:
            self._client.delete(self.key)
            return
        data = {
            "access_token": creds.access_token,
            "refresh_token": creds.refresh_token,
            "expires_at": creds.expires_at.isoformat() if creds.expires_at else None,
        }
        ttl = 3600
        if creds.expires_at is not None:
            ttl = max(1, int((creds.expires_at - datetime.now(UTC)).total_seconds()))
        self._client.set(self.key, crypto.encrypt(json.dumps(data)), ex=ttl)


class RedisTokenRegistry:
    """``TokenRegistry``'s interface, backed by Redis."""

    def __init__(self, client: redis.Redis, prefix: str) -> None:
        self._client = client
        self._prefix = prefix

    def state(self, app_id: str, instance_id: str) -> RedisTokenState:
        return RedisTokenState(self._client, f"{self._prefix}wix:token:{app_id}:{instance_id}")

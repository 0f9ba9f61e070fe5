"""Queue depth and live workers for /health: what an operator scales on."""

from __future__ import annotations

import contextlib
import os
import socket
import threading
from collections.abc import Mapping
from typing import Any

from wixoms.cluster.celery_app import QUEUE_NAME
from wixoms.cluster.redis_conn import key_prefix, redis_client

BEAT_S = 5
BEAT_TTL_S = 15


def _worker_key(config: Mapping[str, Any], name: str) -> str:
    return f"{key_prefix(config)}worker:{name}"


class WorkerHeartbeat:
    """Keeps ``<prefix>worker:<name>`` alive in Redis while this worker process runs."""

    def __init__(self, config: Mapping[str, Any]) -> None:
        self.config = config
        self.name = f"{socket.gethostname()}:{os.getpid()}"
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self, hostname: str | None = None) -> None:
        if hostname:
            self.name = f"{hostname}:{os.getpid()}"
        self._beat()
        self._thread = threading.Thread(target=self._run, name="worker-heartbeat", daemon=True)
        self._thread.start()

    def _beat(self) -> None:
        redis_client(self.config).set(_worker_key(self.config, self.name), b"1", ex=BEAT_TTL_S)

    def _run(self) -> None:
        while not self._stop.wait(BEAT_S):
            with contextlib.suppress(Exception):  # Redis away a moment: the next beat retries
                self._beat()

    def stop(self) -> None:
        self._stop.set()
        with contextlib.suppress(Exception):
            redis_client(self.config).delete(_worker_key(self.config, self.name))


def cluster_health(config: Mapping[str, Any]) -> dict[str, Any]:
    """Tasks waiting in the broker's queue and the workers whose heartbeat is fresh."""
    client = redis_client(config)
    prefix = key_prefix(config)
    workers = sum(1 for _ in client.scan_iter(match=f"{prefix}worker:*", count=500))
    return {"queue_depth": int(client.llen(f"{prefix}{QUEUE_NAME}")), "workers": workers}

"""A per-endpoint token bucket: one noisy or leaked /hooks URL cannot flood the inbox."""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass


@dataclass
class _Bucket:
    tokens: float
    stamp: float


class TokenBucketLimiter:
    """``rate`` requests per second on average, bursts up to ``burst``; per key, in-process.

    Each gunicorn worker keeps its own buckets, so the deployment-wide ceiling is
    ``workers × rate``; that is enough to stop a flood, which is the point.
    """

    def __init__(
        self,
        rate: float,
        burst: int,
        *,
        max_keys: int = 10_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.rate = float(rate)
        self.burst = max(1, int(burst))
        self._max_keys = max_keys
        self._clock = clock
        self._buckets: OrderedDict[object, _Bucket] = OrderedDict()
        self._lock = threading.Lock()

    def acquire(self, key: object) -> float:
        """Take one token for ``key``: 0.0 when allowed, else the seconds until one is free."""
        now = self._clock()
        with self._lock:
            bucket = self._buckets.get(key)
            if bucket is None:
                bucket = _Bucket(tokens=float(self.burst), stamp=now)
                self._buckets[key] = bucket
                if len(self._buckets) > self._max_keys:
                    self._buckets.popitem(last=False)
            else:
                self._buckets.move_to_end(key)
                bucket.tokens = min(self.burst, bucket.tokens + (now - bucket.stamp) * self.rate)
                bucket.stamp = now
            if bucket.tokens >= 1.0:
                bucket.tokens -= 1.0
                return 0.0
            if self.rate <= 0:
                return float("inf")
            return (1.0 - bucket.tokens) / self.rate

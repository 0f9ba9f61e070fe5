"""A per-endpoint token bucket: one noisy or leaked /hooks URL cannot flood the inbox.

The bucket arithmetic is the Wix client's (``wixoms.wix.transport.RateLimiter``, the one token
bucket of the code base); this module only keeps one bucket per key, the least recently used
dropped beyond ``max_keys``.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable

from wixoms.wix.transport import RateLimiter


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
        self._buckets: OrderedDict[object, RateLimiter] = OrderedDict()
        self._lock = threading.Lock()

    def acquire(self, key: object) -> float:
        """Take one token for ``key``: 0.0 when allowed, else the seconds until one is free."""
        if self.rate <= 0:
            return float("inf")
        with self._lock:
            bucket = self._buckets.get(key)
            if bucket is None:
                bucket = RateLimiter(self.rate, self.burst, clock=self._clock)
                self._buckets[key] = bucket
                if len(self._buckets) > self._max_keys:
                    self._buckets.popitem(last=False)
            else:
                self._buckets.move_to_end(key)
        return bucket.try_acquire()

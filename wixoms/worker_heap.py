"""Short garbage-collector pauses in gunicorn workers (gunicorn.conf.py calls these).

A worker holds a few hundred thousand long-lived objects: Flask, SQLAlchemy's models and
compiled statements, Celery's and psycopg's modules. CPython's full (generation 2) collection
walks all of them, and it stops every thread of the worker while it does: about 100 ms here,
several times a minute under load, which every request in flight then waits out (the p99 of
bench/webhooks.py went from 132 ms to under 50 ms at 64 connections with this). ``gc.freeze()``
moves the objects alive at that moment out of the collector's sight, so a full collection walks
only what came later: about 1 ms. Frozen objects are still freed by reference counting; only a
reference cycle among them would outlive its last use, so a worker freezes twice and no more:
once the app is built, and once its first requests have loaded and cached what it serves with
(lazy imports, statement caches).
"""

from __future__ import annotations

import gc
import itertools
import logging
import threading
from collections.abc import Callable

log = logging.getLogger(__name__)

# Requests a worker serves before its second (and last) freeze.
WARM_AFTER_REQUESTS = 500


def freeze_heap(full: bool = True) -> None:
    """Collect what is garbage now, then freeze everything that is left.

    ``full`` False collects the young generations only: a few milliseconds instead of the full
    pass this module exists to avoid, for a freeze while requests are being served."""
    gc.collect() if full else gc.collect(1)
    gc.freeze()


class WarmFreeze:
    """Freezes the heap once, when the worker has served ``after`` requests."""

    def __init__(
        self,
        after: int = WARM_AFTER_REQUESTS,
        freeze: Callable[[], None] = lambda: freeze_heap(full=False),
    ) -> None:
        self.after = after
        self._freeze = freeze
        self._served = itertools.count(1)  # next() is atomic: no lock on the hot path
        self._lock = threading.Lock()
        self.done = False

    def note_request(self) -> None:
        if self.done or next(self._served) < self.after:
            return
        with self._lock:
            if self.done:
                return
            self.done = True
        self._freeze()
        log.debug("worker heap frozen after %d requests", self.after)


_WARM = WarmFreeze()


def note_request() -> None:
    """Count one served request (gunicorn's post_request)."""
    _WARM.note_request()

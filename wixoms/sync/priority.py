"""Sync work yields the CPU to the web tier.

A large inventory push is minutes of CPU in the scheduler process. On a 2-core machine the web
workers then wait for a core: bench/inventory_truth.py measured the /hooks p99 during a
10,000-SKU push at 61–311 ms, and at 45 ms with the push process niced; during a 100,000-SKU
push, 996 ms. Processes that run syncs call ``yield_cpu_to_web`` once at start.
"""

from __future__ import annotations

import os

from flask import Flask


def yield_cpu_to_web(app: Flask) -> int:
    """Lower this process's CPU priority by SYNC_PROCESS_NICE (0: leave it); the new niceness."""
    step = int(app.config.get("SYNC_PROCESS_NICE", 0) or 0)
    if step <= 0 or not hasattr(os, "nice"):
        return os.nice(0) if hasattr(os, "nice") else 0
    return os.nice(step)

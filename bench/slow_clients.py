"""Benchmark: /health latency while slow clients (slowloris) hold connections open.

The production command (`make prod`: Debian's nginx buffering every request in front of
gunicorn, 4 gthread workers × 4 threads) is measured twice in the same run: a baseline of
sequential GET /health without an attack, then the same while 50 connections trickle their
headers or bodies a byte or a line a second. p99_attack_ms is the goal (< 100 ms);
p99_ratio = attack ÷ baseline. For contrast, gunicorn alone with the same workers (the
README's command before `make prod`) is attacked the same way: its failed or timed-out
requests count as the 2 s timeout.

Run: .venv/bin/python bench/slow_clients.py [--quick]
Writes bench/results/slow_clients.json as {"metrics": {...}, "params": {...}}.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from _common import bench_parser, load_average, print_ratios, write_results  # noqa: E402

from tests.fixtures.prod_stack import (  # noqa: E402
    GUNICORN_DIRECT,
    SlowClients,
    health_latencies_ms,
    p99,
    production,
)

SLOW_CLIENTS = 50
TIMEOUT_S = 2.0


def measure(behind_nginx: bool, requests_count: int) -> dict[str, float]:
    """p99 of /health without, then with, the slow clients; failures under attack."""
    with production(behind_nginx=behind_nginx) as url:
        health_latencies_ms(url, 60)  # warm-up: every worker has served requests
        baseline = health_latencies_ms(url, requests_count, TIMEOUT_S)
        with SlowClients(url, SLOW_CLIENTS):
            attack = health_latencies_ms(url, requests_count, TIMEOUT_S)
    return {
        "p99_baseline_ms": round(p99(baseline), 2),
        "p99_attack_ms": round(p99(attack), 2),
        "failed_under_attack": sum(1 for ms in attack if ms >= TIMEOUT_S * 1000),
    }


def main() -> None:
    args = bench_parser(__doc__, "fewer /health requests per phase (same ratios)").parse_args()
    count = 100 if args.quick else 400
    # Gunicorn alone stalls: each of its requests waits for the 2 s timeout, so fewer suffice.
    direct_count = 20 if args.quick else 60
    prod = measure(True, count)
    direct = measure(False, direct_count)
    metrics = {
        "p99_baseline_ms": prod["p99_baseline_ms"],
        "p99_attack_ms": prod["p99_attack_ms"],
        "p99_ratio": round(prod["p99_attack_ms"] / prod["p99_baseline_ms"], 3),
        "failed_under_attack": prod["failed_under_attack"],
        "direct_gunicorn_p99_attack_ms": direct["p99_attack_ms"],
        "direct_gunicorn_failed_under_attack": direct["failed_under_attack"],
        "direct_gunicorn_requests": direct_count,
    }
    params = {
        "quick": args.quick,
        "slow_clients": SLOW_CLIENTS,
        "health_requests": count,
        "timeout_s": TIMEOUT_S,
        "gunicorn": " ".join(GUNICORN_DIRECT),
        "proxy": "Debian nginx (deploy/nginx.conf.template)",
        "load_average_1m": load_average(),
    }
    print_ratios(
        [
            ("make prod: /health p99, no attack (ms)", metrics["p99_baseline_ms"], None, ""),
            (
                f"make prod: /health p99, {SLOW_CLIENTS} slow clients (ms)",
                metrics["p99_attack_ms"],
                metrics["p99_ratio"],
                "< 100 ms",
            ),
            ("make prod: failed under attack", metrics["failed_under_attack"], None, "0"),
            (
                "gunicorn alone: /health p99 under attack (ms)",
                metrics["direct_gunicorn_p99_attack_ms"],
                None,
                "",
            ),
            (
                f"gunicorn alone: failed of {direct_count}",
                metrics["direct_gunicorn_failed_under_attack"],
                None,
                "",
            ),
        ],
        name_width=48,
        value_width=9,
    )
    print(f"wrote {write_results('slow_clients', metrics, params)}")


if __name__ == "__main__":
    main()

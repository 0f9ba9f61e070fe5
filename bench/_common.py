"""What the benchmarks share: the --quick parser, a sandbox process, result files and tables.

Imported as ``from _common import ...``: every benchmark runs as ``python bench/<name>.py``, so
bench/ is on sys.path.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
RESULTS_DIR = ROOT / "bench" / "results"


def bench_parser(doc: str, quick_help: str) -> argparse.ArgumentParser:
    """A parser described by the docstring's first line, with the --quick flag every bench has."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help=quick_help)
    return parser


def free_port() -> int:
    """A loopback port nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def stop_process_group(proc: subprocess.Popen, wait_s: float = 15) -> None:
    """SIGTERM a process started with start_new_session=True and its children; SIGKILL after
    ``wait_s`` seconds."""
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=wait_s)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)


def percentile(values: list[float], pct: float) -> float:
    """The nearest-rank percentile of ``values``."""
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(pct / 100 * (len(ordered) - 1))))
    return ordered[index]


def load_average() -> float:
    """The machine's 1-minute load average, to read the figures of a busy run with care."""
    return round(os.getloadavg()[0], 2)


@contextmanager
def sandbox_process(orders: int, products: int, wait_s: float = 30) -> Iterator[str]:
    """`python -m wixoms.sandbox` seeded with one v3 site of ``orders`` orders; yields its URL.

    Waits up to ``wait_s`` seconds for it to answer (seeding many orders takes a while).
    """
    port = free_port()
    command = [sys.executable, "-m", "wixoms.sandbox", "--port", str(port), "--seed-sites", "1",
               "--seed-catalog", "v3", "--seed-products", str(products),
               "--seed-orders", str(orders)]  # fmt: skip
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    process = subprocess.Popen(
        command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(round(wait_s * 10)):
            try:
                requests.get(url + "/_sandbox/sites", timeout=1)
                break
            except requests.ConnectionError:
                time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


def write_results(name: str, metrics: dict, params: dict) -> Path:
    """Write bench/results/<name>.json as {"metrics": ..., "params": ...}; return its path."""
    path = RESULTS_DIR / f"{name}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"metrics": metrics, "params": params}, indent=2) + "\n")
    return path


def print_metrics(metrics: dict, goals: dict[str, str], key_width: int, value_width: int) -> None:
    """One line per metric: name, value and its goal (blank where it has none)."""
    print(f"{'metric':<{key_width}}{'value':>{value_width}}  goal")
    for key, value in metrics.items():
        print(f"{key:<{key_width}}{value!s:>{value_width}}  {goals.get(key, '')}")


def print_ratios(
    rows: Sequence[tuple[str, object, float | None, str]], name_width: int, value_width: int
) -> None:
    """Rows of (measure, value, ratio or None, goal) under a header, ratios to 3 decimals."""
    print(f"{'measure':{name_width}} {'value':>{value_width}} {'ratio':>7}  goal")
    for name, value, ratio, goal in rows:
        shown = "" if ratio is None else f"{ratio:7.3f}"
        print(f"{name:{name_width}} {value!s:>{value_width}} {shown:>7}  {goal}")


def account_selling(sku: str, account_name: str, product_name: str) -> int:
    """An OMS account with one product of one variant ``sku``, added to the current session
    (flushed, not committed); its id."""
    from wixoms.extensions import db
    from wixoms.models import Account, Product, Variant

    account = Account(name=account_name)
    db.session.add(account)
    db.session.flush()
    product = Product(account_id=account.id, name=product_name)
    db.session.add(product)
    db.session.flush()
    db.session.add(Variant(account_id=account.id, product_id=product.id, sku=sku))
    db.session.flush()
    return account.id

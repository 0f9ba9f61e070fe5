"""The server side of bench/webhooks.py: gunicorn and a Celery worker as the README runs them,
and wrk posting Automations "Order placed" bodies, each a new order."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import requests
from _common import ROOT, free_port, stop_process_group

SKU = "BENCH-TEE"
# A realistic Automations body is an order of a few KB; the id is swapped in per request.
ORDER_TEMPLATE = {
    "data": {
        "order": {
            "id": "@ID@",
            "number": "@N@",
            "status": "APPROVED",
            "paymentStatus": "PAID",
            "createdDate": "2026-01-01T00:00:00.000Z",
            "updatedDate": "2026-01-01T00:00:00.000Z",
            "buyerInfo": {"email": "buyer@example.com", "contactId": "c-1"},
            "lineItems": [
                {
                    "id": f"line-{i}",
                    "productName": {"original": f"Bench tee {i}"},
                    "quantity": 1,
                    "price": {"amount": "19.00", "formattedAmount": "€19.00"},
                    "physicalProperties": {"sku": SKU, "shippable": True},
                    "descriptionLines": [{"name": {"original": "Size"}, "plainText": "M"}],
                }
                for i in range(6)
            ],
            "priceSummary": {"total": {"amount": "114.00", "formattedAmount": "€114.00"}},
        }
    }
}


class Gunicorn:
    """The app under gunicorn with 2 workers; configuration by WIXOMS_* variables."""

    def __init__(self, env: dict[str, str], threads: int = 1, workers: int = 2) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        full_env = {**os.environ, **env}
        cmd = [
            sys.executable, "-m", "gunicorn", "-w", str(workers), "-b", f"127.0.0.1:{self.port}",
            "--threads", str(threads), "--log-level", "warning", "--backlog", "2048",
            "wixoms:create_app()",
        ]  # fmt: skip
        self.proc = subprocess.Popen(cmd, cwd=ROOT, env=full_env, start_new_session=True)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if requests.get(self.url + "/health", timeout=1).ok:
                    return
            except requests.RequestException:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError("gunicorn did not start")

    def stop(self) -> None:
        stop_process_group(self.proc)


class CeleryWorker:
    """`celery -A wixoms.cluster.worker worker` (threads) with the app's WIXOMS_* variables."""

    def __init__(self, env: dict[str, str]) -> None:
        import redis

        cmd = [sys.executable, "-m", "celery", "-A", "wixoms.cluster.worker", "worker",
               "--pool", "threads", "--concurrency", "4", "--without-gossip", "--without-mingle",
               "--loglevel", "WARNING"]  # fmt: skip
        self.proc = subprocess.Popen(
            cmd, cwd=ROOT, env={**os.environ, **env}, start_new_session=True
        )
        client = redis.Redis.from_url(env["WIXOMS_REDIS_URL"])
        deadline = time.monotonic() + 30
        while not any(client.scan_iter(match=f"{env['WIXOMS_REDIS_PREFIX']}worker:*")):
            if time.monotonic() > deadline or self.proc.poll() is not None:
                self.stop()
                raise RuntimeError("the Celery worker did not start")
            time.sleep(0.2)

    def stop(self) -> None:
        stop_process_group(self.proc)


def app_env(config: dict) -> dict[str, str]:
    env = {
        f"WIXOMS_{k}": json.dumps(v) if isinstance(v, bool) else str(v) for k, v in config.items()
    }
    env["WIXOMS_LOG_LEVEL"] = "WARNING"
    return env


def hooks_script(path: Path, nonce: str) -> None:
    body = json.dumps(ORDER_TEMPLATE, separators=(",", ":"))
    head, tail = body.split("@ID@")
    mid, tail = tail.split("@N@")
    lua = f"""
local counter = 0
local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("tid", threads)
end
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
request = function()
  counter = counter + 1
  local id = "{nonce}-" .. tid .. "-" .. counter
  return wrk.format(nil, nil, nil, {json.dumps(head)} .. id .. {json.dumps(mid)} .. counter
    .. {json.dumps(tail)})
end
"""
    path.write_text(lua)


_UNITS = {"us": 1e-3, "ms": 1.0, "s": 1000.0, "m": 60000.0}


def run_wrk(url: str, seconds: int, connections: int, script: Path | None) -> dict:
    cmd = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", "--timeout", "5s"]
    if script is not None:
        cmd += ["-s", str(script)]
    out = subprocess.run(cmd + [url], capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p99 = re.search(r"\s99%\s+([\d.]+)(us|ms|s|m)\b", out)
    total = int(re.search(r"(\d+) requests in", out).group(1))
    non_2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    errors = re.search(r"Socket errors:.*", out)
    return {
        "rps": rps,
        "p99_ms": float(p99.group(1)) * _UNITS[p99.group(2)],
        "requests": total,
        "non_2xx": int(non_2xx.group(1)) if non_2xx else 0,
        "socket_errors": errors.group(0) if errors else "",
    }

"""Benchmark: wixoms and the sandbox checked against Wix's official SDK (wix-api.md §10).

Runs the sandbox in-process and Node 20 with the pinned SDK of tests/contract (run
``make contract-deps`` first). Metrics:

- operations_used: distinct Wix operations wixoms's code calls (found in its source);
- operations_checked_by_official_sdk: those whose requests, sent by wixoms's client to the
  sandbox, equal what the SDK's request builder emits for the same input (method, path, query
  keys, body keys; one operation without a builder is checked against its request typing);
- request_shape_mismatches: distinct wixoms requests that differ from the SDK's;
- official_sdk_failures: the SDK's own calls against the sandbox that fail (auth, orders,
  fulfillments, catalog v1/v3, inventory, webhook parsing);
- documented_behaviours_failing: §10 points the sandbox breaks (each point is a test of
  tests/integration/sandbox/test_sdk_facts.py, run here);
- webhook signing per event, with the app key parsed once vs parsed per event (the baseline),
  and a 1000-item bulk inventory update with app webhooks on (Wix's bulk limit).

Goal: every used operation checked, 0 mismatches, 0 SDK failures, 0 failing behaviours.
Usage: python bench/wix_contract.py [--quick]   (the run is the same size either way)
"""

from __future__ import annotations

import json
import logging
import sys
import time

import jwt
import pytest
import requests
from _common import ROOT, bench_parser, print_metrics, write_results

sys.path.insert(0, str(ROOT))

from tests.contract.harness import (  # noqa: E402
    compare_shapes,
    exercise_wixoms,
    operations_used,
    prepare_sdk_world,
    run_sdk_scenarios,
    sdk_ready,
)
from tests.integration.sandbox.test_sdk_facts import v3_product  # noqa: E402
from wixoms.sandbox.control_client import SandboxControl  # noqa: E402
from wixoms.sandbox.server import SandboxServer  # noqa: E402
from wixoms.wix.catalog import sdk_query  # noqa: E402

FACTS = ROOT / "tests" / "integration" / "sandbox" / "test_sdk_facts.py"
SIGNATURES = 200


class _Outcomes:
    """A pytest plugin that keeps each test's outcome."""

    def __init__(self) -> None:
        self.outcomes: dict[str, str] = {}

    def pytest_runtest_logreport(self, report) -> None:
        if report.when == "call" or report.outcome != "passed":
            self.outcomes[report.nodeid] = report.outcome


def documented_behaviours() -> dict[str, str]:
    """Run the §10 sandbox tests; test id → passed/failed/skipped."""
    plugin = _Outcomes()
    pytest.main([str(FACTS), "-q", "-p", "no:cacheprovider"], plugins=[plugin])
    return plugin.outcomes


def signing_cost(server: SandboxServer) -> dict:
    """ms per webhook JWT: key parsed once (the dispatcher) vs parsed for every event."""
    store = server.store
    app = next(iter(store.apps.values()))
    dispatcher = server.app.extensions["wix_sandbox_dispatcher"]
    claims = {"data": json.dumps({"eventType": "x", "data": "{}"}), "iat": 0, "exp": 1}
    started = time.perf_counter()
    for _ in range(SIGNATURES):
        jwt.encode(claims, dispatcher._signing_key(app), algorithm="RS256")
    cached = (time.perf_counter() - started) * 1000 / SIGNATURES
    started = time.perf_counter()
    for _ in range(SIGNATURES // 10):
        jwt.encode(claims, app.private_key_pem, algorithm="RS256")
    reparsed = (time.perf_counter() - started) * 1000 / (SIGNATURES // 10)
    return {
        "webhook_sign_ms_per_event": round(cached, 3),
        "webhook_sign_ms_per_event_key_reparsed": round(reparsed, 3),
        "webhook_sign_speedup": round(reparsed / cached, 1),
    }


def bulk_update_1000(server: SandboxServer) -> dict:
    """Wix's largest bulk inventory update (1000 items) with an app webhook per item."""
    control = SandboxControl(server.url)
    control.reset()
    site = control.create_site("Bulk", "V3_CATALOG")
    app = control.register_app(auth_flow="oauth", webhook_url="http://127.0.0.1:9/hooks")
    instance = control.install(app["appId"], site["id"])["instanceId"]
    control.config(webhook_max_attempts=1)
    http = requests.Session()
    http.headers["Authorization"] = control.access_token(instance)
    sizes = [f"S{i}" for i in range(1000)]
    made = http.post(
        server.url + "/stores/v3/products-with-inventory",
        json=v3_product(sizes=sizes, inventory={"quantity": 0}), timeout=60,
    ).json()["product"]  # fmt: skip
    query = {"query": {"filter": {"productId": {"$in": [made["id"]]}}}}
    query["query"]["cursorPaging"] = {"limit": 1000}
    items = http.get(
        server.url + "/stores/v3/inventory-items/query", params=sdk_query(query), timeout=60
    ).json()["inventoryItems"]
    body = [
        {"inventoryItem": {"id": i["id"], "revision": i["revision"], "quantity": 3}} for i in items
    ]
    started = time.perf_counter()
    done = http.post(
        server.url + "/stores/v3/bulk/inventory-items/update",
        json={"inventoryItems": body, "reason": "MANUAL"}, timeout=120,
    ).json()  # fmt: skip
    seconds = time.perf_counter() - started
    http.close()
    return {
        "bulk_update_items": len(body),
        "bulk_update_succeeded": done["bulkActionMetadata"]["totalSuccesses"],
        "bulk_update_with_webhooks_s": round(seconds, 3),
    }


def main() -> None:
    parser = bench_parser(__doc__, "the same run (it is small); kept for `make bench`")
    args = parser.parse_args()
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    missing = sdk_ready()
    if missing:
        raise SystemExit(f"Wix's official SDK is not installed: {missing}")
    started = time.perf_counter()
    used = operations_used()
    with SandboxServer() as server:
        report = compare_shapes(exercise_wixoms(server.url))
        scenarios = run_sdk_scenarios(prepare_sdk_world(server.url))
        signing = signing_cost(server)
        bulk = bulk_update_1000(server)
    behaviours = documented_behaviours()
    failing_behaviours = sorted(k for k, v in behaviours.items() if v != "passed")
    checked = report.operations_checked & set(used)
    metrics = {
        "operations_used": len(used),
        "operations_checked_by_official_sdk": len(checked),
        "request_shape_mismatches": len(report.mismatches),
        "official_sdk_failures": sum(1 for s in scenarios if not s["ok"]),
        "documented_behaviours_checked": len(behaviours),
        "documented_behaviours_failing": len(failing_behaviours),
        **signing,
        **bulk,
    }
    params = {
        "quick": args.quick,
        "sdk_versions": report.versions,
        "operations": sorted(used),
        "checked_by": {r["op"]: r.get("checkedBy") for r in report.results},
        "unchecked_operations": sorted(set(used) - checked),
        "mismatches": [
            {k: r.get(k) for k in ("op", "differences", "wixoms", "sdk")} for r in report.mismatches
        ],
        "official_sdk_checks": [s["name"] for s in scenarios],
        "failing_sdk_checks": [s["name"] for s in scenarios if not s["ok"]],
        "failing_behaviours": failing_behaviours,
        "seconds": round(time.perf_counter() - started, 1),
    }
    path = write_results("wix_contract", metrics, params)
    goals = {
        "operations_checked_by_official_sdk": f"= operations_used ({len(used)})",
        "request_shape_mismatches": "0",
        "official_sdk_failures": "0",
        "documented_behaviours_failing": "0",
        "webhook_sign_speedup": "> 1 (key parsed once)",
        "bulk_update_succeeded": "= bulk_update_items",
    }
    print_metrics(metrics, goals, 44, 10)
    print(f"wrote {path.relative_to(ROOT)}")
    ok = (
        len(checked) == len(used)
        and not report.mismatches
        and not params["failing_sdk_checks"]
        and not failing_behaviours
    )
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()

"""Benchmark: inventory and order truth (issue 14) — Wix shows what the OMS can sell.

Three phases, each against the Wix sandbox over HTTP, the app on a temporary SQLite file:

1. Drift cases, on a Catalog v1 and a Catalog v3 site. The OMS starts empty: the first catalog
   import brings the Wix products in (and takes their stock from Wix), the first push runs.
   Then each kind of drift happens once, on its own SKU: a merchant edit in Wix, a Wix sale,
   an OMS receipt, a cancel in Wix, a return (shipped in the OMS, one unit back on hand) and an
   extra SKU mapping (a Wix bundle variant mapped to an OMS SKU). The reconciliation comes due
   and ONE push runs. ``drift_cases`` gives, per kind and catalog, the Wix variants of that
   case whose quantity differs from the OMS's (available − buffer, capped, ≥ 0);
   ``stock_mismatches`` counts them over the whole catalog. Then buyers take everything Wix
   shows, SKU after SKU, each sale downloaded and pushed before the next:
   ``oversold_units`` = units allocated beyond on hand (sold without stock).
2. Fault soak (v3): 10% 5xx, 5% 429, a token expiry and a kill -9 of a process running an
   orders download, while a feeder keeps placing orders and cancelling some. After the feeder
   stops and the faults clear, the downloads catch up; the OMS is compared with the sandbox's
   orders that match the channel's filter: ``orders_missing``, ``orders_duplicated``,
   ``orders_wrong_state`` (OMS status or Wix status not the sandbox's).
3. ``hooks_p99_ms_during_push_sqlite``: /hooks intake (gunicorn, 2 workers, as in production)
   posted at a steady pace, first alone (baseline) then while an inventory push that changes
   every SKU of a large catalog runs in another process on the same SQLite file.
   Full: 100,000 SKUs; --quick: 10,000 (same set-up, the push simply ends sooner).

Usage: .venv/bin/python bench/inventory_truth.py [--quick]
The phases live in bench/_truth_drift.py, _truth_soak.py and _truth_hooks.py; _truth_world.py
connects a site to a channel and runs a sync in a child process (the one the soak kills).
"""

from __future__ import annotations

import logging
import sys
import tempfile
from pathlib import Path

from _common import bench_parser, load_average, print_metrics, write_results
from _truth_drift import CASES, CATALOGS, drift_phase
from _truth_hooks import hooks_phase
from _truth_soak import soak_phase
from _truth_world import APP_ID
from cryptography.fernet import Fernet

from wixoms.sandbox.control_client import SandboxControl
from wixoms.sandbox.server import SandboxServer


def main() -> int:
    args = bench_parser(
        __doc__, "10,000 SKUs in phase 3 and a shorter soak; same ratios"
    ).parse_args()
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    logging.getLogger("wixoms").setLevel(logging.ERROR)
    key = Fernet.generate_key().decode()
    skus = 10_000 if args.quick else 100_000
    soak_s = 40 if args.quick else 180
    metrics: dict = {}
    with tempfile.TemporaryDirectory() as tmp_dir:
        tmp = Path(tmp_dir)
        with SandboxServer() as server:
            control = SandboxControl(server.url, timeout=120)
            control.reset()
            control.register_app(app_id=APP_ID, app_secret="bench-secret", auth_flow="oauth")
            control.set_faults(rate_limit_per_minute=None)
            drift = {c: drift_phase(server, control, c, tmp, key) for c in CATALOGS}
            metrics["drift_cases"] = {
                kind: {c: drift[c]["cases"][kind] for c in CATALOGS} for kind in CASES
            }
            metrics["stock_mismatches"] = sum(d["mismatches"] for d in drift.values())
            metrics["oversold_units"] = sum(d["oversold"] for d in drift.values())
            metrics.update(soak_phase(server, control, tmp, key, soak_s))
        metrics.update(hooks_phase(tmp, key, skus))
    params = {
        "quick": args.quick,
        "drift_case_kinds": list(CASES),
        "catalogs": list(CATALOGS),
        "soak_seconds": soak_s,
        "soak_faults": "15% errors drawn from 500/503/429 (10% 5xx, 5% 429), Retry-After 1 s, "
        "20 ms latency, one token expiry, one kill -9 of an orders download process",
        "push_skus_target": skus,
        "push_note": "--quick pushes 10,000 SKUs instead of 100,000: same set-up and ratio "
        "(p99 during the push vs the baseline measured in the same run)",
        "wix_latency_ms_during_push": 25,
        "hooks_pace": "one POST every ~50 ms, sequential",
        "database": "sqlite",
        "load_average": load_average(),
    }
    goals = {k: "0" for k in ("stock_mismatches", "oversold_units", "orders_missing",
                              "orders_duplicated", "orders_wrong_state")}  # fmt: skip
    goals["hooks_p99_ms_during_push_sqlite"] = "< 100"
    shown = {k: v for k, v in metrics.items() if k != "drift_cases"}
    for kind, per in metrics["drift_cases"].items():
        shown[f"drift {kind}"] = f"v1 {per['v1']} / v3 {per['v3']}"
        goals[f"drift {kind}"] = "0 / 0"
    print_metrics(shown, goals, key_width=42, value_width=16)
    write_results("inventory_truth", metrics, params)
    return 0


if __name__ == "__main__":
    sys.exit(main())

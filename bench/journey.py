"""Benchmark: the merchant's whole journey in Chromium, timed (issue 12 item 4).

The same runner as tests/browser/test_journey.py (tests/browser/journey/): wixoms as in
production — gunicorn (2 gthread workers × 4 threads), the scheduler process, a private
PostgreSQL database migrated with `flask db upgrade` — and the Wix sandbox as a subprocess,
driven by Debian's Chromium through role, label and text only. Unlike the test, it keeps the
production default of WIXOMS_ORDERS_LIVE_SECONDS and waits long enough to tell whether each
goal is met; a figure that was not reached within its wait is null (the wait is in params).

Metrics: steps_passed, steps_failed (goal 0), csrf_enabled, connect_s (Add Wix channel → the
channel page, the merchant's clicks at machine speed), order_visible_webhook_s (order placed in
the Wix dashboard → its row in the open Orders page, webhooks set up; goal < 2),
order_visible_zero_setup_s (the same for a freshly connected channel with nothing set up for
webhooks; goal < 2), tracking_in_wix_s (shipment saved → the fulfillment with its number in
Wix; goal < 10), stock_in_wix_s (stock saved → the new quantity in the Wix store, with nothing
else done; goal < 60), axe_serious_or_critical (axe-core on every wixoms page of the journey at
1280 and 400 px; goal 0), custom_app_connected (the custom-app connect flow passed).

Run: .venv/bin/python bench/journey.py [--quick]   (needs PostgreSQL: PG_TEST_URL or the CI one)
Writes bench/results/journey.json as {"metrics": {...}, "params": {...}}.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

from _common import bench_parser, load_average, print_metrics, write_results  # noqa: E402

from tests.browser.journey import run_journey  # noqa: E402
from tests.browser.journey.runner import CONNECT_FLOWS, Waits  # noqa: E402
from tests.browser.journey.stack import pg_base_url, pg_unreachable  # noqa: E402
from tests.fixtures.browser import ARGS, ARTIFACTS, CHROMIUM  # noqa: E402

GOALS = {
    "steps_failed": "0",
    "order_visible_webhook_s": "< 2",
    "order_visible_zero_setup_s": "< 2",
    "tracking_in_wix_s": "< 10",
    "stock_in_wix_s": "< 60",
    "axe_serious_or_critical": "0",
    "custom_app_connected": "true",
}


def main() -> None:
    args = bench_parser(__doc__, "shorter waits for what misses its goal (< 3 min)").parse_args()
    reason = pg_unreachable()
    if reason:
        sys.exit(f"{reason}: the journey runs wixoms on PostgreSQL, as in production.")
    waits = Waits(order_webhook=30, order_zero_setup=10 if args.quick else 60, tracking=30,
                  stock=60 if args.quick else 120)  # fmt: skip
    from playwright.sync_api import sync_playwright

    started = time.monotonic()
    with sync_playwright() as p, tempfile.TemporaryDirectory() as logs:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            journey = run_journey(browser, ARTIFACTS, Path(logs), waits)
        finally:
            browser.close()
    metrics = journey.result
    for step in journey.steps:
        print(f"{step.seconds:7.2f} s  {'ok  ' if step.ok else 'FAIL'}  {step.name}"
              + (f"\n           {step.error}" if step.error else ""))  # fmt: skip
    for (page, width, rule), what in sorted(journey.axe_findings.items()):
        print(f"axe {rule} on {page} at {width} px: {what}")
    print()
    print_metrics(metrics, GOALS, 28, 8)
    params = {
        "quick": args.quick,
        "database": pg_base_url().rsplit("@", 1)[-1].split("/")[0] + " (private database)",
        "web": "gunicorn -w 2 --threads 4 wsgi:app; scheduler: flask wixoms scheduler",
        "orders_live_seconds": "production default",
        "connect_flows": list(CONNECT_FLOWS),
        "waits_s": vars(waits),
        "axe_widths_px": [1280, 400],
        "axe_pages": len({key for key, _width in journey._axe_seen}),
        "server_tracebacks": len(journey.server_errors),
        "duration_s": round(time.monotonic() - started, 1),
        "load_average": load_average(),
    }
    print(f"\nwrote {write_results('journey', metrics, params)}")


if __name__ == "__main__":
    main()

"""The merchant's whole journey in Chromium against wixoms started as in production (gunicorn,
the scheduler process, PostgreSQL) and the Wix sandbox; the same runner as bench/journey.py.

Needs PostgreSQL (PG_TEST_URL or WIXOMS_TEST_DATABASE_URL, default the CI server): the journey
gets a private database there and drops it afterwards. Without it, the test skips and says why.
"""

from __future__ import annotations

import pytest

from tests.browser.journey import run_journey
from tests.browser.journey.runner import Waits
from tests.browser.journey.stack import pg_unreachable
from tests.fixtures.browser import ARTIFACTS

pytestmark = [pytest.mark.browser, pytest.mark.postgres]

# Short waits for what the merchant does not do herself: the test checks the steps work; the
# benchmark (bench/journey.py) waits long enough to measure the goals.
TEST_WAITS = Waits(order_webhook=20, order_zero_setup=3, tracking=20, stock=3)


def test_the_merchants_journey_from_login_to_reconnect(chromium, tmp_path):
    reason = pg_unreachable()
    if reason:
        pytest.skip(f"{reason}: the journey runs the app on PostgreSQL, as in production")
    journey = run_journey(chromium, ARTIFACTS, tmp_path / "logs", TEST_WAITS)
    for s in journey.steps:
        print(f"{s.seconds:6.2f}s {'ok ' if s.ok else 'BAD'} {s.name}")
    print(journey.result, f"screenshots and axe: {journey._overhead:.1f} s")
    failed = [f"{s.name}: {s.error}" for s in journey.steps if not s.ok]
    assert not failed, "\n".join(failed)
    metrics = journey.result
    assert metrics["csrf_enabled"] is True
    assert metrics["order_visible_webhook_s"] is not None
    assert metrics["tracking_in_wix_s"] is not None
    assert metrics["stock_in_wix_s"] is not None  # pushed when saved, not at the next slot
    assert metrics["order_visible_zero_setup_s"] is not None  # app webhooks, nothing set up
    assert metrics["custom_app_connected"] is True
    assert journey.axe_findings == {}, journey.axe_findings
    assert journey.server_errors == [], journey.server_errors

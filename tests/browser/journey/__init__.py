"""The merchant's journey against wixoms started as in production: one runner for the browser
test (tests/browser/test_journey.py) and the benchmark (bench/journey.py)."""

from __future__ import annotations

from pathlib import Path

from tests.browser.journey.runner import Journey, Waits
from tests.browser.journey.stack import Stack
from tests.browser.journey.world import build


def run_journey(
    browser, artifacts: Path, logs: Path, waits: Waits, run_axe: bool = True, **stack_options
) -> Journey:
    """Start the stack, build the world, drive the journey in a new browser context; the
    journey's ``result`` holds its metrics (issue 12 item 4)."""
    with Stack(logs, **stack_options) as stack:
        wix = build(stack)
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        try:
            journey = Journey(context.new_page(), stack, wix, artifacts, waits, run_axe)
            journey.result = journey.run()
            journey.server_errors = stack.server_errors()
        finally:
            context.close()
    return journey

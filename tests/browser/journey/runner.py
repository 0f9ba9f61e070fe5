"""The merchant's whole journey in Chromium, found only by role, label and text.

log in → Add Wix channel (App Market: choose the second site, allow) → catalog version →
account → name and logo → Save → Is Active (refused: it says what is missing) → map a warehouse
→ map a carrier → Is Active → Sync orders → map the unknown SKU from the unmapped list and
release its held order → webhooks: an endpoint in wixoms, an Automation in Wix → an order placed
in the Wix dashboard appears in Orders without a reload → a shipment's tracking number reaches
Wix → a stock change reaches the Wix store → Delete the channel by typing its name → connect
again (and an order for that freshly connected channel) → the connect steps for each other auth
flow of ``CONNECT_FLOWS`` → connect through the merchant's own Wix app (Helm's way).

Used by tests/browser/test_journey.py and bench/journey.py: ``Journey(...).run()`` returns the
metrics of issue 12 item 4, each measured here. Every step leaves a screenshot in
tests/browser/artifacts/journey-*.png; every page of the journey, wixoms' and the Wix sandbox's,
passes through axe-core at 1280 and 400 px the first time it shows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from playwright.sync_api import Page, expect

from tests.browser.journey.channel_steps import ChannelSteps
from tests.browser.journey.connect import CONNECT_FLOWS, ConnectSteps
from tests.browser.journey.machinery import StepMachinery, StepResult, Waits
from tests.browser.journey.stack import Stack
from tests.browser.journey.world import Wix

__all__ = ["CONNECT_FLOWS", "Journey", "Waits"]


@dataclass
class Journey(StepMachinery, ConnectSteps, ChannelSteps):
    page: Page
    stack: Stack
    wix: Wix
    artifacts: Path
    waits: Waits = field(default_factory=Waits)
    run_axe: bool = True
    steps: list[StepResult] = field(default_factory=list)
    axe_findings: dict[tuple[str, int, str], str] = field(default_factory=dict)
    measured: dict[str, float | None] = field(default_factory=dict)
    connected: dict[str, bool] = field(default_factory=dict)
    custom_app: dict[str, str] = field(default_factory=dict)  # what Wix shows of the merchant's app
    wix_tab: Page | None = None
    _axe_seen: set[tuple[str, int]] = field(default_factory=set)
    _overhead: float = 0.0  # time spent on screenshots and axe, left out of the timings
    _n: int = 0
    channel_url: str = ""
    order_number: str = ""
    result: dict = field(default_factory=dict)
    server_errors: list[str] = field(default_factory=list)

    # -- the run ----------------------------------------------------------------------------
    def run(self) -> dict:
        self.artifacts.mkdir(parents=True, exist_ok=True)
        page = self.page
        page.set_viewport_size({"width": 1280, "height": 900})
        # Patient on a busy machine (the suite runs beside it): a person waits too.
        page.set_default_timeout(20_000)
        expect.set_options(timeout=15_000)
        try:
            return self._run()
        finally:
            expect.set_options(timeout=5_000)  # Playwright's default, for the other tests

    def _run(self) -> dict:
        self.step("log in", self.log_in)
        self.connect(CONNECT_FLOWS[0], timed=True)
        self.step("Is Active is refused and says what is missing", self.is_active_refused)
        self.step("map a warehouse", self.map_warehouse)
        self.step("map a carrier", self.map_carrier)
        self.step("Is Active", self.go_live)
        self.step("Sync orders", self.sync_orders)
        self.step("map the unknown SKU from the unmapped list", self.map_unmapped)
        self.step("release the held order", self.release_held)
        self.step("webhooks: endpoint in wixoms, Automation in Wix", self.set_up_webhooks)
        self.step("an order placed in Wix appears in Orders", self.order_appears)
        self.step("a shipment's tracking number reaches Wix", self.tracking_reaches_wix)
        self.step("a stock change reaches the Wix store", self.stock_reaches_wix)
        self.step("Delete the channel by typing its name", self.delete_channel)
        self.connect(CONNECT_FLOWS[0], again=True)
        self.step("measure: an order of the freshly connected channel", self.zero_setup_order)
        for flow in CONNECT_FLOWS[1:]:
            self.step(f"{flow}: the deployment switches to the {flow} flow", self.switcher(flow))
            self.step(f"{flow}: Delete the channel", self.delete_channel)
            self.connect(flow)
        self.step("custom: Delete the channel", self.delete_channel)
        self.connect_custom_app()
        return self.metrics()

    def metrics(self) -> dict:
        return {
            "steps_passed": sum(s.ok for s in self.steps),
            "steps_failed": sum(not s.ok for s in self.steps),
            "csrf_enabled": self.csrf_enabled(),
            "connect_s": self.measured.get("connect_s"),
            "order_visible_webhook_s": self.measured.get("order_visible_webhook_s"),
            "order_visible_zero_setup_s": self.measured.get("order_visible_zero_setup_s"),
            "tracking_in_wix_s": self.measured.get("tracking_in_wix_s"),
            "stock_in_wix_s": self.measured.get("stock_in_wix_s"),
            "axe_serious_or_critical": len(self.axe_findings),
            "custom_app_connected": self.connected.get("custom", False),
        }

    def csrf_enabled(self) -> bool:
        """A form posted without its token is refused by the running app (400)."""
        response = self.page.request.post(
            f"{self.stack.app_url}/account", form={"account_id": "1"}, max_redirects=0
        )
        return response.status == 400

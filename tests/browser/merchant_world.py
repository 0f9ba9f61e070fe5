"""The merchant's day in Chromium: wixoms live against the live Wix sandbox, one Acme channel.

The Wix site sells a tee in S, M and L; the OMS knows TEE-S and TEE-M only, so an order of an L
is held. The admin of Acme also belongs to a second account with a long name (the switcher).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import expect

from tests.fixtures.app import LiveServer
from tests.fixtures.browser import log_in, screenshot
from tests.integration.channel_world import add_tee_and_places
from wixoms.extensions import db
from wixoms.models import Account, Carrier, Membership, SyncRun, User
from wixoms.sync.runs import run_now

LONG_ACCOUNT = "Northwind Traders Wholesale"


def settled(page) -> None:
    """Wait until htmx has swapped and processed new content (a person is never this fast)."""
    busy = ".htmx-request, .htmx-swapping, .htmx-settling, .htmx-added"
    page.wait_for_load_state()
    page.wait_for_function(f"() => !document.querySelector('{busy}')")


def shots(page, name: str, prefix: str = "after") -> None:
    """Full-page screenshots at desktop and phone width (then back to desktop)."""
    for width in (1280, 400):
        page.set_viewport_size({"width": width, "height": 900})
        screenshot(page, f"{prefix}-{name}-{width}")
    page.set_viewport_size({"width": 1280, "height": 900})


@dataclass
class Merchant:
    """What a test drives: the page, both servers, the sandbox and the channel."""

    page: object
    wixoms: str
    wix: str
    app: object
    sandbox: object
    channel_id: int
    site_id: str
    product: dict
    ids: dict = field(default_factory=dict)

    def open(self, path: str) -> None:
        self.page.goto(f"{self.wixoms}{path}")
        settled(self.page)

    def order(self, size: str = "S", quantity: int = 1, **spec) -> dict:
        """A buyer orders in the Wix store."""
        spec.setdefault(
            "lines",
            [{"productId": self.product["id"], "choices": {"Size": size}, "quantity": quantity}],
        )
        spec.setdefault("shippingTitle", "Express delivery")
        return self.sandbox.place_order(self.site_id, **spec)

    def sync(self, kind: str = "orders") -> SyncRun:
        with self.app.app_context():
            run = run_now(self.channel_id, kind)
            db.session.refresh(run)
            db.session.expunge(run)
            return run

    def set(self, model, object_id: int, **values) -> None:
        with self.app.app_context():
            obj = db.session.get(model, object_id)
            for key, value in values.items():
                setattr(obj, key, value)
            db.session.commit()

    def add(self, *objects) -> list[int]:
        with self.app.app_context():
            db.session.add_all(objects)
            db.session.commit()
            return [o.id for o in objects]

    def scalar(self, stmt):
        with self.app.app_context():
            return db.session.scalar(stmt)


@pytest.fixture
def merchant(chromium, make_app, wix_config, register_wix_app, sandbox, connected_channel, world):
    app = make_app(**wix_config, ORDERS_LIVE_SECONDS=1)
    server = LiveServer(app).start()
    register_wix_app(server.url)
    channel = connected_channel(
        catalog="v3", site_name="Acme Tees", name="Acme Tees", is_active=False
    )
    product = sandbox.add_product(
        channel.site_id, name="Wix Tee", price=20, options={"Size": ["S", "M", "L"]},
        skus={"S": "TEE-S", "M": "TEE-M", "L": "TEE-L"}, quantity=100,
    )  # fmt: skip
    ids = _catalog(app, world)
    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()  # a second tab: page.context.new_page(), same login
    log_in(page, server.url)
    yield Merchant(page, server.url, wix_config["WIX_WWW_BASE"], app, sandbox, channel.id,
                   channel.site_id, product, ids)  # fmt: skip
    context.close()
    server.stop()


def _catalog(app, world) -> dict:
    """OMS tee (S, M), two warehouses, two carriers; the admin also in a long-named account."""
    with app.app_context():
        _tee, main, east, ups = add_tee_and_places(world.acme.id)
        dhl = Carrier(account_id=world.acme.id, name="DHL", code="dhl")
        northwind = Account(name=LONG_ACCOUNT)
        db.session.add_all([dhl, northwind])
        admin = db.session.scalar(db.select(User).where(User.email == "admin@acme.test"))
        db.session.add(Membership(user=admin, account=northwind, role="admin"))
        db.session.commit()
        return {"main": main.id, "east": east.id, "ups": ups.id, "dhl": dhl.id,
                "northwind": northwind.id}  # fmt: skip


def axe_problems(page) -> list[str]:
    """Serious and critical axe-core findings on the page as it is now."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"]
        if v.get("impact") in ("serious", "critical")
    ]


def days_ago(n: int) -> str:
    return (
        (datetime.now(UTC) - timedelta(days=n))
        .isoformat(timespec="milliseconds")
        .replace("+00:00", "Z")
    )


def ship_it(page, tracking: str) -> None:
    """Add a shipment of the whole order through the order page's form."""
    page.get_by_role("button", name="Add a shipment").click()
    page.get_by_label("Carrier").select_option(label="UPS")
    page.get_by_label("Tracking number").fill(tracking)
    page.get_by_role("button", name="Add shipment").click()
    expect(page.get_by_text(f"Shipment {tracking} added.")).to_be_visible()


def rows_in_order(page) -> list[str]:
    return page.locator("#order-rows tr a[href^='/orders/']").all_inner_texts()


def switcher_fits(page) -> bool:
    """The selected account's name fits left of the select's chevron (Pico draws it inside the
    right padding): text width + left padding ≤ width − right padding."""
    return page.evaluate(
        """() => {
          const s = document.getElementById("account-select");
          const cs = getComputedStyle(s);
          const ctx = document.createElement("canvas").getContext("2d");
          ctx.font = `${cs.fontWeight} ${cs.fontSize} ${cs.fontFamily}`;
          const text = ctx.measureText(s.options[s.selectedIndex].text).width;
          const room = s.clientWidth - parseFloat(cs.paddingLeft) - parseFloat(cs.paddingRight);
          return text <= room && parseFloat(cs.paddingRight) >= 24;
        }"""
    )


def tab_rows(page) -> int:
    """How many lines the channel page's tab bar takes."""
    return page.evaluate(
        """() => new Set([...document.querySelectorAll("[role=tab]")]
                      .map(t => Math.round(t.getBoundingClientRect().top))).size"""
    )

"""The onboarding wizard in Debian's Chromium: App Market → Wix → wixoms → channel page.

Screenshots of every step go to tests/browser/artifacts/wizard-*-{1280,400}.png.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from tests.fixtures.app import PASSWORD, LiveServer
from tests.fixtures.browser import log_in, screenshot
from tests.fixtures.wix import APP_ID

pytestmark = pytest.mark.browser

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00"
    b"\x00\x00\x00IEND\xaeB`\x82"
)


@dataclass
class World:
    wixoms: str
    wix: str
    sandbox: object
    sites: dict[str, dict]
    flow: str


@pytest.fixture
def wix_world(request, make_app, wix_config, register_wix_app, sandbox, sandbox_server, world):
    flow = getattr(request, "param", "oauth")
    server = LiveServer(make_app(**{**wix_config, "WIX_AUTH_FLOW": flow})).start()
    register_wix_app(server.url, auth_flow=flow)
    sites = {
        "first": sandbox.create_site("First Shop", "V3_CATALOG"),
        "second": sandbox.create_site("Second Shop", "V1_CATALOG"),
    }
    yield World(server.url, sandbox_server.url, sandbox, sites, flow)
    server.stop()


def settled(page) -> None:
    page.wait_for_load_state()
    page.wait_for_function(
        "() => !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling')"
    )


def shot(page, name: str) -> None:
    """Screenshot at desktop and phone width (then back to desktop)."""
    for width in (1280, 400):
        page.set_viewport_size({"width": width, "height": 860})
        screenshot(page, f"wizard-{name}-{width}")
    page.set_viewport_size({"width": 1280, "height": 860})


@pytest.mark.parametrize("wix_world", ["oauth", "legacy"], indirect=True)
def test_happy_path_from_the_app_market_to_the_channel_page(chromium, wix_world):
    w = wix_world
    tag = lambda n: f"{n}-{w.flow}"  # noqa: E731
    page = chromium.new_page(viewport={"width": 1280, "height": 860})

    page.goto(f"{w.wix}/app-market/{APP_ID}")
    shot(page, tag("01-app-market"))
    page.click("text=Add to Site")
    page.wait_for_selector("text=Choose a site")
    shot(page, tag("02-choose-site"))
    page.check(f"input[name=siteId][value='{w.sites['second']['id']}']")
    page.click("button:has-text('Continue')")
    page.wait_for_selector("text=Allow & Install")
    shot(page, tag("03-consent"))
    page.click("text=Allow & Install")

    page.wait_for_selector("#email")  # back in wixoms, logged out: log in first
    shot(page, tag("04-login"))
    page.fill("#email", "admin@acme.test")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")

    # A link from Wix: the merchant goes on (legacy: through Wix again), names the site theirs.
    page.wait_for_selector("text=Connect a Wix site?")
    shot(page, tag("04b-from-wix"))
    page.click("button:has-text('Continue')")
    page.wait_for_selector("text=Connect this site?")
    assert page.is_visible("text=Second Shop")
    shot(page, tag("04c-confirm-site"))
    page.click("button:has-text('Connect this site to the account')")

    page.wait_for_selector("text=Your site uses Wix Stores Catalog v1")
    assert page.is_visible("text=Second Shop")
    assert page.get_attribute("[aria-current=step]", "class") == "current"
    shot(page, tag("05-version"))
    page.click("button:has-text('Continue')")

    page.wait_for_selector("input[type=radio][name=account_id]")
    settled(page)
    assert "?step=account" in page.url  # htmx pushed the step's URL
    assert page.is_checked("input[name=account_id]")  # the only free account is preselected
    shot(page, tag("06-account"))
    page.keyboard.press("Tab")  # keyboard only from here: radio → Continue
    page.focus("input[name=account_id]:checked")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")

    page.wait_for_selector("#name")
    settled(page)
    assert page.evaluate("document.activeElement.id") == "name"  # focus moved to the field
    page.keyboard.press("Control+A")
    page.keyboard.type("Wix Store UK")
    page.set_input_files("#logo", {"name": "logo.png", "mimeType": "image/png", "buffer": PNG})
    shot(page, tag("07-name"))
    page.press("#name", "Enter")

    page.wait_for_url("**/channels/*")
    page.wait_for_selector("text=is connected to Wix")
    shot(page, tag("08-channel-page"))
    installed = next(i for i in w.sandbox.installations() if i["siteId"] == w.sites["second"]["id"])
    page.click("[data-tab=channel]")
    assert page.input_value("#instance-id") == installed["instanceId"]
    assert page.input_value("#site-id") == w.sites["second"]["id"]
    page.close()


def test_cancel_in_wix_shows_you_cancelled_and_try_again_returns_to_wix(chromium, wix_world):
    w = wix_world
    page = chromium.new_page(viewport={"width": 1280, "height": 860})
    log_in(page, w.wixoms)
    page.goto(f"{w.wixoms}/wizard/")
    shot(page, "00-start")
    page.click("text=Continue to Wix")
    page.wait_for_selector("text=Choose a site")
    page.click("button:has-text('Continue')")
    page.click("button:has-text('Cancel')")

    page.wait_for_selector("text=You cancelled in Wix")
    assert page.url.startswith(w.wixoms)
    assert page.is_visible("text=Nothing was installed or connected")
    shot(page, "09-cancelled")
    page.click("button:has-text('Try again')")
    page.wait_for_selector("text=Choose a site")
    assert page.url.startswith(w.wix)
    page.close()

"""“Use your own Wix app” in Debian's Chromium, Helm's way: a developer creates a custom app in
the sandbox's Custom Apps pages, forgets the order permissions, connects it to wixoms, sees the
missing permissions and how to add them, adds them, checks again, and finishes the wizard.

Screenshots: tests/browser/artifacts/custom-app-*.png.
"""

from __future__ import annotations

import pytest

from tests.fixtures.app import LiveServer
from tests.fixtures.browser import log_in, screenshot

pytestmark = pytest.mark.browser

WITHOUT_ORDERS = ("Manage Products", "Read Products", "Manage v3 catalog", "Read v3 catalog")
ORDERS = ("Read Orders", "Manage Orders")


@pytest.fixture
def helm_world(make_app, wix_config, sandbox, world):
    server = LiveServer(make_app(**wix_config)).start()
    site = sandbox.create_site("Helm Shop", "V3_CATALOG")
    yield server.url, sandbox, site
    server.stop()


def shot(page, name: str) -> None:
    for width in (1280, 400):
        page.set_viewport_size({"width": width, "height": 900})
        screenshot(page, f"custom-app-{name}-{width}")
    page.set_viewport_size({"width": 1280, "height": 900})


def tick(page, labels, checked: bool = True) -> None:
    for label in labels:
        page.get_by_label(label, exact=False).first.set_checked(checked)


def test_a_custom_app_connects_and_the_permissions_check_shows_what_is_missing(
    chromium, helm_world, sandbox_server
):
    wixoms, sandbox, site = helm_world
    wix = sandbox_server.url
    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    dev = context.new_page()  # the Wix developer account, in its own tab
    dev.goto(f"{wix}/dev/custom-apps")
    dev.get_by_label("App name").fill("Helm connector")
    dev.get_by_role("button", name="Save & Continue").click()
    dev.wait_for_selector("text=App dashboard")
    tick(dev, WITHOUT_ORDERS)  # the order permissions are forgotten
    dev.get_by_role("button", name="Save permissions").click()
    dev.wait_for_selector("text=Saved.")
    app_id = dev.get_by_label("App ID", exact=True).input_value()
    secret = dev.get_by_label("App Secret Key", exact=True).input_value()
    public_key = dev.get_by_label("Public key", exact=True).input_value()
    screenshot(dev, "custom-app-00-wix-app-dashboard-1280")

    page = context.new_page()
    log_in(page, wixoms)
    page.goto(f"{wixoms}/wizard/")
    shot(page, "00-connect-step")
    page.get_by_role("link", name="Use your own Wix app").click()
    page.wait_for_selector("text=Paste these URLs")
    shot(page, "01-credentials")
    app_url = page.get_by_label("App URL", exact=True).input_value()
    redirect_url = page.get_by_label("Redirect URL", exact=True).input_value()
    page.get_by_role("button", name="Copy the Redirect URL").click()
    page.wait_for_selector("button:has-text('Copied')")  # copy.js, no inline script

    dev.get_by_label("App URL", exact=True).fill(app_url)
    dev.get_by_label("Redirect URL", exact=True).fill(redirect_url)
    dev.get_by_label("Callback URL").fill(f"{wixoms}/hooks/wix/{app_id}")
    dev.get_by_role("button", name="Save", exact=True).click()
    dev.wait_for_selector("text=Saved.")

    page.get_by_label("App ID", exact=True).fill(app_id)
    page.get_by_label("App Secret Key", exact=True).fill(secret)
    page.get_by_label("Public key", exact=True).fill(public_key)
    page.get_by_role("button", name="Authorise in Wix").click()
    page.get_by_role("button", name="Allow & Install").click()  # one site: no site picker

    page.wait_for_selector("text=Your site uses Wix Stores Catalog v3")
    page.wait_for_selector("text=Permissions check")
    check = page.locator("#permissions-check")
    assert check.get_by_text("2 permissions missing").is_visible()
    assert check.locator("[data-permission=read_orders]").get_by_text("Missing").is_visible()
    assert check.locator("[data-permission=manage_orders]").get_by_text("Missing").is_visible()
    assert check.locator("[data-permission=read_products]").get_by_text("Granted").is_visible()
    assert check.get_by_text("How to add them").is_visible()
    assert check.get_by_text(app_id).is_visible()
    assert check.locator("li li").filter(has_text="Read orders: Read Orders").count() == 1
    assert (
        check.get_by_label("Webhook URL of your app").input_value().endswith(f"/hooks/wix/{app_id}")
    )
    shot(page, "02-permissions-missing")

    tick(dev, ORDERS)  # the fix, as the page says: add them in Wix, then Check again
    dev.get_by_role("button", name="Save permissions").click()
    dev.wait_for_selector("text=Saved.")
    check.get_by_role("button", name="Check again").click()
    page.wait_for_selector("text=All granted")
    assert page.locator("#permissions-check").get_by_text("Missing").count() == 0
    shot(page, "03-permissions-granted")

    page.get_by_role("button", name="Continue").click()
    page.wait_for_selector("input[type=radio][name=account_id]")
    page.get_by_role("button", name="Continue").click()
    page.wait_for_selector("#name")
    page.get_by_label("Channel name").fill("Helm Wix Store")
    page.press("#name", "Enter")
    page.wait_for_url("**/channels/*")
    page.wait_for_selector("text=is connected to Wix")
    page.click("[data-tab=channel]")
    assert page.get_by_text(f"Connected through your own Wix app (App ID {app_id})").is_visible()
    page.get_by_role("button", name="Check permissions").click()
    page.wait_for_selector("text=All granted")
    shot(page, "04-channel-permissions")
    page.click("[data-tab=webhooks]")
    status = page.locator("#realtime-status")
    assert status.get_by_text("Real time: on (Wix app webhooks)").is_visible()  # not yet active
    assert page.get_by_label("Webhook URL of your Wix app").input_value().endswith(app_id)
    shot(page, "05-webhooks-tab")
    context.close()

"""The Webhooks tab says real time is on with nothing set up, and the channel page says when the
app was removed from the site and when it is back (Debian's Chromium).

Screenshots: tests/browser/artifacts/realtime-*.png.
"""

from __future__ import annotations

import time

import pytest

from tests.fixtures.app import LiveServer
from tests.fixtures.browser import log_in, screenshot
from tests.fixtures.wix import APP_ID
from wixoms.extensions import db
from wixoms.models import Order

pytestmark = pytest.mark.browser


@pytest.fixture
def live(make_app, wix_config, wix_app_secret, sandbox, connected_channel, wix_app):
    server = LiveServer(make_app(**wix_config)).start()
    sandbox.register_app(
        app_id=APP_ID, app_secret=wix_app_secret, webhook_url=f"{server.url}/hooks/wix"
    )
    yield server.url
    server.stop()


def reload_until(page, text: str, present: bool) -> None:
    """Reload until ``text`` is (or is no longer) on the page: Wix's webhook is asynchronous."""
    for _ in range(100):
        page.reload()
        if bool(page.get_by_text(text).count()) == present:
            return
        time.sleep(0.1)


def test_real_time_is_on_with_no_setup_and_uninstall_is_said_and_undone(
    chromium, live, sandbox, connected_channel, wix_app
):
    channel = connected_channel(name="Wix Store UK")
    product = sandbox.add_product(channel.site_id, name="Tee", price=20, sku="TEE", quantity=9)
    placed = sandbox.place_order(
        channel.site_id, lines=[{"productId": product["id"], "quantity": 1}], status="APPROVED"
    )
    deadline = time.monotonic() + 30  # generous: CI runs it beside other tests
    while time.monotonic() < deadline:
        with wix_app.app_context():
            if db.session.scalar(db.select(Order.id).where(Order.external_id == placed["id"])):
                break
        time.sleep(0.05)

    page = chromium.new_page(viewport={"width": 1280, "height": 900})
    log_in(page, live)
    page.goto(f"{live}/channels/{channel.id}?tab=webhooks")
    status = page.locator("#realtime-status")
    assert status.get_by_text("Real time: on (Wix app webhooks)").is_visible()
    assert "last delivery 20" in status.inner_text()  # a date, not "none yet"
    screenshot(page, "realtime-01-webhooks-tab-on-1280")

    sandbox.remove_app(channel.instance_id)  # the merchant removes the app in Wix
    page.goto(f"{live}/channels/{channel.id}")
    reload_until(page, "Reconnect needed", present=True)  # Wix's AppRemoved webhook arrived
    alert = page.get_by_role("alert").filter(has_text="Reconnect needed")
    assert alert.get_by_text("The Wix app was removed from the site").is_visible()
    assert alert.get_by_text("syncing has stopped").is_visible()
    screenshot(page, "realtime-02-app-removed-1280")

    sandbox.install(APP_ID, channel.site_id)  # …and adds it again
    reload_until(page, "Reconnect needed", present=False)  # AppInstalled reconnected it
    assert page.get_by_text("Reconnect needed").count() == 0
    page.get_by_role("tab", name="Webhooks").click()
    assert page.locator("#realtime-status").get_by_text("Real time: on").is_visible()
    screenshot(page, "realtime-03-reinstalled-1280")
    page.close()

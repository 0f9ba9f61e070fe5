"""The channel page in Chromium: tabs keep unsaved edits, one Save, webhook URL then Cancel."""

from __future__ import annotations

import re

import pytest

from tests.fixtures.browser import contrast_ratio, log_in, screenshot
from tests.integration.channel_world import add_catalog, add_channel, load_channel
from wixoms.extensions import db
from wixoms.models import SkuMapping, UnmappedSku, Variant, WebhookEndpoint

pytestmark = pytest.mark.browser

TABS = ("main", "advanced", "channel", "carriers", "skus", "warehouses", "webhooks")


def settled(page) -> None:
    """Wait until htmx has swapped and processed new content (a person is never this fast)."""
    busy = ".htmx-request, .htmx-swapping, .htmx-settling, .htmx-added"
    page.wait_for_function(f"() => !document.querySelector('{busy}')")


@pytest.fixture
def page_as_admin(chromium, live_app, app, world):
    server = live_app()
    page = chromium.new_page(viewport={"width": 1280, "height": 900})
    log_in(page, server.url)
    page.base = server.url
    yield page
    page.close()


def test_edits_in_two_tabs_survive_switching_and_are_saved_together(page_as_admin, app):
    page = page_as_admin
    channel_id = add_channel(app)
    page.goto(f"{page.base}/channels/{channel_id}")

    page.fill("#orders_interval_min", "20")
    page.check("#use_channel_names")
    page.click("[data-tab=channel]")
    assert page.is_visible("#stock_buffer") and not page.is_visible("#orders_interval_min")
    page.fill("#stock_buffer", "4")
    assert page.is_visible("text=Unsaved changes")
    assert "is-dirty" in (page.get_attribute("[data-tab=main]", "class") or "")

    page.click("[data-tab=main]")
    assert page.input_value("#orders_interval_min") == "20"  # switching lost nothing
    page.click(".channel-actions button:has-text('Save')")
    page.wait_for_selector("text=Saved.")
    assert not page.is_visible("text=Unsaved changes")

    page.reload()
    assert page.input_value("#orders_interval_min") == "20"
    assert page.is_checked("#use_channel_names")
    page.click("[data-tab=channel]")
    assert page.input_value("#stock_buffer") == "4"
    saved = load_channel(app, channel_id)
    assert (saved.orders_interval_min, saved.stock_buffer) == (20, 4)


def test_a_bad_field_marks_its_tab_and_keeps_every_edit(page_as_admin, app):
    page = page_as_admin
    channel_id = add_channel(app)
    page.goto(f"{page.base}/channels/{channel_id}?tab=advanced")
    page.fill("#log_retention_days", "90")
    page.click("[data-tab=channel]")
    page.fill("#stock_buffer", "-3")
    page.click("[data-tab=advanced]")
    page.click(".channel-actions button:has-text('Save')")

    page.wait_for_selector("text=Nothing was saved.")
    assert page.is_visible("#stock_buffer")  # the tab with the error is shown
    assert page.is_visible("text=Enter a whole number from 0 to 1,000,000.")
    assert "has-errors" in page.get_attribute("[data-tab=channel]", "class")
    page.click("[data-tab=advanced]")
    assert page.input_value("#log_retention_days") == "90"
    assert load_channel(app, channel_id).log_retention_days == 30


def test_every_sync_menu_item_is_readable(page_as_admin, app):
    page = page_as_admin
    channel_id = add_channel(app)
    page.goto(f"{page.base}/channels/{channel_id}")
    page.get_by_role("button", name="Sync", exact=True).click()
    items = page.get_by_role("list").filter(has=page.get_by_role("button", name="Orders"))
    buttons = items.get_by_role("button")
    assert buttons.count() >= 6
    for i in range(buttons.count()):
        item = buttons.nth(i)
        assert item.is_visible()
        assert contrast_ratio(item) >= 4.5, item.inner_text()  # WCAG AA for body text
    screenshot(page, "channel-sync-menu-1280")


def test_webhook_url_is_generated_and_cancel_saves_nothing(page_as_admin, app):
    page = page_as_admin
    channel_id = add_channel(app, channel_mode="webhooks", site_id="site-1")
    page.goto(f"{page.base}/channels/{channel_id}?tab=webhooks")
    page.click("#webhooks-panel a:has-text('Create')")
    settled(page)
    page.select_option("#endpoint-kind", "automation")
    url_field = page.wait_for_selector("#pending-url")
    url = url_field.input_value()
    assert re.fullmatch(re.escape(page.base) + r"/hooks/[A-Za-z0-9_-]{43}", url)
    settled(page)
    page.click("#new-endpoint a:has-text('Cancel')")
    page.wait_for_selector("#pending-url", state="detached")
    assert page.is_visible("text=No webhook endpoints yet.")
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(WebhookEndpoint)) == 0

    page.click("#webhooks-panel a:has-text('Create')")
    settled(page)
    page.select_option("#endpoint-kind", "automation")
    url = page.wait_for_selector("#pending-url").input_value()
    settled(page)
    page.click("#new-endpoint button:has-text('Save endpoint')")
    page.wait_for_selector(".endpoint .badge:has-text('Active')")
    with app.app_context():
        tokens = list(db.session.scalars(db.select(WebhookEndpoint.token)))
    assert [url.rsplit("/", 1)[1]] == tokens


def test_screenshots_of_every_tab_at_desktop_and_phone_width(page_as_admin, app):
    """Not an assertion of looks: the pictures a person reviews (tests/browser/artifacts)."""
    page = page_as_admin
    add_catalog(app)
    channel_id = add_channel(app, needs_reconnect=False, is_active=True)
    with app.app_context():
        variant = db.session.scalar(db.select(Variant).where(Variant.sku == "MUG-RED"))
        db.session.add(SkuMapping(channel_id=channel_id, wix_sku="WIX-MUG-R", variant=variant))
        db.session.add(UnmappedSku(channel_id=channel_id, wix_sku="MUG-BLU", product_name="Mug"))
        db.session.add(WebhookEndpoint(channel_id=channel_id, kind="automation", token="t" * 43))
        db.session.commit()
    for width in (1280, 400):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(f"{page.base}/channels/")
        screenshot(page, f"channels-list-{width}")
        page.goto(f"{page.base}/channels/{channel_id}")
        for tab in TABS:
            page.click(f"[data-tab={tab}]")
            assert page.is_visible(f"#tab-{tab}")
            screenshot(page, f"channel-{tab}-{width}")
        page.goto(f"{page.base}/channels/{channel_id}/delete")
        screenshot(page, f"channel-delete-{width}")

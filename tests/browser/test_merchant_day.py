"""Issue 17 in Chromium, found by role, label and text as a merchant finds things.

Each test covers the points of one page family and leaves after-*.png screenshots (1280 and
400 px) in tests/browser/artifacts/ for review; every page visited passes axe-core without
serious or critical findings.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.merchant_world import (
    axe_problems,
    days_ago,
    rows_in_order,
    settled,
    ship_it,
    shots,
    switcher_fits,
    tab_rows,
)
from tests.fixtures.browser import ARTIFACTS
from wixoms.extensions import db
from wixoms.models import Channel, Order, Variant

pytestmark = pytest.mark.browser


def test_orders_arrive_live_newest_first_in_words_and_held_ones_are_released_in_bulk(merchant):
    m, page = merchant, merchant.page
    m.set(Channel, m.channel_id, order_statuses=["APPROVED", "PENDING"])
    # Placed out of order; the L is unknown to the OMS (held); one awaits payment.
    m.order("S", createdDate=days_ago(2))
    m.order("L", quantity=2, createdDate=days_ago(3))
    m.order("M", createdDate=days_ago(1))
    m.order("S", status="PENDING", createdDate=days_ago(0))

    m.open("/orders/")
    expect(page.get_by_text("No orders yet.")).to_be_visible()
    page.evaluate("window.stillTheSamePage = true")
    run = m.sync()
    assert run.state == "succeeded" and run.held == 1
    # The live list: the orders appear without a reload, newest placed first.
    expect(page.get_by_role("link", name="#10004")).to_be_visible(timeout=10_000)
    assert page.evaluate("window.stillTheSamePage") is True
    assert rows_in_order(page) == ["#10004", "#10003", "#10001", "#10002"]
    shots(page, "orders-live-newest-first")
    assert not axe_problems(page)

    m.order("M", createdDate=days_ago(0))  # one more while the merchant watches
    m.sync()
    expect(page.get_by_role("link", name="#10005")).to_be_visible(timeout=10_000)
    expect(page.get_by_text("1 new order just arrived.")).to_be_visible()
    assert page.evaluate("window.stillTheSamePage") is True

    # Words, not Wix codes.
    page.get_by_role("link", name="#10004").click()
    expect(page.get_by_text("In Wix: Awaiting payment")).to_be_visible()
    expect(page.get_by_text(re.compile(r"\bPENDING\b"))).to_have_count(0)
    shots(page, "order-awaiting-payment")
    page.go_back()

    # The run that held an order: amber, with a link to it; the log in words and plurals.
    m.open(f"/channels/{m.channel_id}?tab=sync_log")
    held_badge = page.locator("#tab-sync_log .badge.warn", has_text="succeeded, 1 held").first
    expect(held_badge).to_be_visible()
    shots(page, "sync-log-held-amber")
    run_page = page.locator("#tab-sync_log a[href*='/sync-log/']").last
    m.open(run_page.get_attribute("href"))
    expect(
        page.get_by_text("Downloading orders that are Approved or Awaiting payment")
    ).to_be_visible()
    expect(
        page.get_by_text(re.compile(r"imported and put on hold: Unknown SKU TEE-L"))
    ).to_be_visible()
    expect(page.get_by_text("(1 line)").first).to_be_visible()
    expect(page.get_by_text(re.compile("APPROVED|Order on hold:|1 lines"))).to_have_count(0)
    shots(page, "sync-run-words")
    assert not axe_problems(page)
    page.get_by_role("link", name="See the 1 held order").click()
    page.wait_for_url(re.compile(r"/orders/\?.*hold=1"))

    # The merchant adds the SKU; the held order is ready and released with the bulk action.
    with m.app.app_context():
        tee = db.session.scalar(db.select(Variant).where(Variant.sku == "TEE-M")).product
        tee.variants.append(Variant(account_id=tee.account_id, sku="TEE-L", options={"Size": "L"}))
        db.session.commit()
    page.reload()
    settled(page)
    expect(page.get_by_text("ready to release")).to_be_visible()
    page.get_by_label("Select order #10002").check()
    shots(page, "orders-held-ready")
    page.get_by_role("button", name="Release selected").click()
    expect(page.get_by_text("Released 1 order from hold: #10002.")).to_be_visible()
    assert m.scalar(db.select(Order.hold_reason).where(Order.number == "10002")) is None

    # Tracking: the channel is not active yet, so the shipment waits and says so; Send to Wix
    # now sends it and the page follows it without a reload. Once live, it goes at once.
    m.open(f"/orders/{m.scalar(db.select(Order.id).where(Order.number == '10003'))}")
    ship_it(page, "1Z999AA10123456784")
    row = page.locator("[data-shipment='1Z999AA10123456784']")
    expect(row).to_contain_text("Not sent by itself: the channel is not active.")
    shots(page, "order-shipment-waiting")
    page.get_by_role("button", name="Send to Wix now").click()
    expect(row.locator(".badge")).to_have_text("Sent", timeout=15_000)
    expect(row).to_contain_text(re.compile(r"at \d{4}-\d\d-\d\d \d\d:\d\d UTC"))
    shots(page, "order-shipment-sent")
    assert not axe_problems(page)
    m.set(Channel, m.channel_id, is_active=True)
    m.open(f"/orders/{m.scalar(db.select(Order.id).where(Order.number == '10001'))}")
    ship_it(page, "1Z999AA10123456785")  # the push is queued at once; the page follows it
    badge = page.locator("[data-shipment='1Z999AA10123456785'] .badge")
    expect(badge).to_have_text("Sent", timeout=15_000)

    # Pictures on the dashboard: orders per day over 30 days, sync health, API budget.
    m.open("/")
    orders_chart = page.get_by_role(
        "img", name=re.compile(r"^Orders placed per day: 5 orders in 30 days")
    )
    expect(orders_chart).to_be_visible()
    expect(page.get_by_role("img", name=re.compile(r"^Sync runs per day"))).to_be_visible()
    expect(page.get_by_text(re.compile(r"Last 24 h: 4 runs · \d+ Wix API calls"))).to_be_visible()
    expect(
        page.get_by_text(re.compile(r"Busiest sync, last 24 h: \d+ of 120 requests/min"))
    ).to_be_visible()
    shots(page, "dashboard-pictures")
    assert not axe_problems(page)

    # A held order arriving while the list shows none brings the bulk-release bar with it.
    with m.app.app_context():
        db.session.execute(
            db.update(Variant).where(Variant.sku == "TEE-L").values(sku="TEE-L-RETIRED")
        )
        db.session.commit()
    m.open("/orders/")
    expect(page.get_by_role("link", name="#10005")).to_be_visible()
    expect(page.get_by_role("button", name="Release selected")).to_be_hidden()
    m.order("L", createdDate=days_ago(0))
    m.sync()
    expect(page.get_by_label("Select order #10006")).to_be_visible(timeout=10_000)
    expect(page.get_by_role("button", name="Release selected")).to_be_visible()


def test_the_channel_page_reads_clearly_goes_live_safely_and_never_loses_a_tabs_edit(merchant):
    m, page = merchant, merchant.page
    m.order("S")
    m.sync()
    m.open(f"/channels/{m.channel_id}")

    # Labels: each interval and switch says whose it is; the last run sits beside each kind.
    every = page.get_by_label("Download orders: Every")
    expect(every).to_have_value("15")
    expect(page.get_by_label("Push fulfillments: Every")).to_have_value("15")
    expect(page.get_by_label("Import catalog: Automatic")).not_to_be_checked()
    last = page.locator("[data-last-run=orders]")
    expect(last).to_contain_text("Last run")
    expect(last.locator(".badge")).to_have_text("succeeded")
    expect(page.locator("[data-last-run=inventory]")).to_have_text("Never run yet")
    expect(page.get_by_role("link", name=re.compile(r"API budget \d+% used"))).to_be_visible()
    shots(page, "channel-main-labels-last-runs")
    assert not axe_problems(page)

    # The account name is never under the chevron, whatever its length.
    for account in ("Acme", "Northwind Traders Wholesale"):
        page.evaluate(
            """(name) => { const s = document.getElementById("account-select");
                           s.value = [...s.options].find(o => o.text === name).value; }""",
            account,
        )
        assert switcher_fits(page), account
    ARTIFACTS.mkdir(exist_ok=True)
    page.locator(".topbar").screenshot(path=str(ARTIFACTS / "after-switcher-long-name-1280.png"))
    page.reload()
    settled(page)

    # Is Active checks what the page asks for and links to it.
    page.get_by_role("switch", name="Is Active").check()
    page.locator(".channel-actions").get_by_role("button", name="Save").click()
    expect(
        page.get_by_text("Is Active was not switched on, and nothing was saved.")
    ).to_be_visible()
    shots(page, "is-active-refused")
    page.locator("#not-live").get_by_role("link", name="Map a warehouse").click()
    expect(page.locator("#tab-warehouses")).to_be_visible()
    location = page.get_by_label("Wix location", exact=True)
    expect(location).to_be_enabled()
    expect(location.locator("option").first).to_have_text("Acme Tees (default)")
    page.get_by_label("OMS warehouse").select_option(label="Main warehouse (MAIN)")
    page.get_by_role("button", name="Map warehouse").click()
    expect(page.locator("#warehouses-panel").get_by_text("Acme Tees (default)")).to_be_visible()
    page.reload()
    settled(page)
    page.get_by_role("switch", name="Is Active").check()
    page.locator(".channel-actions").get_by_role("button", name="Save").click()
    expect(page.get_by_text("Saved. The settings of all tabs are in effect.")).to_be_visible()
    expect(page.locator(".channel-meta .badge", has_text="Live")).to_be_visible()

    # A bad field marks its tab, and the tab bar stays on one line at every desktop width.
    page.get_by_role("tab", name="Channel settings").click()
    rows_before = tab_rows(page)
    page.get_by_label("Stock Buffer").fill("-3")
    page.locator(".channel-actions").get_by_role("button", name="Save").click()
    expect(page.get_by_text("Nothing was saved.")).to_be_visible()
    for width in (1280, 1024):
        page.set_viewport_size({"width": width, "height": 900})
        assert tab_rows(page) == rows_before == 1, width
    shots(page, "tab-bar-with-error-marker")
    page.reload()  # drops the bad edit (the page warns first; accepted)
    settled(page)

    # Two tabs: B saves from a stale page; refused, B's input kept, the difference shown.
    page.get_by_role("tab", name="Channel settings").click()
    other = page.context.new_page()
    other.set_viewport_size({"width": 1280, "height": 900})
    other.goto(f"{m.wixoms}/channels/{m.channel_id}?tab=channel")
    page.get_by_label("Stock Buffer").fill("3")
    page.locator(".channel-actions").get_by_role("button", name="Save").click()
    expect(page.get_by_text("Saved.")).to_be_visible()
    other.get_by_label("Max Stock Level").fill("50")
    other.locator(".channel-actions").get_by_role("button", name="Save").click()
    expect(other.get_by_text("Changed in another tab.")).to_be_visible()
    expect(other.get_by_text("Stock Buffer: saved 3, here 0")).to_be_visible()
    expect(other.get_by_label("Max Stock Level")).to_have_value("50")
    expect(other.get_by_role("button", name="Reload the saved settings")).to_be_visible()
    shots(other, "two-tabs-changed-elsewhere")
    assert not axe_problems(other)
    other.get_by_label("Stock Buffer").fill("3")
    other.locator(".channel-actions").get_by_role("button", name="Save").click()
    expect(other.get_by_text("Saved.")).to_be_visible()
    saved = m.scalar(db.select(Channel).where(Channel.id == m.channel_id))
    assert (saved.stock_buffer, saved.max_stock_level) == (3, 50)
    other.close()


def test_mappings_are_picked_from_the_store_and_status_agrees_with_itself(merchant):
    m, page = merchant, merchant.page
    m.sandbox.add_location(m.site_id, "East depot")
    m.order("S", shippingTitle="Express delivery")
    m.order("L", shippingTitle="Standard shipping")
    m.sync()

    # Carrier: the shipping titles seen on Wix orders.
    m.open(f"/channels/{m.channel_id}?tab=carriers")
    option = page.get_by_label("Wix shipping option", exact=True)
    expect(option.locator("option")).to_have_text(["Express delivery", "Standard shipping"])
    option.select_option("Standard shipping")
    page.get_by_label("OMS carrier").select_option(label="DHL")
    page.get_by_role("button", name="Add mapping").click()
    expect(
        page.locator("#carriers-panel").get_by_text("Mapped 'Standard shipping'. Saved.")
    ).to_be_visible()
    shots(page, "mapping-carriers-picked")

    # Warehouse: the site's Stores locations, read from Wix.
    page.get_by_role("tab", name="Warehouse Mappings").click()
    location = page.get_by_label("Wix location", exact=True)
    expect(location.locator("option")).to_have_text(["Acme Tees (default)", "East depot"])
    location.select_option(label="East depot")
    page.get_by_label("OMS warehouse").select_option(label="East depot (EAST)")
    page.get_by_role("button", name="Map warehouse").click()
    expect(page.locator("#warehouses-panel td", has_text="East depot").last).to_be_visible()
    shots(page, "mapping-warehouses-picked")

    # SKU: unmapped ones first, then the Wix catalog's.
    page.get_by_role("tab", name="SKU Mappings").click()
    page.get_by_text("Add a mapping").click()
    wix_sku = page.get_by_label("Wix SKU", exact=True)
    expect(wix_sku).to_be_enabled()
    expect(wix_sku.locator("optgroup").first).to_have_attribute(
        "label", "Seen on orders, not mapped yet"
    )
    wix_sku.select_option("TEE-L")
    page.get_by_role("textbox", name="OMS SKU", exact=True).fill("TEE-M")
    shots(page, "mapping-skus-pick")
    page.get_by_role("button", name="Add mapping").click()
    expect(page.get_by_text("Mapped Wix SKU 'TEE-L' → 'TEE-M'. Saved.")).to_be_visible()
    assert not axe_problems(page)

    # Webhooks: states agree, and the steps link to this Wix (the sandbox), not manage.wix.com.
    page.get_by_role("tab", name="Webhooks").click()
    page.locator("#webhooks-panel").get_by_role("button", name="Create").click()
    settled(page)
    page.get_by_label("Type", exact=True).select_option(index=1)
    page.get_by_role("button", name="Save endpoint").click()
    endpoint = page.locator(".endpoint").first
    expect(page.get_by_text("Automations URLs are not in use yet.")).to_be_visible()
    expect(endpoint.locator(".badge")).to_have_text("Not in use")
    dashboard = page.get_by_role("link", name="your Wix dashboard")
    assert dashboard.get_attribute("href") == f"{m.wix}/dashboard/{m.site_id}/home"
    expect(page.locator("a[href*='manage.wix.com']")).to_have_count(0)
    shots(page, "webhooks-states-agree")

    # Reconnect: Wix refused the tokens; after a reconnect the red Error is gone with them.
    with m.app.app_context():
        db.session.get(Channel, m.channel_id).last_error = "Wix refused the token (invalid_grant)."
        db.session.get(Channel, m.channel_id).needs_reconnect = True
        db.session.commit()
    m.open(f"/channels/{m.channel_id}")
    page.get_by_role("link", name="Reconnect to Wix").first.click()
    page.get_by_role("button", name="Continue to Wix").click()
    page.get_by_role("button", name="Allow & Install").click()
    page.wait_for_url(f"{m.wixoms}/wizard/**")
    settled(page)
    page.get_by_role("button", name="Continue").click()
    settled(page)
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(f"{m.wixoms}/channels/{m.channel_id}*")
    expect(page.get_by_text("is reconnected to Wix")).to_be_visible()
    meta = page.locator(".channel-meta")
    expect(meta.locator(".badge", has_text="Error")).to_have_count(0)
    expect(meta.locator(".badge", has_text="Reconnect needed")).to_have_count(0)
    expect(page.get_by_text("invalid_grant")).to_have_count(0)
    shots(page, "reconnected-no-error")


def switch_account(page, name: str) -> None:
    """Choose an account in the header and wait for the page it lands on (the choice posts a form;
    waiting only for the load state would race the navigation)."""
    with page.expect_navigation():
        page.get_by_label("Account").select_option(label=name)


def test_no_dead_ends_and_the_wizard_refuses_a_second_tabs_step(merchant):
    m, page = merchant, merchant.page
    m.order("S")
    m.sync()
    order_id = m.scalar(db.select(Order.id))

    # An account switch on an order or channel page lands on that list of the new account.
    for path, heading in (
        (f"/orders/{order_id}", "Orders"),
        (f"/channels/{m.channel_id}", "Channels"),
    ):
        m.open(path)
        switch_account(page, "Northwind Traders Wholesale")
        expect(page.get_by_role("heading", name=heading, exact=True)).to_be_visible()
        expect(
            page.get_by_text(re.compile(r"^Switched to Northwind Traders Wholesale\."))
        ).to_be_visible()
        shots(page, f"account-switch-lands-on-{heading.lower()}")
        assert not axe_problems(page)
        switch_account(page, "Acme")

    # A wizard started and left (in Northwind, which has no channel yet) is offered again.
    switch_account(page, "Northwind Traders Wholesale")
    m.sandbox.create_site("Second Shop", "V3_CATALOG")
    m.open("/wizard/")
    page.get_by_role("button", name="Continue to Wix").click()
    page.get_by_label("Second Shop").check()
    page.get_by_role("button", name="Continue").click()
    consent_url = page.url
    page.get_by_role("button", name="Allow & Install").click()
    page.wait_for_url(f"{m.wixoms}/wizard/**")
    settled(page)
    m.open("/channels/")
    expect(page.get_by_text("You started connecting Second Shop.")).to_be_visible()
    shots(page, "channels-continue-setting-up")
    page.get_by_role("button", name="Continue setting up Second Shop").click()
    page.wait_for_url(f"{m.wixoms}/wizard/**")
    settled(page)
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("radio", name=re.compile("Northwind"))).to_be_checked()
    page.get_by_role("button", name="Continue").click()
    name = page.get_by_label("Name")
    expect(name).to_be_visible()
    settled(page)

    # Two tabs at the name step: the second one's Save is refused, its name kept.
    other = page.context.new_page()
    other.set_viewport_size({"width": 1280, "height": 900})
    other.goto(page.url)
    other.get_by_label("Name").fill("Tab B store")
    name.fill("Tab A store")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(f"{m.wixoms}/channels/*")
    other.get_by_role("button", name="Save").click()
    expect(other.get_by_text("Changed in another tab.")).to_be_visible()
    expect(other.get_by_label("The name you typed here")).to_have_value("Tab B store")
    expect(other.get_by_role("button", name="Open Tab A store")).to_be_visible()
    shots(other, "wizard-second-tab-refused")
    assert not axe_problems(other)
    other.close()

    # The sandbox's stale installer link leads back to wixoms.
    page.goto(consent_url)
    expect(page.get_by_role("heading", name="This installation link has expired")).to_be_visible()
    shots(page, "sandbox-expired-link-back")
    page.get_by_role("link", name="Back to wixoms").click()
    page.wait_for_url(f"{m.wixoms}/")
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()

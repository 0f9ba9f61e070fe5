"""Script in fields that come from Wix (product names, SKUs, buyer names, notes, shipping
titles, the site's name and URL) is shown as text in Chromium and never runs.

Two locks: Jinja escapes it, and the CSP would refuse it anyway; the `chromium` fixture
fails the test on any CSP refusal, so this checks the escaping, not only the CSP."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.merchant_world import settled
from tests.fixtures.browser import screenshot
from wixoms.models import Channel, Order

pytestmark = pytest.mark.browser

PRODUCT = '"><svg onload=window.__xss=1>Tee'
SKU_M = "<img src=x onerror=window.__xss=2>"
SKU_L = "'><script>window.__xss=3</script>"
BUYER = "<img src=x onerror=window.__xss=4>"
NOTE = "</textarea><script>window.__xss=5</script>"
SHIPPING = "<iframe srcdoc='<script>parent.__xss=6</script>'>"
SITE = "<b onmouseover=window.__xss=7>Acme</b>"

INJECTED = "img[src='x'], svg[onload], script:not([src]), iframe[srcdoc], [onerror], [onmouseover]"


def _assert_inert(page) -> None:
    assert page.evaluate("window.__xss") is None
    assert page.locator(INJECTED).count() == 0
    assert page.locator("a[href^='javascript:' i]").count() == 0


@pytest.fixture
def hostile_store(merchant):
    m = merchant
    m.set(Channel, m.channel_id, site_name=SITE, site_url="javascript:window.__xss=8")
    product = m.sandbox.add_product(
        m.site_id, name=PRODUCT, price=12, options={"Size": ["M", "L"]},
        skus={"M": SKU_M, "L": SKU_L}, quantity=5,
    )  # fmt: skip
    m.sandbox.place_order(
        m.site_id,
        lines=[{"productId": product["id"], "choices": {"Size": "L"}, "quantity": 1}],
        buyer={"firstName": BUYER, "lastName": "Doe", "email": "x@example.com"},
        buyerNote=NOTE,
        shippingTitle=SHIPPING,
    )
    # Orders first: the SKU is unknown to the OMS, so the order is held with a reason naming it.
    assert m.sync("orders").held == 1
    assert m.sync("catalog_import").state == "succeeded"
    return m


def test_wix_sourced_script_never_runs_on_any_page(hostile_store):
    m, page = hostile_store, hostile_store.page
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    with m.app.app_context():
        from wixoms.extensions import db

        order_id = db.session.scalar(db.select(Order.id).where(Order.buyer_note == NOTE))
    assert order_id, "the order from Wix was imported"
    pages = [
        "/",
        "/orders/",
        f"/orders/{order_id}",
        "/products/",
        "/inventory/",
        f"/channels/{m.channel_id}",
        f"/channels/{m.channel_id}?tab=skus",
        f"/channels/{m.channel_id}?tab=log",
        "/channels/",
    ]
    for path in pages:
        m.open(path)
        _assert_inert(page)
    m.open(f"/orders/{order_id}")
    for text in (BUYER, NOTE, SKU_L):
        expect(page.get_by_text(text, exact=False).first).to_be_visible()
    screenshot(page, "security-xss-order")
    m.open("/products/")
    page.get_by_role("link", name=PRODUCT).first.click()
    settled(page)
    _assert_inert(page)
    expect(page.get_by_role("heading", name=PRODUCT)).to_be_visible()
    screenshot(page, "security-xss-product")
    assert dialogs == []

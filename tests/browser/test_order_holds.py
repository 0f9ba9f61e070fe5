"""Holds on the order page, in Chromium: a Wix line without SKU is mapped by its Wix product."""

from __future__ import annotations

import pytest

from tests.fixtures.app import LiveServer
from tests.fixtures.browser import log_in, screenshot
from tests.integration.sync.conftest import shop  # noqa: F401 (the fixture)
from wixoms.extensions import db
from wixoms.models import Order

pytestmark = pytest.mark.browser


def test_merchant_maps_a_line_without_sku_and_the_order_is_released(shop, chromium):  # noqa: F811
    s = shop("v3")
    product = s.sandbox.add_product(
        s.channel.site_id, name="Plain Tee", price=15, options={"Size": ["S", "M"]},
        skus={"S": "PLAIN-S"}, quantity=50,
    )  # fmt: skip
    s.sandbox.place_order(
        s.channel.site_id,
        lines=[{"productId": product["id"], "choices": {"Size": "M"}, "quantity": 1}],
    )
    s.sync()
    with s.app.app_context():
        order_id = db.session.scalar(db.select(Order.id))
    server = LiveServer(s.app).start()
    try:
        page = chromium.new_page(viewport={"width": 1100, "height": 900})
        log_in(page, server.url)
        page.goto(f"{server.url}/orders/{order_id}")
        form = page.locator("form.map-line")
        screenshot(page, "order-hold-map-line")
        form.get_by_role("textbox").fill("NOPE")
        form.get_by_role("button", name="Map and release").click()
        error = page.locator("form.map-line .field-error")
        assert "There is no OMS SKU NOPE" in error.inner_text()
        screenshot(page, "order-hold-map-line-error")
        page.locator("form.map-line").get_by_role("textbox").fill("TEE-M")
        page.locator("form.map-line").get_by_role("button", name="Map and release").click()
        page.wait_for_url(f"{server.url}/orders/{order_id}")
        assert "Plain Tee (Size: M) is now mapped to TEE-M" in page.content()
        assert page.locator("#hold").count() == 0
        screenshot(page, "order-hold-map-line-released")
        page.goto(f"{server.url}/channels/{s.channel.id}?tab=skus")
        section = page.get_by_role("region", name="Wix products without SKU")
        assert "Plain Tee (Size: M)" in section.inner_text() and "TEE-M" in section.inner_text()
        screenshot(page, "sku-tab-wix-products-without-sku")
        page.close()
    finally:
        server.stop()

"""The Inventory page in Chromium: on hand, allocated to open orders, available to sell."""

from __future__ import annotations

import pytest

from tests.fixtures.browser import log_in, screenshot
from tests.integration.views.builders import add_level, add_order, add_product, add_warehouse
from tests.integration.views.builders import variant_id as variant_of
from wixoms.extensions import db
from wixoms.models import Order

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("width", [1280, 390], ids=["wide", "phone"])
def test_saving_on_hand_recomputes_available_and_keeps_the_allocation(
    chromium, live_app, app, world, width
):
    add_product(app, world.acme.id, "Mug", ["MUG-1"])
    main = add_warehouse(app, world.acme.id, "MAIN", "Main")
    mug = variant_of(app, "MUG-1")
    add_level(app, mug, main, on_hand=5)
    oid = add_order(app, world.acme.id, "B-1", lines=[("MUG-1", 2)])
    with app.app_context():
        db.session.get(Order, oid).warehouse_id = main
        db.session.commit()
    server = live_app()
    page = chromium.new_page(viewport={"width": width, "height": 900})
    log_in(page, server.url)
    page.goto(f"{server.url}/inventory/")
    row = page.locator(f"#row-lvl-{mug}-{main}")
    assert row.locator("[data-label=Allocated]").inner_text() == "2"
    assert row.locator("[data-label=Available]").inner_text() == "3"
    row.locator("input[name=on_hand]").fill("9")
    row.locator("button:has-text('Save')").click()
    page.wait_for_selector(f"#row-lvl-{mug}-{main} .saved")
    row = page.locator(f"#row-lvl-{mug}-{main}")
    assert row.locator("[data-label=Allocated]").inner_text() == "2"
    assert row.locator("[data-label=Available]").inner_text() == "7"
    screenshot(page, f"inventory-{width}")
    page.close()

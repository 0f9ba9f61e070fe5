"""Is Active checks what the page itself asks for: a warehouse mapped, statuses chosen."""

from __future__ import annotations

from html import unescape

import pytest

from tests.integration.channel_world import add_catalog, add_channel, load_channel, settings_post
from wixoms.extensions import db
from wixoms.models import Warehouse, WarehouseMapping


def map_warehouse(app, channel_id: int) -> None:
    with app.app_context():
        warehouse = db.session.scalar(db.select(Warehouse).limit(1))
        db.session.add(WarehouseMapping(channel_id=channel_id, warehouse_id=warehouse.id))
        db.session.commit()


def test_is_active_is_refused_without_a_warehouse_and_links_to_the_tab(app, logged_in):
    add_catalog(app)
    channel_id = add_channel(app)
    response = logged_in.post(f"/channels/{channel_id}", data=settings_post(is_active="y"))
    page = unescape(response.get_data(as_text=True))
    assert response.status_code == 422
    assert "Is Active was not switched on, and nothing was saved." in page
    assert '<a href="?tab=warehouses" data-tab-link="warehouses">Map a warehouse</a>' in page
    assert not load_channel(app, channel_id).is_active

    map_warehouse(app, channel_id)
    assert (
        logged_in.post(f"/channels/{channel_id}", data=settings_post(is_active="y")).status_code
        == 302
    )
    assert load_channel(app, channel_id).is_active


@pytest.mark.parametrize(
    ("statuses", "mode", "refused"),
    [
        (["INITIALIZED"], "scheduled", True),  # search never returns Initialized orders
        (["INITIALIZED"], "webhooks", False),  # webhooks read them one by one
        (["PENDING"], "scheduled", False),
    ],
)
def test_is_active_needs_a_status_that_can_arrive(app, logged_in, statuses, mode, refused):
    add_catalog(app)
    channel_id = add_channel(app, site_id="s-1")
    map_warehouse(app, channel_id)
    data = settings_post(is_active="y", order_statuses=statuses, channel_mode=mode)
    response = logged_in.post(f"/channels/{channel_id}", data=data)
    assert (response.status_code == 422) is refused
    if refused:
        assert "Choose the order statuses to download" in response.get_data(as_text=True)


def test_a_live_channel_missing_a_prerequisite_still_saves_and_says_so(app, logged_in):
    add_catalog(app)
    channel_id = add_channel(app, is_active=True)  # went live before the warehouse was unmapped
    response = logged_in.post(
        f"/channels/{channel_id}", data=settings_post(is_active="y", stock_buffer="2"),
        follow_redirects=True,
    )  # fmt: skip
    page = unescape(response.get_data(as_text=True))
    assert response.status_code == 200 and "Saved." in page
    assert "Is Active is on, but:" in page and "Map a warehouse" in page
    assert load_channel(app, channel_id).stock_buffer == 2


def test_an_inactive_ready_channel_shows_no_checklist(app, logged_in):
    add_catalog(app)
    channel_id = add_channel(app)
    page = logged_in.get(f"/channels/{channel_id}").get_data(as_text=True)
    assert "Before you switch on Is Active:" in page
    map_warehouse(app, channel_id)
    assert "Before you switch on Is Active:" not in logged_in.get(
        f"/channels/{channel_id}"
    ).get_data(as_text=True)

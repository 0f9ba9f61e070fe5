"""No silent lost update: a Save from a stale tab of the channel page is refused, input kept."""

from __future__ import annotations

import re
from html import unescape

import pytest

from tests.integration.channel_world import add_channel, load_channel, settings_post
from wixoms.channel_settings import StaleSettings, save_settings
from wixoms.extensions import db
from wixoms.forms.channel import ChannelSettingsForm
from wixoms.models import Channel


def version_on(page: str) -> str:
    return re.search(r'id="version" name="version" type="hidden" value="(\d+)"', page).group(1)


def test_a_save_from_a_stale_tab_is_refused_and_keeps_its_input(app, logged_in):
    channel_id = add_channel(app)
    loaded = version_on(logged_in.get(f"/channels/{channel_id}").get_data(as_text=True))
    tab_a = logged_in.post(
        f"/channels/{channel_id}", data=settings_post(version=loaded, stock_buffer="3")
    )
    assert tab_a.status_code == 302

    tab_b = logged_in.post(
        f"/channels/{channel_id}",
        data=settings_post(version=loaded, max_stock_level="50", tab="channel"),
    )
    page = unescape(tab_b.get_data(as_text=True))
    assert tab_b.status_code == 409
    assert "Changed in another tab." in page and "nothing was saved here" in page
    assert "Stock Buffer</strong>: saved 3, here 0" in page
    assert "Max Stock Level</strong>: saved empty, here 50" in page
    assert re.search(r'<input[^>]*id="max_stock_level"[^>]*value="50"', page)  # input kept
    assert "Reload the saved settings" in page
    saved = load_channel(app, channel_id)
    assert (saved.stock_buffer, saved.max_stock_level) == (3, None)

    # The refused page carries the new version: Save again means "keep mine", knowingly.
    again = logged_in.post(
        f"/channels/{channel_id}",
        data=settings_post(version=version_on(page), max_stock_level="50", stock_buffer="3"),
    )
    assert again.status_code == 302
    saved = load_channel(app, channel_id)
    assert (saved.stock_buffer, saved.max_stock_level) == (3, 50)


def test_two_saves_from_the_same_version_cannot_both_win(app, world):
    channel_id = add_channel(app)
    with app.test_request_context():
        channel = db.session.get(Channel, channel_id)
        form = ChannelSettingsForm.for_channel(channel)
        values, version = form.values(), channel.settings_version
        save_settings(channel, {**values, "stock_buffer": 3}, version)
        with pytest.raises(StaleSettings):
            save_settings(
                db.session.get(Channel, channel_id), {**values, "stock_buffer": 9}, version
            )
    assert load_channel(app, channel_id).stock_buffer == 3


def test_a_page_without_a_version_still_saves(app, logged_in):
    """Old pages (or scripts) that send no version are not refused."""
    channel_id = add_channel(app)
    assert (
        logged_in.post(f"/channels/{channel_id}", data=settings_post(stock_buffer="2")).status_code
        == 302
    )
    assert load_channel(app, channel_id).stock_buffer == 2

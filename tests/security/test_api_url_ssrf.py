"""The Api URL cannot point wixoms' server (and the channel's token) anywhere but Wix.

It held when attacked; these keep it held: the form refuses every address below, and a
client is never built for a stored address outside the allowlist."""

from __future__ import annotations

import pytest

from tests.integration.channel_world import add_channel, settings_post
from wixoms.connection import client_for
from wixoms.extensions import db
from wixoms.models import Channel
from wixoms.wix import WixError

SSRF_URLS = [
    "http://169.254.169.254/latest/meta-data/",  # cloud metadata
    "https://169.254.169.254/",
    "http://127.0.0.1:6379/",  # Redis on this machine
    "https://localhost/",
    "https://[::1]/",
    "https://2130706433/",  # 127.0.0.1 as one number
    "https://0x7f000001/",
    "file:///etc/passwd",
    "gopher://127.0.0.1:6379/_INFO",
    "javascript:alert(1)",
    "//evil.example/",
    "https://evil.example/",
    "https://www.wixapis.com.evil.example/",
    "https://www.wixapis.com@evil.example/",
    "https://evil.example#@www.wixapis.com",
    "https://evil.example\\@www.wixapis.com",
    "https://user:pass@www.wixapis.com/",
    "https://www.wixapis.com:8443/",
    "https://www.wixapis.com./",
    "https://www.wіxapis.com/",  # a Cyrillic і
    "http://www.wixapis.com/",
    "https://www.wixapis.com/?next=http://evil.example",
    "https://www.wixapis.com/#x",
    "https://www.wix\tapis.com/",
    "https://www.wixapis.com\r\nHost: evil.example",
]


@pytest.mark.parametrize("url", SSRF_URLS)
def test_the_settings_form_refuses_an_api_url_outside_wix(app, logged_in, url):
    channel_id = add_channel(app)
    response = logged_in.post(f"/channels/{channel_id}", data=settings_post(api_url=url))
    assert response.status_code == 422, url
    with app.app_context():
        assert db.session.get(Channel, channel_id).api_url == "https://www.wixapis.com"


@pytest.mark.parametrize("url", ["https://www.wixapis.com", "https://WWW.WIXAPIS.COM/"])
def test_wixs_own_address_is_accepted(app, logged_in, url):
    channel_id = add_channel(app)
    response = logged_in.post(f"/channels/{channel_id}", data=settings_post(api_url=url))
    assert response.status_code == 302


@pytest.mark.parametrize("url", ["http://169.254.169.254", "https://evil.example"])
def test_no_client_is_built_for_a_stored_api_url_outside_the_allowlist(app, world, url):
    """A row written around the form (an old version, a database edit) is refused too."""
    channel_id = add_channel(app)
    with app.app_context():
        channel = db.session.get(Channel, channel_id)
        channel.api_url = url
        db.session.commit()
        with pytest.raises(WixError) as info:
            client_for(channel)
    assert "Api URL" in info.value.user_message

"""Status that agrees with itself: the badge after a reconnect, webhook endpoints, Wix links."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.integration.channel_world import add_channel
from wixoms.channel_settings import channel_status, endpoint_state
from wixoms.extensions import db
from wixoms.models import Channel, SyncRun, WebhookEndpoint
from wixoms.models._base import utcnow
from wixoms.wix_links import dashboard_host, dashboard_url


def failed_run(channel_id: int, minutes_ago: int) -> SyncRun:
    ended = utcnow() - timedelta(minutes=minutes_ago)
    return SyncRun(
        channel_id=channel_id, kind="orders", trigger="schedule", state="failed",
        error="invalid_grant", summary="Wix refused the token", queued_at=ended,
        started_at=ended, finished_at=ended,
    )  # fmt: skip


def test_a_failure_before_the_reconnect_no_longer_makes_the_badge_red(app, world):
    channel_id = add_channel(app, is_active=True)
    with app.app_context():
        db.session.add(failed_run(channel_id, minutes_ago=10))
        channel = db.session.get(Channel, channel_id)
        channel.last_error = None
        db.session.commit()
        assert channel_status(channel).label == "Error"  # not reconnected since: still red
        channel.connected_at = utcnow() - timedelta(minutes=1)  # the reconnect
        db.session.commit()
        assert channel_status(channel).label == "Live"
        db.session.add(failed_run(channel_id, minutes_ago=0))  # a new failure counts again
        db.session.commit()
        assert channel_status(channel).label == "Error"


@pytest.mark.parametrize(
    ("mode", "site_id", "revoked", "label"),
    [
        ("webhooks", "site-1", False, "Active"),
        ("scheduled", "site-1", False, "Not in use"),
        ("webhooks", "", False, "Not in use"),
        ("webhooks", "site-1", True, "Revoked"),
    ],
)
def test_an_endpoint_is_active_only_when_deliveries_are_imported(
    app, world, mode, site_id, revoked, label
):
    channel_id = add_channel(app, channel_mode=mode, site_id=site_id)
    with app.app_context():
        endpoint = WebhookEndpoint(channel_id=channel_id, kind="automation", token="t" * 43)
        endpoint.revoked_at = utcnow() if revoked else None
        db.session.add(endpoint)
        db.session.commit()
        state = endpoint_state(db.session.get(Channel, channel_id), endpoint)
    assert state.label.startswith(label)


def test_the_webhooks_tab_agrees_with_itself_and_links_to_the_configured_wix(
    make_app, client, world
):
    app = make_app(WIX_WWW_BASE="http://127.0.0.1:5055")
    client = app.test_client()
    channel_id = add_channel(app, channel_mode="scheduled", site_id="site-1")
    with app.app_context():
        db.session.add(WebhookEndpoint(channel_id=channel_id, kind="automation", token="t" * 43))
        db.session.commit()
    client.post("/login", data={"email": "admin@acme.test", "password": "correct horse battery"})
    page = client.get(f"/channels/{channel_id}?tab=webhooks").get_data(as_text=True)
    assert "Automations URLs are not in use yet." in page
    assert '<span class="badge ok">Active</span>' not in page
    assert "Not in use" in page
    assert "manage.wix.com" not in page
    assert 'href="http://127.0.0.1:5055/dashboard/site-1/home"' in page


@pytest.mark.parametrize(
    ("www", "site", "url", "host"),
    [
        (
            "https://www.wix.com",
            "s-1",
            "https://manage.wix.com/dashboard/s-1/home",
            "manage.wix.com",
        ),
        ("https://www.wix.com", "", "https://manage.wix.com/", "manage.wix.com"),
        (
            "http://127.0.0.1:5055",
            "s-1",
            "http://127.0.0.1:5055/dashboard/s-1/home",
            "127.0.0.1:5055",
        ),
    ],
)
def test_dashboard_links_follow_the_configured_www_base(www, site, url, host):
    assert dashboard_url(www, site) == url
    assert dashboard_host(www) == host

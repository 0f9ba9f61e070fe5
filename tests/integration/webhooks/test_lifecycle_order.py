"""App lifecycle events arrive late, repeated and out of order, and Wix gives them no event id.

A removal and a reinstall within one second carry byte-identical AppInstalled JWTs (whole
second ``iat``, same content): the second install must not be taken for a repeat of the
first, or the channel stays "removed" for good. An event signed before the channel's last
change the other way (a late retry) must not undo that change.
"""

from __future__ import annotations

import json
import time

import jwt
import pytest

from tests.integration.webhooks.webhook_world import INSTANCE_ID, add_channel
from wixoms.extensions import db
from wixoms.models import Channel, WebhookEvent
from wixoms.webhooks import process


def _lifecycle(keys, event_type: str, iat: int) -> bytes:
    data = {"appId": "wixoms"}  # AppRemoved carries {appId} (wix-api.md §10)
    if event_type == "AppInstalled":
        data["originInstanceId"] = ""
    envelope = {
        "eventType": event_type,
        "instanceId": INSTANCE_ID,
        "data": json.dumps(data),
        "identity": json.dumps({"identityType": "APP"}),
    }
    claims = {"data": json.dumps(envelope), "iat": iat, "exp": iat + 300}
    return jwt.encode(claims, keys.private_pem, algorithm="RS256").encode()


@pytest.fixture
def lifecycle(app, world, app_keys):
    """An App Market channel (client credentials) reachable at /hooks/wix; tests run the worker."""
    app.config.update(WIX_PUBLIC_KEY=app_keys.public_pem, WEBHOOK_WORKER="off")
    with app.app_context():
        channel = add_channel(world.acme.id, auth_flow="oauth", site_name="Acme")
        db.session.commit()
        channel_id = channel.id
    client = app.test_client()

    def deliver(event_type: str, iat: int) -> dict:
        body = _lifecycle(app_keys, event_type, iat)
        response = client.post("/hooks/wix", data=body, content_type="text/plain")
        assert response.status_code == 200, response.get_data(as_text=True)
        with app.app_context():
            process.process_pending()
            channel = db.session.get(Channel, channel_id)
            return {
                "removed": channel.app_removed_at is not None,
                "needs_reconnect": channel.needs_reconnect,
                "message": channel.last_error or "",
            }

    def outcomes() -> list[str]:
        with app.app_context():
            query = db.select(WebhookEvent.outcome).order_by(WebhookEvent.id)
            return list(db.session.scalars(query))

    deliver.outcomes = outcomes  # type: ignore[attr-defined]
    return deliver


def test_remove_and_reinstall_in_the_same_second_reconnects_the_channel(lifecycle):
    second = int(time.time())
    assert lifecycle("AppInstalled", second)["removed"] is False
    removed = lifecycle("AppRemoved", second)
    assert removed["removed"] and removed["needs_reconnect"]
    assert "The Wix app was removed from the site" in removed["message"]
    # Byte-identical to the first install's JWT: still a new event, not a repeat.
    back = lifecycle("AppInstalled", second)
    assert back == {"removed": False, "needs_reconnect": False, "message": ""}
    assert lifecycle.outcomes()[-1] == "The app was installed again: the channel is reconnected."


def test_a_late_retry_of_an_older_install_does_not_undo_a_removal(lifecycle):
    now = int(time.time())
    lifecycle("AppRemoved", now)
    late = lifecycle("AppInstalled", now - 120)  # Wix retried an install signed 2 min earlier
    assert late["removed"] and late["needs_reconnect"]
    assert "the removal stands" in lifecycle.outcomes()[-1]


def test_a_late_retry_of_an_older_removal_does_not_stop_a_reconnected_channel(lifecycle):
    now = int(time.time())
    lifecycle("AppRemoved", now - 600)
    assert lifecycle("AppInstalled", now - 300)["removed"] is False
    late = lifecycle("AppRemoved", now - 600)  # the same removal, re-sent by Wix
    assert late == {"removed": False, "needs_reconnect": False, "message": ""}
    assert "ignored" in lifecycle.outcomes()[-1]

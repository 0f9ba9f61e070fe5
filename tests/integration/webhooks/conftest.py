"""Fixtures for the webhook tests: JWT key pairs and a channel with its /hooks endpoints."""

from __future__ import annotations

import pytest

from tests.integration.webhooks.webhook_world import Hooks, KeyPair, add_channel, key_pair
from wixoms.extensions import db
from wixoms.models import WebhookEndpoint
from wixoms.models._base import utcnow


@pytest.fixture(scope="session")
def app_keys() -> KeyPair:
    """The Wix app's key pair (Wix signs with the private key; wixoms knows the public one)."""
    return key_pair()


@pytest.fixture(scope="session")
def stranger_keys() -> KeyPair:
    return key_pair()


@pytest.fixture
def hooks(app, world, app_keys) -> Hooks:
    """/hooks with the worker off (tests drive it), a channel in Webhooks mode, three endpoints."""
    app.config.update(WIX_PUBLIC_KEY=app_keys.public_pem, WEBHOOK_WORKER="off")
    with app.app_context():
        channel = add_channel(world.acme.id)
        automation = WebhookEndpoint(channel_id=channel.id, kind="automation", token="a" * 43)
        app_endpoint = WebhookEndpoint(channel_id=channel.id, kind="app", token="b" * 43)
        revoked = WebhookEndpoint(
            channel_id=channel.id, kind="automation", token="c" * 43, revoked_at=utcnow()
        )
        db.session.add_all([automation, app_endpoint, revoked])
        db.session.commit()
        return Hooks(
            app=app,
            channel_id=channel.id,
            automation_token=automation.token,
            app_token=app_endpoint.token,
            revoked_token=revoked.token,
            automation_id=automation.id,
            app_endpoint_id=app_endpoint.id,
        )

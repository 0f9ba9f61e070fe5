"""“Use your own Wix app” (Helm's way) over real HTTP: wixoms ↔ the sandbox, no JavaScript.

The merchant's custom app (legacy authorization-code flow, wix-api.md §1b) is registered in the
sandbox as a developer would; its credentials are stored encrypted on the channel and used for
the code exchange, token refresh and its own webhook URL.
"""

from __future__ import annotations

import time
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import text

from tests.fixtures.wix import APP_ID
from tests.integration.wizard.wizard_kit import Visitor, state_of
from wixoms.extensions import db
from wixoms.models import Channel, Order, WebhookEndpoint, WizardSession
from wixoms.sync.runs import run_now

ALL = [
    "SCOPE.DC.MANAGE-YOUR-APP",
    "SCOPE.DC-STORES-MEGA.MANAGE-STORES",
    "SCOPE.DC-ECOM-MEGA.MANAGE-ECOM",
]


@pytest.fixture
def helm(make_env, world):
    env = make_env("oauth")
    visitor = Visitor(env)
    visitor.login()
    custom = env.sandbox.register_app(
        name="Helm connector",
        auth_flow="legacy",
        app_url=f"{env.url}/wizard/custom-app/app-url",
        redirect_url=f"{env.url}/wizard/custom-app/callback",
        webhook_url="",
        permissions=ALL,
    )
    custom["webhookUrl"] = f"{env.url}/hooks/wix/{custom['appId']}"
    env.sandbox.register_app(
        app_id=custom["appId"],
        app_secret=custom["appSecret"],
        name="Helm connector",
        auth_flow="legacy",
        app_url=f"{env.url}/wizard/custom-app/app-url",
        redirect_url=f"{env.url}/wizard/custom-app/callback",
        webhook_url=custom["webhookUrl"],
        permissions=ALL,
    )
    return env, visitor, custom


def _credentials(custom: dict, **changes) -> dict:
    data = {
        "app_id": custom["appId"],
        "app_secret": custom["appSecret"],
        "public_key": custom["publicKey"],
    }
    return {**data, **changes}


def _connect(env, visitor, custom, site):
    visitor.follow(visitor.get("/wizard/custom-app"))
    start = visitor.post("/wizard/custom-app", data=_credentials(custom))
    assert start.status_code == 303, start.text[:500]
    location = start.headers["Location"]
    query = parse_qs(urlsplit(location).query)
    assert location.startswith(env.sandbox_url + "/installer/install")
    assert query["appId"] == [custom["appId"]] and query["client_id"] == [custom["appId"]]
    assert query["response_type"] == ["code"]
    assert query["redirectUrl"] == [f"{env.url}/wizard/custom-app/callback"]
    return visitor.follow(visitor.through_wix(start, site)), query["state"][0]


def _finish(env, visitor, page, world) -> Channel:
    page = visitor.step(page, "version", data={"action": "continue"})
    page = visitor.step(page, "account", data={"account_id": world.acme.id})
    visitor.step(page, "name", data={"name": "Helm Wix Store"})
    return env.channels()[-1]


def test_a_custom_app_connects_with_its_own_credentials_stored_encrypted(helm, world):
    env, visitor, custom = helm
    page, state = _connect(env, visitor, custom, env.sites["first"])
    assert "Your site uses Wix Stores Catalog v3" in page.text
    assert state_of(page) == state  # the flow carried wixoms's own state
    channel = _finish(env, visitor, page, world)
    assert channel.custom_app_id == custom["appId"]
    assert channel.custom_app_public_key == custom["publicKey"].strip()
    assert channel.auth_flow == "legacy"
    installed = next(i for i in env.sandbox.installations() if i["appId"] == custom["appId"])
    assert channel.instance_id == installed["instanceId"]
    with env.app.app_context():
        raw = db.session.execute(
            text("SELECT custom_app_secret FROM channels WHERE id = :id"), {"id": channel.id}
        ).scalar_one()
        assert custom["appSecret"] not in raw  # encrypted at rest
        assert db.session.get(Channel, channel.id).custom_app_secret == custom["appSecret"]


def test_token_refresh_and_webhooks_use_the_channels_own_app(helm, world):
    env, visitor, custom = helm
    page, _state = _connect(env, visitor, custom, env.sites["first"])
    channel = _finish(env, visitor, page, world)
    with env.app.app_context():
        db.session.get(Channel, channel.id).is_active = True
        db.session.commit()
    env.sandbox.expire_tokens()  # the 5-minute legacy token is gone: refresh with the app's own
    with env.app.app_context():
        run = run_now(channel.id, "orders")
        assert run.state == "succeeded", run.summary
        assert not db.session.get(Channel, channel.id).needs_reconnect

    product = env.sandbox.add_product(channel.site_id, name="Tee", price=20, sku="T", quantity=5)
    placed = env.sandbox.place_order(
        channel.site_id, lines=[{"productId": product["id"], "quantity": 1}], status="APPROVED"
    )
    deadline = time.monotonic() + 30  # generous: CI runs it beside other tests
    found = None
    while found is None and time.monotonic() < deadline:
        with env.app.app_context():
            found = db.session.scalar(db.select(Order.id).where(Order.external_id == placed["id"]))
        time.sleep(0.05)
    assert found is not None, "the custom app's webhook did not bring the order"
    deliveries = env.sandbox.deliveries(kind="app_webhook")
    assert any(d["url"] == custom["webhookUrl"] for d in deliveries)


def test_a_jwt_of_another_app_is_refused_at_a_custom_app_url(helm, world):
    env, visitor, custom = helm
    page, _state = _connect(env, visitor, custom, env.sites["first"])
    _finish(env, visitor, page, world)
    # The wixoms app (another key pair) sends to the custom app's URL: the signature fails.
    env.sandbox.register_app(app_id=APP_ID, webhook_url=custom["webhookUrl"], auth_flow="oauth")
    env.sandbox.install(APP_ID, env.sites["second"]["id"])
    refused = [
        d
        for d in env.sandbox.wait_for_deliveries(kind="app_webhook")
        if d["appId"] == APP_ID and d["attempts"]
    ]
    assert refused and all(a.get("status") == 401 for d in refused for a in d["attempts"])


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"app_id": ""}, "Enter the App ID"),
        ({"app_id": "not an id!"}, "The App ID looks wrong"),
        ({"app_id": APP_ID}, "That is the wixoms app"),
        ({"app_secret": ""}, "Enter the App Secret Key"),
        ({"app_secret": "two words"}, "The App Secret Key looks wrong"),
        ({"public_key": ""}, "Paste the app's public key"),
        (
            {"public_key": "-----BEGIN PUBLIC KEY-----\nnope\n-----END PUBLIC KEY-----"},
            "is not a PEM",
        ),
        ({"public_key": "x" * 5000}, "is not a PEM"),
    ],
)
def test_bad_credentials_are_refused_with_the_fix_and_nothing_stored(helm, changes, message):
    env, visitor, custom = helm
    visitor.follow(visitor.get("/wizard/custom-app"))
    response = visitor.post("/wizard/custom-app", data=_credentials(custom, **changes))
    assert response.status_code == 422
    assert message in response.text.replace("&#39;", "'").replace("&#34;", '"')
    with env.app.app_context():
        assert db.session.scalar(db.select(WizardSession.id)) is None


def test_without_the_csrf_token_nothing_is_stored(helm):
    env, visitor, custom = helm
    # CSRF is checked before anything is read: a forged cross-site post stores nothing.
    response = visitor.post("/wizard/custom-app", data=_credentials(custom), csrf=False)
    assert response.status_code == 400
    with env.app.app_context():
        assert db.session.scalar(db.select(WizardSession.id)) is None


def test_a_callback_without_wixoms_state_connects_nothing(helm):
    env, visitor, custom = helm
    page = visitor.follow(visitor.get("/wizard/custom-app/callback?code=x&instanceId=y"))
    assert 'data-failure="state_mismatch"' in page.text
    assert env.channels() == []


def test_wrong_secret_says_wix_refused_the_credentials(helm):
    env, visitor, custom = helm
    visitor.follow(visitor.get("/wizard/custom-app"))
    start = visitor.post("/wizard/custom-app", data=_credentials(custom, app_secret="wrong"))
    page = visitor.follow(visitor.through_wix(start, env.sites["first"]))
    assert "Wix refused the App ID or App Secret Key" in page.text
    assert env.channels() == []


def test_a_per_channel_app_endpoint_verifies_with_the_channels_own_key(helm, world):
    """The Webhooks tab's "Wix app webhooks" URL of a custom-app channel: its own public key."""
    env, visitor, custom = helm
    page, _state = _connect(env, visitor, custom, env.sites["first"])
    channel = _finish(env, visitor, page, world)
    with env.app.app_context():
        row = db.session.get(Channel, channel.id)
        row.is_active, row.channel_mode = True, "webhooks"
        db.session.add(WebhookEndpoint(channel_id=channel.id, kind="app", token="k" * 43))
        db.session.commit()
    env.sandbox.register_app(
        app_id=custom["appId"],
        app_secret=custom["appSecret"],
        auth_flow="legacy",
        redirect_url=f"{env.url}/wizard/custom-app/callback",
        webhook_url=f"{env.url}/hooks/{'k' * 43}",
        permissions=ALL,
    )
    product = env.sandbox.add_product(channel.site_id, name="Tee", price=20, sku="T", quantity=5)
    env.sandbox.place_order(
        channel.site_id, lines=[{"productId": product["id"], "quantity": 1}], status="APPROVED"
    )
    deliveries = env.sandbox.wait_for_deliveries(kind="app_webhook")
    # (AppInstalled came while no channel used the app: refused then, retried by Wix.)
    orders = [d for d in deliveries if d["eventType"].startswith("wix.ecom.v1.order")]
    assert orders and all(d["status"] == "delivered" for d in orders), orders


def test_an_install_started_in_wix_continues_the_waiting_wizard_through_the_app_url(helm):
    env, visitor, custom = helm
    visitor.follow(visitor.get("/wizard/custom-app"))
    assert visitor.post("/wizard/custom-app", data=_credentials(custom)).status_code == 303
    # The merchant installs the app from Wix instead: Wix opens the App URL with ?token=.
    into_wix = visitor.post(f"{env.sandbox_url}/app-market/{custom['appId']}/add")
    back = visitor.through_wix(into_wix, env.sites["second"])
    assert back.headers["Location"].startswith(f"{env.url}/wizard/custom-app/app-url?token=")
    page = visitor.follow(back)
    assert "Your site uses Wix Stores Catalog v1" in page.text
    assert env.wizard(state_of(page)).custom_app_id == custom["appId"]


def test_the_app_url_without_a_waiting_wizard_says_where_to_start(helm):
    env, visitor, custom = helm
    page = visitor.get("/wizard/custom-app/app-url?token=whatever")
    assert page.status_code == 409
    assert "no wizard is waiting for it" in page.text
    assert env.channels() == []


def test_a_removed_custom_app_stops_the_channel_and_reconnecting_it_resumes(helm, world):
    env, visitor, custom = helm
    page, _state = _connect(env, visitor, custom, env.sites["first"])
    channel = _finish(env, visitor, page, world)
    env.sandbox.remove_app(channel.instance_id)  # AppRemoved goes to /hooks/wix/<app id>
    deadline = time.monotonic() + 30  # generous: CI runs it beside other tests
    removed = None
    while removed is None and time.monotonic() < deadline:
        with env.app.app_context():
            removed = db.session.get(Channel, channel.id).app_removed_at
        time.sleep(0.05)
    assert removed is not None
    shown = visitor.get(f"/channels/{channel.id}").text
    assert "The Wix app was removed from the site" in shown

    form = visitor.get(f"/wizard/custom-app?reconnect={channel.id}")
    assert f'value="{custom["appId"]}"' in form.text  # the channel's app, filled in
    start = visitor.post(
        "/wizard/custom-app", data={**_credentials(custom), "reconnect": str(channel.id)}
    )
    page = visitor.follow(visitor.through_wix(start, env.sites["first"]))
    page = visitor.step(page, "version", data={"action": "continue"})
    visitor.step(page, "confirm")
    with env.app.app_context():
        back = db.session.get(Channel, channel.id)
        assert back.app_removed_at is None and not back.needs_reconnect
        assert back.instance_id == channel.instance_id  # Wix keeps the instance id
        assert run_now(channel.id, "orders").state == "succeeded"

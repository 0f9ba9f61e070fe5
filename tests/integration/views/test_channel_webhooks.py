"""Webhooks tab: Create → Type → URL → Save endpoint or Cancel; revoke, regenerate, warnings."""

from __future__ import annotations

import re

from tests.integration.channel_world import add_channel
from wixoms.channel_settings import sign_pending_endpoint
from wixoms.extensions import db
from wixoms.models import Channel, WebhookEndpoint

HX = {"HX-Request": "true"}
URL_RE = r"http://localhost/hooks/([A-Za-z0-9_-]{43})"


def endpoints(app) -> list[WebhookEndpoint]:
    with app.app_context():
        found = list(db.session.scalars(db.select(WebhookEndpoint).order_by(WebhookEndpoint.id)))
        db.session.expunge_all()
        return found


def pending_form(html: str) -> dict:
    return {
        "pending": re.search(r'name="pending" value="([^"]+)"', html).group(1),
        "url": re.search(rf'id="pending-url" value="({URL_RE})"', html).group(1),
    }


def test_create_shows_a_generated_url_and_cancel_stores_nothing(app, logged_in):
    channel_id = add_channel(app, channel_mode="webhooks", site_id="site-1")
    html = logged_in.get(f"/channels/{channel_id}/webhooks/new", headers=HX).get_data(True)
    assert 'id="endpoint-kind"' in html and "Choose a type" in html
    assert 'id="pending-url"' not in html  # the URL comes with the chosen Type
    first = logged_in.get(
        f"/channels/{channel_id}/webhooks/new?kind=automation", headers=HX
    ).get_data(as_text=True)
    pending = pending_form(first)
    assert 'data-copy="pending-url"' in first
    # Switching the Type keeps the same URL (the token rides along, signed).
    again = logged_in.get(
        f"/channels/{channel_id}/webhooks/new?kind=app&pending={pending['pending']}", headers=HX
    ).get_data(as_text=True)
    assert pending_form(again)["url"] == pending["url"]
    cancel = logged_in.get(f"/channels/{channel_id}/webhooks", headers=HX).get_data(as_text=True)
    assert 'id="pending-url"' not in cancel and "No webhook endpoints yet." in cancel
    assert endpoints(app) == []


def test_save_endpoint_stores_the_shown_token_once(app, logged_in):
    channel_id = add_channel(app, channel_mode="webhooks", site_id="site-1")
    html = logged_in.get(
        f"/channels/{channel_id}/webhooks/new?kind=automation", headers=HX
    ).get_data(as_text=True)
    pending = pending_form(html)
    form = {"kind": "automation", "pending": pending["pending"]}
    response = logged_in.post(f"/channels/{channel_id}/webhooks", data=form, headers=HX)
    assert response.status_code == 200
    saved = response.get_data(as_text=True)
    assert pending["url"] in saved and "Webhook endpoint saved" in saved
    (endpoint,) = endpoints(app)
    assert (endpoint.kind, endpoint.channel_id) == ("automation", channel_id)
    assert pending["url"].endswith("/hooks/" + endpoint.token)
    twice = logged_in.post(f"/channels/{channel_id}/webhooks", data=form, headers=HX)
    assert twice.status_code == 422 and "already saved" in twice.get_data(as_text=True)
    assert len(endpoints(app)) == 1


def test_public_url_is_used_for_the_webhook_address(make_app, world):
    app = make_app(PUBLIC_URL="https://oms.example.com/")
    channel_id = add_channel(app)
    client = app.test_client()
    from tests.fixtures.app import PASSWORD

    client.post("/login", data={"email": "admin@acme.test", "password": PASSWORD})
    html = client.get(f"/channels/{channel_id}/webhooks/new?kind=app", headers=HX).get_data(True)
    assert re.search(r'value="https://oms\.example\.com/hooks/[A-Za-z0-9_-]{43}"', html)


def test_forged_or_foreign_pending_tokens_are_refused(app, logged_in):
    channel_id = add_channel(app)
    other_id = add_channel(app, "Globex")
    with app.test_request_context():
        other = db.session.get(Channel, other_id)
        foreign = sign_pending_endpoint(other, "a" * 43)
    for pending in ("not-signed", foreign, ""):
        response = logged_in.post(
            f"/channels/{channel_id}/webhooks",
            data={"kind": "automation", "pending": pending},
            headers=HX,
        )
        assert response.status_code == 422
        assert "Press Create again" in response.get_data(as_text=True)
    bad_kind = logged_in.post(
        f"/channels/{channel_id}/webhooks", data={"kind": "ftp", "pending": "x"}, headers=HX
    )
    assert bad_kind.status_code == 422 and "Choose a Type" in bad_kind.get_data(as_text=True)
    assert endpoints(app) == []


def test_revoke_and_regenerate(app, logged_in):
    channel_id = add_channel(app)
    with app.app_context():
        db.session.add(WebhookEndpoint(channel_id=channel_id, kind="automation", token="t" * 43))
        db.session.commit()
    (endpoint,) = endpoints(app)
    response = logged_in.post(
        f"/channels/{channel_id}/webhooks/{endpoint.id}/regenerate", headers=HX
    )
    assert response.status_code == 200
    (renewed,) = endpoints(app)
    assert renewed.token != "t" * 43 and len(renewed.token) == 43
    assert renewed.token in response.get_data(as_text=True)
    response = logged_in.post(f"/channels/{channel_id}/webhooks/{endpoint.id}/revoke", headers=HX)
    assert "Revoked" in response.get_data(as_text=True)
    (revoked,) = endpoints(app)
    assert revoked.revoked_at is not None
    assert revoked.token not in response.get_data(as_text=True)  # no URL shown for it


def test_tab_explains_what_is_missing_for_webhooks(app, logged_in):
    channel_id = add_channel(app, channel_mode="scheduled", site_id="")
    html = logged_in.get(f"/channels/{channel_id}?tab=webhooks").get_data(as_text=True)
    assert "Channel Mode is <em>Scheduled polling</em>" in html
    assert "Site ID is empty." in html
    assert "Send HTTP Request" in html and "Order placed" in html  # the Wix steps
    ready = add_channel(app, "Globex", channel_mode="webhooks", site_id="site-9")
    with app.app_context():
        db.session.execute(db.delete(Channel).where(Channel.id == channel_id))
        db.session.commit()
    from tests.fixtures.app import PASSWORD

    logged_in.post("/logout")
    logged_in.post("/login", data={"email": "boss@globex.test", "password": PASSWORD})
    html = logged_in.get(f"/channels/{ready}?tab=webhooks").get_data(as_text=True)
    assert 'id="webhooks-not-ready"' not in html


def test_deliveries_slot_is_rendered_per_endpoint(app, logged_in):
    channel_id = add_channel(app)
    with app.app_context():
        for token in ("a" * 43, "b" * 43):
            db.session.add(WebhookEndpoint(channel_id=channel_id, token=token))
        db.session.commit()
    html = logged_in.get(f"/channels/{channel_id}?tab=webhooks").get_data(as_text=True)
    assert html.count('class="endpoint ') == 2


def test_operator_cannot_create_revoke_or_regenerate(app, client, auth):
    channel_id = add_channel(app)
    with app.app_context():
        db.session.add(WebhookEndpoint(channel_id=channel_id, token="t" * 43))
        db.session.commit()
    (endpoint,) = endpoints(app)
    auth.login("op@acme.test")
    html = client.get(f"/channels/{channel_id}?tab=webhooks").get_data(as_text=True)
    assert "Regenerate URL" not in html and ">Create</a>" not in html
    assert client.get(f"/channels/{channel_id}/webhooks/new").status_code == 403
    for action in ("revoke", "regenerate"):
        url = f"/channels/{channel_id}/webhooks/{endpoint.id}/{action}"
        assert client.post(url).status_code == 403
    assert endpoints(app)[0].token == "t" * 43 and endpoints(app)[0].revoked_at is None

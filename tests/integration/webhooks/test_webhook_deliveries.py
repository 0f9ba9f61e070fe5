"""The Webhooks tab's deliveries list and its Replay button."""

from __future__ import annotations

import re
from datetime import timedelta

from tests.integration.webhooks.webhook_world import add_channel
from wixoms.extensions import db
from wixoms.models import WebhookEndpoint, WebhookEvent
from wixoms.models._base import utcnow
from wixoms.webhooks import process

ORDER = "0b7c1a7e-2222-4a3b-9c1d-000000000002"


def add_event(app, endpoint_id: int, channel_id: int, **values) -> int:
    with app.app_context():
        row = WebhookEvent(
            endpoint_id=endpoint_id,
            channel_id=channel_id,
            body=b"{}",
            headers={},
            dedupe_key=values.pop("dedupe_key", f"k-{values.get('order_number', '')}"),
            event_type=values.pop("event_type", "automation.order_placed"),
            order_external_id=values.pop("order_external_id", ORDER),
            **values,
        )
        db.session.add(row)
        db.session.commit()
        return row.id


def deliveries_html(client, endpoint_id: int) -> str:
    response = client.get(
        f"/hooks/endpoints/{endpoint_id}/deliveries", headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_deliveries_show_time_type_order_and_outcome_newest_first(hooks, logged_in):
    app = hooks.app
    add_event(
        app, hooks.automation_id, hooks.channel_id, order_number="1001", state="done",
        outcome="Order #1001 imported.",
    )  # fmt: skip
    add_event(
        app, hooks.automation_id, hooks.channel_id, order_number="1002", state="parked",
        error="Wix has no such order on this channel's site.",
    )  # fmt: skip
    add_event(
        app, hooks.automation_id, hooks.channel_id, order_number="1003", state="ignored",
        error="Channel Mode is Scheduled polling, not Webhooks.",
    )  # fmt: skip
    html = deliveries_html(logged_in, hooks.automation_id)
    rows = re.findall(r'<tr id="delivery-(\d+)" data-state="(\w+)">', html)
    assert [state for _id, state in rows] == ["ignored", "parked", "done"]
    assert "Order placed (Automation)" in html
    for text in ("#1001", "#1002", "#1003", "Order #1001 imported.", "Wix has no such order"):
        assert text in html
    assert 'class="badge bad">Parked' in html
    assert 'class="badge ok">Done' in html
    assert html.count("data-replay=") == 3


def test_pending_delivery_has_no_replay_button(hooks, logged_in):
    add_event(hooks.app, hooks.automation_id, hooks.channel_id, order_number="7", state="pending")
    html = deliveries_html(logged_in, hooks.automation_id)
    assert "Queued" in html
    assert "data-replay=" not in html


def test_endpoint_without_deliveries_says_what_to_do(hooks, logged_in):
    html = deliveries_html(logged_in, hooks.app_endpoint_id)
    assert "No deliveries yet" in html


def test_replay_requeues_a_parked_event_and_rerenders_the_list(hooks, logged_in):
    event_id = add_event(
        hooks.app, hooks.automation_id, hooks.channel_id, order_number="1002", state="parked",
        attempts=6, error="Gave up after 6 attempts.",
    )  # fmt: skip
    response = logged_in.post(f"/hooks/events/{event_id}/replay", headers={"HX-Request": "true"})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert f'id="webhook-deliveries-{hooks.automation_id}"' in html
    assert "Replay queued." in html
    [event] = hooks.events()
    assert (event.state, event.attempts, event.error) == ("pending", 0, None)


def test_replay_without_htmx_redirects_back_to_the_channel(hooks, logged_in):
    event_id = add_event(hooks.app, hooks.automation_id, hooks.channel_id, state="done")
    response = logged_in.post(f"/hooks/events/{event_id}/replay")
    assert response.status_code == 302
    assert str(hooks.channel_id) in response.headers["Location"]


def test_other_accounts_deliveries_and_replay_are_404(hooks, client, auth, world):
    event_id = add_event(hooks.app, hooks.automation_id, hooks.channel_id, state="parked")
    auth.login("boss@globex.test")
    assert client.get(f"/hooks/endpoints/{hooks.automation_id}/deliveries").status_code == 404
    assert client.post(f"/hooks/events/{event_id}/replay").status_code == 404
    assert hooks.events()[0].state == "parked"


def test_deliveries_need_login(hooks, client):
    response = client.get(f"/hooks/endpoints/{hooks.automation_id}/deliveries")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_replay_checks_the_csrf_token(make_app, world, auth):
    from tests.fixtures.app import PASSWORD

    app = make_app(WEBHOOK_WORKER="off")
    with app.app_context():
        channel = add_channel(world.acme.id)
        endpoint = WebhookEndpoint(channel_id=channel.id, kind="automation", token="d" * 43)
        db.session.add(endpoint)
        db.session.commit()
        endpoint_id, channel_id = endpoint.id, channel.id
    event_id = add_event(app, endpoint_id, channel_id, state="parked")
    client = app.test_client()
    login_page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', login_page)
    client.post(
        "/login",
        data={"email": "admin@acme.test", "password": PASSWORD, "csrf_token": token.group(1)},
        csrf=False,
    )
    refused = client.post(
        f"/hooks/events/{event_id}/replay", headers={"HX-Request": "true"}, csrf=False
    )
    assert refused.status_code == 400
    html = client.get(f"/hooks/endpoints/{endpoint_id}/deliveries").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
    accepted = client.post(
        f"/hooks/events/{event_id}/replay",
        headers={"HX-Request": "true", "X-CSRFToken": csrf},
        csrf=False,
    )
    assert accepted.status_code == 200


def test_stale_processing_event_is_recovered_for_retry(hooks):
    event_id = add_event(
        hooks.app, hooks.automation_id, hooks.channel_id, state="processing", attempts=1,
        next_attempt_at=utcnow() - timedelta(seconds=1),
    )  # fmt: skip
    with hooks.app.app_context():
        assert process.recover_stale() == 1
        row = db.session.get(WebhookEvent, event_id)
        assert row.state == "failed"
        assert "worker stopped" in row.error


def test_operator_sees_deliveries_but_cannot_replay(hooks, client, auth):
    event_id = add_event(hooks.app, hooks.automation_id, hooks.channel_id, state="parked")
    auth.login("op@acme.test")
    html = deliveries_html(client, hooks.automation_id)
    assert f'id="delivery-{event_id}"' in html
    assert "data-replay=" not in html
    assert client.post(f"/hooks/events/{event_id}/replay").status_code == 403
    assert hooks.events()[0].state == "parked"

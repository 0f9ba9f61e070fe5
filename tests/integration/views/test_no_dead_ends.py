"""No dead ends: an account switch lands on a list, a wizard in progress is offered again."""

from __future__ import annotations

from html import unescape

import pytest

from tests.integration.views.builders import add_channel, add_order
from wixoms.extensions import db
from wixoms.models import Membership, User, WizardSession
from wixoms.models._base import utcnow


@pytest.fixture
def two_accounts(app, world):
    with app.app_context():
        db.session.add(Membership(user_id=world.admin.id, account_id=world.globex.id, role="admin"))
        db.session.commit()


@pytest.mark.parametrize(
    ("page", "lands_on", "names"),
    [
        ("/orders/{order}", "/orders/", "orders"),
        ("/channels/{channel}", "/channels/", "channels"),
        ("/channels/{channel}/sync-log", "/channels/", "channels"),
        ("/products/", "/products/", None),  # a list stays where it is
        ("/orders/?status=open", "/orders/?status=open", None),
    ],
)
def test_switching_account_on_a_page_of_one_object_lands_on_its_list(
    app, client, auth, world, two_accounts, page, lands_on, names
):
    order = add_order(app, world.acme.id, "A-1")
    channel = add_channel(app, world.acme.id)
    auth.login()
    path = page.format(order=order, channel=channel)
    response = client.post("/account", data={"account_id": world.globex.id, "next": path})
    assert response.status_code == 302
    assert response.headers["Location"] == lands_on
    landed = client.get(lands_on)
    assert landed.status_code == 200
    if names:
        note = (
            "Switched to Globex. The page you were on belongs to Acme, "
            f"so here are Globex's {names}."
        )
        assert note in unescape(landed.get_data(as_text=True))


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "/no/such/page"])
def test_a_switch_never_leaves_the_site_nor_lands_on_a_missing_page(
    client, auth, world, two_accounts, target
):
    auth.login()
    response = client.post("/account", data={"account_id": world.globex.id, "next": target})
    assert response.headers["Location"] == "/"


def test_the_channels_list_offers_to_continue_a_wizard_in_progress(app, logged_in, world):
    with app.app_context():
        admin = db.session.scalar(db.select(User).where(User.email == "admin@acme.test"))
        ws = WizardSession(
            state="s" * 43, user_id=admin.id, step="name", site_name="Second Shop",
            instance_id="inst-9", expires_at=utcnow().replace(year=2100),
        )  # fmt: skip
        db.session.add(ws)
        db.session.commit()
        ws_id = ws.id
    page = logged_in.get("/channels/").get_data(as_text=True)
    assert "You started connecting Second Shop." in page
    assert f'href="/wizard/{"s" * 43}">Continue setting up Second Shop</a>' in page
    with app.app_context():
        db.session.get(WizardSession, ws_id).completed_at = utcnow()
        db.session.commit()
    assert "Continue setting up" not in logged_in.get("/channels/").get_data(as_text=True)


def test_a_poll_in_flight_during_an_account_switch_does_not_undo_it(
    app, client, auth, world, two_accounts
):
    """The Orders list asks every second. A request sent before the switch and answered after
    it must not re-send the old session cookie, or the merchant lands back in the old account."""
    auth.login()
    assert client.get("/orders/").status_code == 200
    before = client.get_cookie("wixoms_session").value  # what an in-flight poll carries
    assert client.post("/account", data={"account_id": world.globex.id}).status_code == 302
    switched = client.get_cookie("wixoms_session").value
    client.set_cookie("wixoms_session", before)
    poll = client.get("/orders/?new_after=0", headers={"HX-Request": "true"})
    assert poll.status_code in (200, 204)
    assert poll.headers.getlist("Set-Cookie") == []  # the browser keeps the switched cookie
    client.set_cookie("wixoms_session", switched)
    page = unescape(client.get("/orders/").get_data(as_text=True))
    assert f"selected>{world.globex.name}</option>" in page

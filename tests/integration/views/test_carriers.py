"""Carriers: list, create, edit, the Wix provider code and tracking templates, roles."""

from html import unescape

import pytest

from tests.integration.views.builders import add_carrier
from wixoms.extensions import db
from wixoms.models import Carrier
from wixoms.views import carriers as carriers_view


def carriers(app) -> list[tuple[str, str, str]]:
    with app.app_context():
        rows = db.session.scalars(db.select(Carrier).order_by(Carrier.id))
        return [(c.name, c.code, c.tracking_url_template) for c in rows]


def test_admin_adds_a_carrier_wix_knows_without_a_template(app, logged_in, world):
    response = logged_in.post("/carriers/new", data={"name": "UPS", "code": "ups"})
    assert response.status_code == 302
    assert carriers(app) == [("UPS", "ups", "")]
    page = logged_in.get("/carriers/").get_data(as_text=True)
    assert "built by Wix" in page


def test_admin_adds_a_custom_carrier_with_a_template_and_edits_it(app, logged_in, world):
    template = "https://track.example.com/?n={tracking}"
    response = logged_in.post(
        "/carriers/new",
        data={"name": "Local courier", "code": "local", "tracking_url_template": template},
    )
    assert response.status_code == 302
    with app.app_context():
        cid = db.session.scalar(db.select(Carrier.id))
    response = logged_in.post(
        f"/carriers/{cid}/edit",
        data={"name": "City courier", "code": "local", "tracking_url_template": template},
    )
    assert response.status_code == 302
    assert carriers(app) == [("City courier", "local", template)]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"name": "", "code": "ups"}, "Enter the carrier name, like UPS."),
        ({"name": "n" * 81, "code": "ups"}, "A name has at most 80 characters."),
        ({"name": "X", "code": ""}, "Enter the Wix code, like ups."),
        ({"name": "X", "code": "c" * 41}, "A code has at most 40 characters."),
        ({"name": "X", "code": "u p s"}, "A code has only letters, digits, dots, dashes and _."),
        (
            {"name": "X", "code": "courier"},
            "Wix builds tracking links only for ups, usps, fedex, dhl; "
            "for other carriers give a template with {tracking}.",
        ),
        (
            {"name": "X", "code": "ups", "tracking_url_template": "track.example.com/{tracking}"},
            "Start the template with https:// or http://.",
        ),
        (
            {"name": "X", "code": "ups", "tracking_url_template": "https://t.example.com/"},
            "Put {tracking} where the tracking number goes",
        ),
        (
            {"name": "X", "code": "ups", "tracking_url_template": "https://" + "t" * 250},
            "A tracking URL template has at most 255 characters.",
        ),
        ({"name": "ups", "code": "ups"}, "A carrier named ups already exists."),
    ],
)
def test_carrier_form_rejects_bad_input_with_a_message(app, logged_in, world, data, message):
    add_carrier(app, world.acme.id, "UPS", "ups")
    response = logged_in.post("/carriers/new", data={"tracking_url_template": "", **data})
    assert response.status_code == 422
    assert message in unescape(response.get_data(as_text=True))
    assert carriers(app) == [("UPS", "ups", "")]


def test_renaming_to_another_carriers_name_is_refused(app, logged_in, world):
    add_carrier(app, world.acme.id, "UPS", "ups")
    cid = add_carrier(app, world.acme.id, "FedEx", "fedex")
    response = logged_in.post(f"/carriers/{cid}/edit", data={"name": "UPS", "code": "fedex"})
    assert response.status_code == 422
    assert "A carrier named UPS already exists." in response.get_data(as_text=True)


def test_a_duplicate_that_slips_past_the_check_is_a_form_error(app, logged_in, world, monkeypatch):
    add_carrier(app, world.acme.id, "UPS", "ups")
    monkeypatch.setattr(carriers_view, "_unique", lambda form, own_id: True)  # the race
    response = logged_in.post("/carriers/new", data={"name": "UPS", "code": "ups"})
    assert response.status_code == 422
    assert "A carrier named UPS already exists." in response.get_data(as_text=True)
    assert carriers(app) == [("UPS", "ups", "")]


def test_operator_sees_carriers_without_edit_controls(app, client, auth, world):
    add_carrier(app, world.acme.id, "UPS", "ups")
    auth.login("op@acme.test")
    page = client.get("/carriers/")
    assert b"UPS" in page.data
    assert b"New carrier" not in page.data and b"/edit" not in page.data


@pytest.mark.parametrize("path", ["/carriers/new", "/carriers/{id}/edit"])
def test_operator_cannot_create_or_edit_carriers(app, client, auth, world, path):
    cid = add_carrier(app, world.acme.id, "UPS", "ups")
    auth.login("op@acme.test")
    url = path.format(id=cid)
    assert client.get(url).status_code == 403
    assert client.post(url, data={"name": "DHL", "code": "dhl"}).status_code == 403
    assert carriers(app) == [("UPS", "ups", "")]

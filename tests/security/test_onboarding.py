"""The onboarding attacks: a tenant must not bind a site that is not theirs, nor block one.

Each test is a reproduction of the attack from issue 15; the sandbox is the real Wix stand-in.
That the "site taken" page never names the other tenant is checked with the wizard's failures
(tests/integration/wizard/test_wizard_failures.py).
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlencode, urlsplit

import pytest

from tests.fixtures.wix import APP_ID
from tests.integration.wizard.conftest import make_env  # noqa: F401  (the fixture)
from tests.integration.wizard.wizard_kit import Visitor, confirmation_fields, failure_code
from wixoms.extensions import db
from wixoms.models import WizardSession


def _wizards(env) -> list[WizardSession]:
    with env.app.app_context():
        rows = list(db.session.scalars(db.select(WizardSession)))
        db.session.expunge_all()
        return rows


def _market_link(env, site: dict) -> str:
    """What the attacker mails: Wix's App Market redirect for *their* install, signed by Wix."""
    installed = env.sandbox.install(APP_ID, site["id"])
    query = {
        "appId": APP_ID,
        "tenantId": site["id"],
        "instanceId": installed["instanceId"],
        "instance": installed["instance"],
    }
    return f"{env.url}/wizard/callback?{urlencode(query)}"


@pytest.fixture
def oauth(make_env):  # noqa: F811
    return make_env("oauth")


@pytest.fixture
def acme(oauth) -> Visitor:
    v = Visitor(oauth)
    v.login()
    return v


def test_opening_a_callback_link_without_state_creates_nothing(oauth, acme):
    link = _market_link(oauth, oauth.sites["second"])
    page = acme.follow(acme.get(link))
    assert page.status_code == 200
    assert "Connect a Wix site?" in page.text
    assert _wizards(oauth) == [] and oauth.channels() == []


def test_a_link_binding_needs_a_confirmation_naming_the_site_and_the_account(oauth, acme, world):
    link = _market_link(oauth, oauth.sites["second"])
    page = acme.follow(acme.get(link))
    page = acme.follow(acme.post("/wizard/callback", data=_form_of(page)))
    assert "Second Shop" in page.text and "Acme" in page.text
    assert "Connect this site" in page.text
    # Nothing goes on without that confirmation: the next step is refused.
    refused = acme.follow(acme.step(page, "version", data={"action": "continue"}))
    assert "Connect this site" in refused.text
    [ws] = _wizards(oauth)
    assert ws.step == "version" and ws.confirmed_at is None and ws.account_id is None
    # Confirming without the form's token is refused too (CSRF).
    assert acme.post(f"/wizard/{ws.state}/trust", csrf=False).status_code == 400
    page = acme.step(page, "trust", data={"account_id": world.acme.id})
    assert "Catalog v1" in page.text
    assert _wizards(oauth)[0].confirmed_at is not None


def test_add_wix_channel_never_resumes_a_wizard_begun_by_a_link(oauth, acme):
    link = _market_link(oauth, oauth.sites["second"])
    page = acme.follow(acme.get(link))
    acme.follow(acme.post("/wizard/callback", data=_form_of(page)))
    start = acme.get("/wizard/")
    assert start.status_code == 200 and "Second Shop" not in start.text
    assert "Connect Wix" in start.text


def test_a_signed_instance_is_accepted_once(oauth, acme, world):
    link = _market_link(oauth, oauth.sites["second"])
    page = acme.follow(acme.get(link))
    form = _form_of(page)
    acme.follow(acme.post("/wizard/callback", data=form))
    globex = Visitor(oauth)
    globex.login("boss@globex.test")
    again = globex.follow(globex.get(link))
    replay = globex.follow(globex.post("/wizard/callback", data=_form_of(again)))
    assert replay.status_code == 409 and failure_code(replay) == "instance_used"
    assert "already used" in replay.text
    assert [ws.user_id for ws in _wizards(oauth) if ws.instance_id] == [world.admin.id]


def test_app_url_get_creates_nothing_and_asks_first(make_env):  # noqa: F811
    legacy = make_env("legacy")
    visitor = Visitor(legacy)
    visitor.login()
    page = visitor.get("/wizard/app-url?token=attackers-install-token")
    assert page.status_code == 200 and "Continue to Wix" in page.text
    assert _wizards(legacy) == []


def test_the_site_id_field_cannot_give_a_site_away(oauth, acme, world):
    """Saving another tenant's site id used to block their install with site_taken."""
    page = acme.connect(oauth.sites["first"])
    page = acme.step(page, "version", data={"action": "continue"})
    page = acme.step(page, "account", data={"account_id": world.acme.id})
    acme.step(page, "name", data={"name": "Acme Wix"})
    [channel] = oauth.channels()
    victim_site = oauth.sites["second"]["id"]
    html = acme.get(f"/channels/{channel.id}?tab=channel").text
    assert 'name="site_id"' not in html or "readonly" in html.split('name="site_id"')[1][:200]
    acme.post(f"/channels/{channel.id}", data={"site_id": victim_site, "name": "Acme Wix"})
    assert oauth.channels()[0].site_id == oauth.sites["first"]["id"]
    globex = Visitor(oauth)
    globex.login("boss@globex.test")
    page = globex.connect(oauth.sites["second"])
    assert failure_code(page) is None and "Catalog v1" in page.text


def test_an_install_flow_callback_cannot_name_a_site_another_user_installed(oauth, acme):
    """The install flow's redirect carries no signature (wix-api.md §10): its ids are claims.
    Ids of a site that another user just installed through their wizard are not a proof."""
    victim = Visitor(oauth)
    victim.login("boss@globex.test")
    victim.connect(oauth.sites["first"])  # installed, bound to their wizard, not saved yet
    other = oauth.installation(oauth.sites["first"])
    own = acme.through_wix(acme.post("/wizard/connect"), oauth.sites["second"])
    state = state_of_link(own.headers["Location"])
    forged = f"{oauth.url}/wizard/callback?" + urlencode(
        {
            "state": state,
            "appId": APP_ID,
            "tenantId": other["siteId"],
            "instanceId": other["instanceId"],
        }  # fmt: skip
    )
    page = acme.follow(acme.get(forged))
    assert failure_code(page) == "unverified"
    mine = [ws for ws in _wizards(oauth) if ws.state == state]
    assert mine[0].instance_id == "" and mine[0].access_token is None


def state_of_link(url: str) -> str:
    return parse_qs(urlsplit(url).query)["state"][0]


def _form_of(page) -> dict:
    """The hidden fields of the confirmation form on ``page`` (it must have some)."""
    fields = confirmation_fields(page)
    assert fields, page.text[:2000]
    return fields

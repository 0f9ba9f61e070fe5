"""Every failure of the Connect step has its own page state with a way forward (both flows)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from datetime import timedelta
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

import pytest

from tests.fixtures.wix import APP_ID
from tests.integration.wizard.wizard_kit import (
    Visitor,
    confirmation_fields,
    failure_code,
    state_of,
)
from wixoms.extensions import db
from wixoms.models import Channel, WizardSession
from wixoms.models._base import utcnow


def _replace_query(url: str, **changes: str | None) -> str:
    parts = urlsplit(url)
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    for key, value in changes.items():
        if value is None:
            query.pop(key, None)
        else:
            query[key] = value
    return urlunsplit(parts._replace(query=urlencode(query)))


def _callback(visitor: Visitor, site: dict) -> str:
    """Go through Wix for ``site`` and return Wix's redirect back to wixoms, not yet followed."""
    back = visitor.through_wix(visitor.post("/wizard/connect"), site)
    url = back.headers["Location"]
    assert urlsplit(url).path == "/wizard/callback"
    return url


def test_cancelling_in_wix_shows_you_cancelled_with_try_again(env, visitor):
    page = visitor.connect(env.sites["first"], decision="cancel")
    assert failure_code(page) == "cancelled"
    assert "You cancelled in Wix" in page.text
    assert 'action="/wizard/connect"' in page.text and "Try again" in page.text
    assert failure_code(visitor.get(page.url)) == "cancelled"  # reload shows the same state
    again = visitor.post("/wizard/connect")
    assert again.headers["Location"].startswith(env.sandbox_url + "/installer/install")
    assert env.channels() == []


@pytest.mark.parametrize("state", ["forged-state-value-that-is-long", ""])
def test_callback_with_an_unknown_or_missing_state_is_refused(env, visitor, state):
    back = _callback(visitor, env.sites["first"])
    page = visitor.get(_replace_query(back, state=state or None, instance=None))
    assert page.status_code == 400
    assert failure_code(page) == "state_mismatch"
    assert "Start again" in page.text
    assert env.channels() == []


def test_callback_with_another_users_state_is_refused(env, visitor):
    back = _callback(visitor, env.sites["first"])
    intruder = Visitor(env)
    intruder.login("boss@globex.test")
    page = intruder.get(back)
    assert page.status_code == 400 and failure_code(page) == "state_mismatch"
    assert env.wizard(parse_qs(urlsplit(back).query)["state"][0]).instance_id == ""


def test_replayed_callback_is_refused_as_already_used(env, visitor):
    back = _callback(visitor, env.sites["first"])
    first = visitor.follow(visitor.get(back))
    assert "Catalog v3" in first.text
    replay = visitor.get(back)
    assert replay.status_code == 409 and failure_code(replay) == "state_used"
    assert "Continue my wizard" in replay.text
    assert "Catalog v3" in visitor.get(first.url).text  # the wizard itself is unharmed


def test_expired_wizard_shows_a_friendly_page_with_start_again(env, visitor):
    page = visitor.connect(env.sites["first"])
    state = state_of(page)
    with env.app.app_context():
        ws = db.session.scalar(db.select(WizardSession).where(WizardSession.state == state))
        ws.expires_at = utcnow() - timedelta(seconds=1)
        db.session.commit()
    expired = visitor.get(f"/wizard/{state}")
    assert expired.status_code == 410 and failure_code(expired) == "expired"
    assert "Start again" in expired.text and 'href="/wizard/"' in expired.text
    late = visitor.post(f"/wizard/{state}/version", data={"action": "continue"})
    assert failure_code(late) == "expired"
    partial = visitor.post(
        f"/wizard/{state}/version", data={"action": "continue"}, headers={"HX-Request": "true"}
    )
    assert partial.status_code == 200 and failure_code(partial) == "expired"  # htmx swaps it
    fresh = visitor.get("/wizard/")
    assert fresh.status_code == 200 and "Continue to Wix" in fresh.text


def test_callback_arriving_after_the_wizard_expired_is_refused(make_env):
    env = make_env("oauth", WIZARD_TTL_MINUTES=0)
    visitor = Visitor(env)
    visitor.login()
    page = visitor.follow(visitor.get(_callback(visitor, env.sites["first"])))
    assert page.status_code == 410 and failure_code(page) == "expired"


def test_legacy_code_used_twice_is_refused(make_env):
    env = make_env("legacy")
    visitor = Visitor(env)
    visitor.login()
    used = _callback(visitor, env.sites["first"])
    assert "Catalog v3" in visitor.follow(visitor.get(used)).text
    fresh_state = parse_qs(urlsplit(visitor.post("/wizard/connect").headers["Location"]).query)[
        "state"
    ][0]
    page = visitor.follow(visitor.get(_replace_query(used, state=fresh_state)))
    assert failure_code(page) == "code_invalid"
    assert "already used, or is more than 10 minutes old" in page.text
    assert "Connect again" in page.text


def test_legacy_code_older_than_ten_minutes_is_refused(make_env):
    env = make_env("legacy")
    visitor = Visitor(env)
    visitor.login()
    back = _callback(visitor, env.sites["first"])
    env.sandbox.advance_clock(601)
    page = visitor.follow(visitor.get(back))
    assert failure_code(page) == "code_invalid"
    assert env.wizard(state_of(page)).access_token is None


def test_forged_legacy_callback_with_another_sites_instance_id_is_refused(make_env):
    env = make_env("legacy")
    other = env.sandbox.install(APP_ID, env.sites["first"]["id"])  # someone else's install
    visitor = Visitor(env)
    visitor.login()
    back = _callback(visitor, env.sites["second"])  # a real code, for the second site
    page = visitor.follow(visitor.get(_replace_query(back, instanceId=other["instanceId"])))
    assert page.status_code == 400 and failure_code(page) == "unverified"
    assert "different site" in page.text
    ws = env.wizard(state_of(page))
    assert ws.instance_id == "" and ws.access_token is None and ws.refresh_token is None
    assert env.channels() == []


def _sign(payload: dict, secret: str) -> str:
    b64 = base64.urlsafe_b64encode(json.dumps(payload).encode()).decode().rstrip("=")
    sig = hmac.new(secret.encode(), b64.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(sig).decode().rstrip("=") + "." + b64


def _payload(back: str) -> dict:
    signed = parse_qs(urlsplit(back).query)["instance"][0]
    return json.loads(base64.urlsafe_b64decode(signed.split(".")[1] + "=="))


FORGERIES = {
    # name: (build forged URL from (back, other install, app secret), expected failure)
    "genuine signature, another site's instance id in the URL": (
        lambda back, other, _: _replace_query(back, instanceId=other["instanceId"]),
        "unverified",
    ),
    "bare instance id without signature": (
        lambda back, other, _: _replace_query(back, instanceId=other["instanceId"], instance=None),
        "unverified",
    ),
    "instance re-signed with a guessed secret": (
        lambda back, other, _: _replace_query(
            back,
            instanceId=other["instanceId"],
            instance=_sign({**_payload(back), "instanceId": other["instanceId"]}, "guess"),
        ),
        "unverified",
    ),
    "stale signature (signed an hour ago)": (
        lambda back, other, secret: _replace_query(
            back, instance=_sign({**_payload(back), "signDate": "2020-01-01T00:00:00Z"}, secret)
        ),
        "unverified",
    ),
    "tenant id of another site": (
        lambda back, other, _: _replace_query(back, tenantId=other["siteId"]),
        "unverified",
    ),
    "no state, tampered signature (as if from the App Market)": (
        lambda back, other, _: _replace_query(
            back, state=None, instanceId=other["instanceId"], instance=other["instance"][3:]
        ),
        "unverified",
    ),
    "no state and no signature": (
        lambda back, other, _: _replace_query(
            back, state=None, instanceId=other["instanceId"], instance=None
        ),
        "state_mismatch",
    ),
}


@pytest.mark.parametrize("forgery", list(FORGERIES))
def test_forged_oauth_callback_is_refused(make_env, wix_app_secret, forgery):
    env = make_env("oauth")
    # Wix documents no signed instance on this redirect (wix-api.md §10); where one comes
    # (App Market, dashboard) it is extra proof, and forging it must fail too.
    env.sandbox.config(post_install_signed_instance=True)
    other = env.sandbox.install(APP_ID, env.sites["first"]["id"])  # someone else's install
    visitor = Visitor(env)
    visitor.login()
    back = _callback(visitor, env.sites["second"])
    build, expected = FORGERIES[forgery]
    page = visitor.follow(visitor.get(build(back, other, wix_app_secret)))
    if "Connect a Wix site?" in page.text:  # no state: checked when the merchant goes on
        page = visitor.follow(visitor.post("/wizard/callback", data=confirmation_fields(page)))
    assert page.status_code == 400 and failure_code(page) == expected
    assert env.channels() == []
    with env.app.app_context():
        bound = db.session.scalars(
            db.select(WizardSession).where(WizardSession.instance_id != "")
        ).all()
        tokens = db.session.scalars(
            db.select(WizardSession).where(WizardSession.access_token.is_not(None))
        ).all()
    assert bound == [] and tokens == []


def test_wix_5xx_at_callback_offers_a_retry_that_continues(make_env):
    env = make_env("oauth")
    visitor = Visitor(env)
    visitor.login()
    back = _callback(visitor, env.sites["first"])
    env.sandbox.burst("/apps/v1/instance", 503, 2)
    page = visitor.follow(visitor.get(back))
    assert page.status_code == 503 and failure_code(page) == "wix_unavailable"
    assert "Wix didn't answer" in page.text and "HTTP 503" in page.text
    assert f"/wizard/{state_of(page)}/retry" in page.text
    resumed = visitor.step(page, "retry")
    assert "Catalog v3" in resumed.text and "First Shop" in resumed.text


def test_legacy_wix_5xx_on_code_exchange_sends_back_to_wix(make_env):
    env = make_env("legacy")
    visitor = Visitor(env)
    visitor.login()
    back = _callback(visitor, env.sites["first"])
    env.sandbox.burst("/oauth/access", 500, 1)
    page = visitor.follow(visitor.get(back))
    assert failure_code(page) == "wix_unavailable"
    assert "/retry" not in page.text and 'action="/wizard/connect"' in page.text
    page = visitor.connect(env.sites["first"])
    assert "Catalog v3" in page.text


def test_wix_timeout_at_callback_offers_a_retry(make_env, flow):
    env = make_env(flow, WIZARD_WIX_TIMEOUT_S=0.3)
    visitor = Visitor(env)
    visitor.login()
    back = _callback(visitor, env.sites["first"])
    env.sandbox.set_faults(latency_ms=800)
    page = visitor.follow(visitor.get(back))
    env.sandbox.clear_faults()
    assert failure_code(page) == "wix_unavailable"
    assert "could not be reached" in page.text
    assert "Try again" in page.text


def test_site_connected_to_another_account_is_refused_and_names_it(env, world):
    first = env.sites["first"]
    installed = env.sandbox.install(APP_ID, first["id"])
    with env.app.app_context():
        db.session.add(
            Channel(
                account_id=world.acme.id,
                name="Acme Wix",
                instance_id=installed["instanceId"],
                site_id=first["id"],
            )
        )
        db.session.commit()
    globex = Visitor(env)
    globex.login("boss@globex.test")
    page = globex.connect(first)
    assert page.status_code == 409 and failure_code(page) == "site_taken"
    assert "connected to another wixoms account" in page.text and "Acme" not in page.text
    assert "Choose another site" in page.text and "/channels/" not in page.text.split("Choose")[1]
    assert len(env.channels()) == 1

    acme = Visitor(env)
    acme.login()
    page = acme.connect(first)
    assert failure_code(page) == "site_taken" and "Open Acme Wix" in page.text
    assert "connected to the account <strong>Acme</strong>" in page.text  # a member may know

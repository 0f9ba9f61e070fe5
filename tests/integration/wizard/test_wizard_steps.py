"""The steps after Connect: catalog version, account, name and logo, Save and its races."""

from __future__ import annotations

from tests.fixtures.app import make_user
from tests.integration.wizard.wizard_kit import JPEG, PNG, Visitor, failure_code, state_of
from wixoms.extensions import db
from wixoms.models import Account, Channel, Membership


def test_stores_not_installed_stops_with_guidance_and_check_again(make_env, world):
    env = make_env("oauth")
    bare = env.sandbox.create_site("Blog Only", "STORES_NOT_INSTALLED")
    visitor = Visitor(env)
    visitor.login()
    page = visitor.connect(bare)
    assert "Wix Stores is not installed" in page.text
    assert "App Market" in page.text and "Check again" in page.text
    blocked = visitor.step(page, "version", data={"action": "continue"})
    assert 'type="radio" name="account_id"' not in blocked.text and "not installed" in blocked.text

    still = visitor.step(page, "version", data={"action": "check"})
    assert "Wix Stores is not installed" in still.text
    env.store.sites[bare["id"]].catalog_version = "V3_CATALOG"  # the merchant added Wix Stores
    checked = visitor.step(page, "version", data={"action": "check"})
    assert "Catalog v3" in checked.text
    assert (
        'type="radio" name="account_id"'
        in visitor.step(page, "version", data={"action": "continue"}).text
    )


def test_catalog_version_check_failure_shows_try_again(env, visitor):
    env.sandbox.burst("/stores/v3/provision/version", 503, 2)
    page = visitor.connect(env.sites["first"])
    assert "could not check the catalog version" in page.text and "Try again" in page.text
    assert "Catalog v3" in visitor.step(page, "version", data={"action": "check"}).text


def test_account_step_lists_admin_accounts_and_disables_one_with_a_channel(env, world):
    with env.app.app_context():
        extra = Account(name="Zeta")
        db.session.add(extra)
        db.session.flush()
        admin = db.session.get(type(world.admin), world.admin.id)
        db.session.add(Membership(user=admin, account=extra, role="admin"))
        db.session.add(Channel(account_id=world.acme.id, name="Acme Wix", instance_id="i-acme"))
        db.session.commit()
        zeta_id, acme_channel = extra.id, db.session.scalar(db.select(Channel.id))
    visitor = Visitor(env)
    visitor.login()
    page = visitor.connect(env.sites["first"])
    page = visitor.step(page, "version", data={"action": "continue"})
    assert f'value="{world.acme.id}"\n               disabled' in page.text
    assert "Already has a Wix channel" in page.text and "Acme Wix" in page.text
    assert f'href="/channels/{acme_channel}"' in page.text
    assert "Globex" not in page.text  # not a member

    refused = visitor.post(f"/wizard/{state_of(page)}/account", data={"account_id": world.acme.id})
    assert refused.status_code == 422 and "one Wix channel only" in refused.text
    page = visitor.step(page, "account", data={"account_id": zeta_id})
    visitor.step(page, "name", data={"name": "Zeta Wix"})
    assert {c.account_id for c in env.channels()} == {world.acme.id, zeta_id}


def test_operators_cannot_start_the_wizard(env, world):
    visitor = Visitor(env)
    visitor.login("op@acme.test")
    page = visitor.get("/wizard/")
    assert "Only an admin" in page.text and "Continue to Wix" not in page.text
    assert visitor.post("/wizard/connect").status_code == 403


def test_account_gaining_a_channel_meanwhile_loses_the_race_with_a_message(env, visitor, world):
    page = visitor.to_name_step(env.sites["first"], world.acme.id)
    with env.app.app_context():  # another admin saves a channel for Acme in the meantime
        db.session.add(Channel(account_id=world.acme.id, name="Theirs", instance_id="i-other"))
        db.session.commit()
    saved = visitor.post(f"/wizard/{state_of(page)}/name", data={"name": "Mine"})
    assert saved.status_code == 409
    assert "Acme got a Wix channel meanwhile" in saved.text
    assert 'type="radio" name="account_id"' in saved.text  # back on the account step
    assert [c.name for c in env.channels()] == ["Theirs"]
    assert env.wizard(state_of(page)).completed_at is None  # the wizard can still finish


def test_site_connected_meanwhile_by_another_account_is_refused_at_save(env, visitor, world):
    page = visitor.to_name_step(env.sites["first"], world.acme.id)
    ws = env.wizard(state_of(page))
    with env.app.app_context():
        db.session.add(Channel(account_id=world.globex.id, name="G", instance_id=ws.instance_id))
        db.session.commit()
    saved = visitor.follow(visitor.post(f"/wizard/{state_of(page)}/name", data={"name": "Mine"}))
    assert failure_code(saved) == "site_taken" and "another wixoms account" in saved.text
    assert "Globex" not in saved.text  # never another tenant's name
    assert [c.name for c in env.channels()] == ["G"]


def test_name_is_required_trimmed_and_length_limited(env, visitor, world):
    page = visitor.to_name_step(env.sites["first"], world.acme.id)
    url = f"/wizard/{state_of(page)}/name"
    empty = visitor.post(url, data={"name": "   "})
    assert empty.status_code == 422 and "Enter a name for the channel" in empty.text
    long = visitor.post(url, data={"name": "x" * 81})
    assert long.status_code == 422 and "at most 80 characters" in long.text
    assert 'value="' + "x" * 81 in long.text  # what was typed stays
    visitor.follow(visitor.post(url, data={"name": "  Wix \t UK  "}))
    assert [c.name for c in env.channels()] == ["Wix UK"]


def test_logo_must_be_png_or_jpeg_by_content_and_small(make_env, world):
    env = make_env("oauth", LOGO_MAX_BYTES=1024)
    visitor = Visitor(env)
    visitor.login()
    page = visitor.to_name_step(env.sites["first"], world.acme.id)
    url = f"/wizard/{state_of(page)}/name"
    svg = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
    cases = {
        "logo.svg": (svg, "image/svg+xml", "must be a PNG or JPEG"),
        "logo.png": (b"GIF89a" + b"\x00" * 10, "image/png", "must be a PNG or JPEG"),
        "big.png": (PNG + b"\x00" * 2048, "image/png", "the limit is 1 KB"),
    }
    for name, (data, mime, message) in cases.items():
        refused = visitor.post(url, data={"name": "Shop"}, files={"logo": (name, data, mime)})
        assert refused.status_code == 422 and message in refused.text, name
        assert 'value="Shop"' in refused.text
    assert env.channels() == []
    visitor.post(url, data={"name": "Shop"}, files={"logo": ("photo.jpg", JPEG, "image/jpeg")})
    [channel] = env.channels()
    assert channel.logo == JPEG and channel.logo_mime == "image/jpeg"


def test_upload_over_the_request_limit_gets_a_message_not_an_error_page(make_env, world):
    env = make_env("oauth", MAX_CONTENT_LENGTH=4096)
    visitor = Visitor(env)
    visitor.login()
    page = visitor.to_name_step(env.sites["first"], world.acme.id)
    big = visitor.post(
        f"/wizard/{state_of(page)}/name",
        data={"name": "Shop"},
        files={"logo": ("huge.png", PNG + b"\x00" * 8192, "image/png")},
        headers={"HX-Request": "true"},
    )
    assert big.status_code == 422 and "upload is too large" in big.text
    assert env.channels() == []


def test_save_lands_on_the_channel_page_of_the_chosen_account(env, world):
    with env.app.app_context():
        multi = make_user("multi@acme.test", db.session.get(Account, world.acme.id), "admin")
        db.session.add(Membership(user=multi, account_id=world.globex.id, role="admin"))
        db.session.commit()
    visitor = Visitor(env)
    visitor.login("multi@acme.test")  # current account: Acme (first by name)
    page = visitor.to_name_step(env.sites["first"], world.globex.id)
    done = visitor.step(page, "name", data={"name": "Globex Wix"})
    [channel] = env.channels()
    assert channel.account_id == world.globex.id
    assert done.url.endswith(f"/channels/{channel.id}")
    assert done.status_code == 200 and "Globex Wix" in done.text  # not another account's 404
    assert "is connected to Wix" in done.text

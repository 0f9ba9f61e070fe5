"""Happy paths of the wizard for both Wix auth flows, against the live sandbox."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from sqlalchemy import text

from tests.fixtures.wix import APP_ID
from tests.integration.wizard.wizard_kit import PNG, Visitor, confirmation_fields, state_of
from wixoms.extensions import db
from wixoms.models import Channel


def test_add_channel_from_wixoms_walks_every_step_and_saves_the_channel(env, visitor, world):
    second = env.sites["second"]
    page = visitor.get("/wizard/")
    assert page.status_code == 200 and "Continue to Wix" in page.text

    page = visitor.connect(second)
    assert urlsplit(page.url).path == f"/wizard/{state_of(page)}"
    assert "Catalog v1" in page.text and "Second Shop" in page.text  # version check is automatic

    page = visitor.step(page, "version", data={"action": "continue"})
    assert "Acme" in page.text and "Globex" not in page.text  # only accounts the user admins
    page = visitor.step(page, "account", data={"account_id": world.acme.id})
    assert 'value="Second Shop"' in page.text  # the name is prefilled with the site's
    done = visitor.step(
        page,
        "name",
        data={"name": "  Wix   Store UK "},
        files={"logo": ("logo.png", PNG, "image/png")},
    )
    assert done.status_code == 200
    assert "is connected to Wix" in done.text

    [channel] = env.channels()
    installed = env.installation(second)
    assert channel.account_id == world.acme.id
    assert channel.name == "Wix Store UK"
    assert channel.instance_id == installed["instanceId"]
    assert channel.site_id == second["id"] and channel.site_name == "Second Shop"
    assert channel.site_url == second["url"]
    assert channel.catalog_version == "v1"
    assert channel.auth_flow == env.flow
    assert channel.api_url == env.sandbox_url
    assert channel.logo == PNG and channel.logo_mime == "image/png"
    assert channel.access_token and (channel.refresh_token is not None) == (env.flow == "legacy")
    assert channel.order_statuses == ["APPROVED"] and channel.is_active is False  # defaults
    with env.app.app_context():
        raw = db.session.execute(
            text("SELECT access_token FROM channels WHERE id = :id"), {"id": channel.id}
        ).scalar_one()
    assert channel.access_token not in raw  # stored encrypted


def test_installer_link_carries_state_and_return_url_for_the_configured_flow(env, visitor):
    start = visitor.post("/wizard/connect")
    query = parse_qs(urlsplit(start.headers["Location"]).query)
    assert query["appId"] == [APP_ID]
    if env.flow == "legacy":
        assert query["redirectUrl"] == [f"{env.url}/wizard/callback"]
        assert query["state"][0]
    else:
        inner = parse_qs(urlsplit(query["postInstallationUrl"][0]).query)
        assert query["postInstallationUrl"][0].startswith(f"{env.url}/wizard/callback?")
        assert inner["state"][0]


def test_arriving_from_the_app_market_logged_out_logs_in_then_continues(env, world):
    visitor = Visitor(env)  # not logged in
    market = visitor.get(f"{env.sandbox_url}/app-market/{APP_ID}")
    assert market.status_code == 200 and "Add to Site" in market.text
    into_wix = visitor.post(f"{env.sandbox_url}/app-market/{APP_ID}/add")
    back = visitor.through_wix(into_wix, env.sites["first"])
    page = visitor.follow(back)
    assert urlsplit(page.url).path == "/login"
    expected = "/wizard/app-url" if env.flow == "legacy" else "/wizard/callback"
    assert parse_qs(urlsplit(page.url).query)["next"][0].startswith(expected)

    page = visitor.follow(visitor.login_from(page))
    # A link from Wix creates nothing by itself: the merchant goes on, then names the site theirs.
    assert "Connect a Wix site?" in page.text
    action = "/wizard/app-url" if env.flow == "legacy" else "/wizard/callback"
    went_on = visitor.post(action, data=confirmation_fields(page))
    if env.flow == "legacy":  # on to Wix with the install token, which answers with a code
        went_on = visitor.get(went_on.headers["Location"])
    page = visitor.follow(went_on)
    assert "Connect this site?" in page.text and "First Shop" in page.text
    assert "App installed in Wix" in page.text and ">Connected<" not in page.text  # not yet
    page = visitor.step(page, "trust", data={"account_id": world.acme.id})
    assert "Catalog v3" in page.text and "First Shop" in page.text
    page = visitor.step(page, "version", data={"action": "continue"})
    page = visitor.step(page, "account", data={"account_id": world.acme.id})
    visitor.step(page, "name", data={"name": "Market"})
    [channel] = env.channels()
    assert channel.instance_id == env.installation(env.sites["first"])["instanceId"]
    assert channel.catalog_version == "v3"


def test_steps_are_htmx_partials_that_push_their_url(env, visitor, world):
    page = visitor.connect(env.sites["first"])
    state = state_of(page)
    partial = visitor.step(page, "version", htmx=True, data={"action": "continue"})
    assert partial.status_code == 200
    assert "<html" not in partial.text and 'type="radio" name="account_id"' in partial.text
    assert partial.headers["HX-Push-Url"] == f"/wizard/{state}?step=account"
    step = visitor.get(f"/wizard/{state}/step", headers={"HX-Request": "true"})
    assert "<html" not in step.text and 'type="radio" name="account_id"' in step.text

    bad = visitor.step(page, "account", htmx=True, data={"account_id": world.globex.id})
    assert bad.status_code == 422 and "Choose one of your accounts" in bad.text
    saved = visitor.step(page, "account", htmx=True, data={"account_id": world.acme.id})
    saved = visitor.step(page, "name", htmx=True, data={"name": "Shop"})
    assert saved.headers["HX-Redirect"].startswith("/channels")


def test_reload_back_and_a_second_tab_show_the_saved_state(env, visitor, world):
    page = visitor.connect(env.sites["first"])
    state = state_of(page)
    visitor.step(page, "version", data={"action": "continue"})
    visitor.step(page, "account", data={"account_id": world.acme.id})

    reloaded = visitor.get(f"/wizard/{state}")
    assert 'name="name"' in reloaded.text  # where we were
    back = visitor.get(f"/wizard/{state}?step=account")
    assert 'type="radio" name="account_id"' in back.text and "checked" in back.text
    resumed = visitor.follow(visitor.get("/wizard/"))
    assert urlsplit(resumed.url).path == f"/wizard/{state}"  # Add Wix channel resumes

    second_tab = Visitor(env)
    second_tab.http.cookies.update(visitor.http.cookies)
    assert 'name="name"' in second_tab.get(f"/wizard/{state}").text
    second_tab.step(reloaded, "name", data={"name": "From tab two"})
    late = visitor.step(reloaded, "name", data={"name": "From tab one"})
    assert late.status_code == 200
    assert [c.name for c in env.channels()] == ["From tab two"]  # one channel, not two


def test_a_step_not_reached_yet_shows_the_current_step(env, visitor, world):
    page = visitor.connect(env.sites["first"])
    early = visitor.step(page, "name", data={"name": "Too early"})
    assert "Catalog v3" in early.text and env.channels() == []
    assert "Catalog v3" in visitor.get(f"/wizard/{state_of(page)}?step=name").text


def test_reconnect_renews_the_tokens_of_the_existing_channel(env, visitor, world):
    first = env.sites["first"]
    page = visitor.connect(first)
    page = visitor.step(page, "version", data={"action": "continue"})
    page = visitor.step(page, "account", data={"account_id": world.acme.id})
    visitor.step(page, "name", data={"name": "Shop"})
    [before] = env.channels()
    env.sandbox.remove_app(before.instance_id)  # merchant removed the app; reinstall it

    start = visitor.get(f"/wizard/?reconnect={before.id}")
    assert "Re-authorize" in start.text and "Shop" in start.text
    page = visitor.connect(first, reconnect=before.id)
    assert "Confirm" in page.text and "Catalog v3" in page.text
    page = visitor.step(page, "version", data={"action": "continue"})
    assert "Save the new connection" in page.text
    done = visitor.step(page, "confirm")
    assert "reconnected" in done.text

    [after] = env.channels()
    assert after.id == before.id and after.name == "Shop"
    assert after.access_token != before.access_token
    assert after.instance_id == env.installation(first)["instanceId"]
    assert after.needs_reconnect is False


def test_reconnect_with_another_site_is_refused(env, visitor, world):
    page = visitor.connect(env.sites["first"])
    page = visitor.step(page, "version", data={"action": "continue"})
    page = visitor.step(page, "account", data={"account_id": world.acme.id})
    visitor.step(page, "name", data={"name": "Shop"})
    [channel] = env.channels()
    page = visitor.connect(env.sites["second"], reconnect=channel.id)
    assert "different Wix site" in page.text and "First Shop" in page.text
    assert env.channels()[0].instance_id == channel.instance_id


def test_reconnect_of_a_channel_of_another_account_is_not_found(env, visitor, world):
    with env.app.app_context():
        theirs = Channel(account_id=world.globex.id, name="Theirs", instance_id="x-1")
        db.session.add(theirs)
        db.session.commit()
        theirs_id = theirs.id
    assert visitor.get(f"/wizard/?reconnect={theirs_id}").status_code == 404
    assert visitor.post("/wizard/connect", data={"reconnect": theirs_id}).status_code == 404

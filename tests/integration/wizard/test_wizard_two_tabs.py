"""The wizard refuses a second tab's step: 409 "changed in another tab", the input kept."""

from __future__ import annotations

import re
from html import unescape

from tests.integration.wizard.wizard_kit import Visitor, state_of
from wixoms.extensions import db
from wixoms.models import Membership


def test_the_wizard_refuses_a_second_tabs_name_after_the_first_saved(make_env, world):
    env = make_env("oauth")
    visitor = Visitor(env)
    visitor.login()
    page = visitor.to_name_step(env.sites["first"], world.acme.id)
    revision = re.search(r'name="revision" value="(\d+)"', page.text).group(1)
    first = visitor.step(page, "name", data={"name": "Tab A store", "revision": revision})
    assert "/channels/" in first.url
    second = visitor.post(
        f"/wizard/{state_of(page)}/name", data={"name": "Tab B store", "revision": revision}
    )
    text = unescape(second.text)
    assert second.status_code == 409
    assert "Changed in another tab." in text and "Tab A store" in text
    assert 'value="Tab B store" readonly' in text  # the typed name is kept to copy
    assert [c.name for c in env.channels()] == ["Tab A store"]
    # The same Save twice (same name) is not a conflict: it just opens the channel.
    twice = visitor.post(
        f"/wizard/{state_of(page)}/name", data={"name": "Tab A store", "revision": revision}
    )
    assert twice.status_code == 303 and "/channels/" in twice.headers["Location"]


def test_the_wizard_refuses_a_stale_account_choice_and_keeps_it(make_env, world):
    env = make_env("oauth")
    with env.app.app_context():
        db.session.add(Membership(user_id=world.admin.id, account_id=world.globex.id, role="admin"))
        db.session.commit()
    visitor = Visitor(env)
    visitor.login()
    page = visitor.connect(env.sites["first"])
    page = visitor.step(page, "version", data={"action": "continue"})
    revision = re.search(r'name="revision" value="(\d+)"', page.text).group(1)
    state = state_of(page)
    assert visitor.step(page, "account", data={"account_id": world.acme.id, "revision": revision})
    stale = visitor.post(
        f"/wizard/{state}/account", data={"account_id": world.globex.id, "revision": revision}
    )
    assert stale.status_code == 409 and "Changed in another tab." in stale.text
    assert re.search(rf'value="{world.globex.id}"\s+checked', stale.text)  # tab B's pick kept
    assert env.wizard(state).account_id == world.acme.id

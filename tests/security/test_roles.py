"""Roles: operators view; only admins start what changes the Wix store."""

from __future__ import annotations

import pytest

from tests.security.conftest import login
from wixoms.extensions import db
from wixoms.models import SyncRun

HX = {"HX-Request": "true"}


@pytest.mark.parametrize("kind", ["all", "orders", "inventory", "products", "catalog_import",
                                  "fulfillments"])  # fmt: skip
def test_an_operator_cannot_start_any_sync(app, client, world, victim, kind):
    login(client, world.operator.email)
    channel_id = victim["values"]["channel_id"]
    response = client.post(f"/channels/{channel_id}/sync", data={"kind": kind})
    assert response.status_code == 403
    assert b"Only an admin of this account can start a sync." in response.data
    with app.app_context():
        assert db.session.scalar(db.select(SyncRun).where(SyncRun.state == "queued")) is None


def test_an_operator_sees_no_sync_menu(client, world, victim):
    login(client, world.operator.email)
    html = client.get(f"/channels/{victim['values']['channel_id']}").get_data(as_text=True)
    assert ">Product push</button>" not in html and ">All enabled</button>" not in html


@pytest.mark.parametrize("kind", ["inventory", "products"])
def test_a_push_switched_off_is_not_started_by_hand_either(app, client, world, victim, kind):
    """ "All enabled" leaves out the pushes that are off; picking one from the menu does too."""
    login(client, world.admin.email)
    channel_id = victim["values"]["channel_id"]
    response = client.post(f"/channels/{channel_id}/sync", data={"kind": kind}, headers=HX)
    assert response.status_code == 409
    assert "is switched off in Main settings" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(db.select(SyncRun).where(SyncRun.kind == kind)) is None

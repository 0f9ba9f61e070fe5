"""The channel page's permissions check against the sandbox, which enforces scopes per app.

Helm: "Orders not importing — confirm the correct permissions are granted". Each capability is
probed with a call that changes nothing; 403 PERMISSION_DENIED means the permission is missing.
"""

from __future__ import annotations

import pytest

from tests.fixtures.app import PASSWORD
from tests.fixtures.wix import APP_ID

HX = {"HX-Request": "true"}
APP = "SCOPE.DC.MANAGE-YOUR-APP"


@pytest.fixture
def logged_in(wix_app, world):
    """The admin of Acme on the app that knows the sandbox (its Api URL is allowed there)."""
    client = wix_app.test_client()
    assert (
        client.post("/login", data={"email": "admin@acme.test", "password": PASSWORD}).status_code
        == 302
    )
    return client


@pytest.fixture
def restrict(sandbox, wix_app_secret):
    def _restrict(permissions: list[str]) -> None:
        sandbox.register_app(app_id=APP_ID, app_secret=wix_app_secret, permissions=permissions)

    return _restrict


def _row(page: str, key: str) -> str:
    start = page.index(f'data-permission="{key}"')
    return page[start : page.index("</tr>", start)]


@pytest.mark.parametrize("catalog", ["v1", "v3"])
def test_all_granted_and_nothing_in_wix_changes(catalog, connected_channel, logged_in, sandbox):
    channel = connected_channel(catalog)
    sandbox.add_product(channel.site_id, name="Tee", price=20, sku="TEE", quantity=3)
    before = sandbox.snapshot()["digest"]
    page = logged_in.get(f"/channels/{channel.id}/permissions", headers=HX).get_data(as_text=True)
    assert "All granted" in page and "Missing" not in page
    assert sandbox.snapshot()["digest"] == before  # the probes wrote nothing


@pytest.mark.parametrize(
    ("catalog", "permissions", "missing"),
    [
        ("v3", [APP, "SCOPE.DC-STORES.READ-PRODUCTS", "SCOPE.DC-STORES.MANAGE-PRODUCTS"],
         {"read_orders", "manage_orders", "inventory"}),
        ("v1", [APP, "SCOPE.DC-ECOM.READ-ORDERS", "SCOPE.DC-STORES.READ-PRODUCTS"],
         {"manage_orders", "manage_products", "inventory"}),
        ("v3", [APP, "SCOPE.DC-STORES-MEGA.MANAGE-STORES"], set()),
    ],
)  # fmt: skip
def test_missing_permissions_are_named_with_how_to_add_them(
    catalog, permissions, missing, connected_channel, logged_in, restrict
):
    channel = connected_channel(catalog)
    restrict(permissions)
    page = logged_in.get(f"/channels/{channel.id}/permissions", headers=HX).get_data(as_text=True)
    for key in ("read_orders", "manage_orders", "read_products", "manage_products", "inventory"):
        expected = "Missing" if key in missing else "Granted"
        assert expected in _row(page, key), (key, _row(page, key))
    if missing:
        assert f"{len(missing)} permissions missing" in page
        assert "Ask whoever runs wixoms to add" in page  # the App Market app: not the merchant's
    else:
        assert "All granted" in page


def test_a_removed_app_says_reconnect_instead_of_guessing(connected_channel, logged_in, sandbox):
    channel = connected_channel()
    sandbox.remove_app(channel.instance_id)
    response = logged_in.get(f"/channels/{channel.id}/permissions", headers=HX)
    assert response.status_code == 200
    assert "Reconnect to Wix, then check again" in response.get_data(as_text=True)


def test_without_javascript_the_check_is_a_page_and_other_accounts_get_404(
    connected_channel, logged_in, world, wix_app
):
    channel = connected_channel()
    page = logged_in.get(f"/channels/{channel.id}/permissions")
    assert page.status_code == 200 and "Back to the channel" in page.get_data(as_text=True)
    logged_in.post("/logout")
    logged_in.post("/login", data={"email": "boss@globex.test", "password": PASSWORD})
    assert logged_in.get(f"/channels/{channel.id}/permissions").status_code == 404


def test_a_refused_api_url_is_said_and_nothing_is_sent(connected_channel, logged_in, wix_app):
    from wixoms.extensions import db
    from wixoms.models import Channel

    channel = connected_channel()
    with wix_app.app_context():
        db.session.get(Channel, channel.id).api_url = "https://evil.example"
        db.session.commit()
    response = logged_in.get(f"/channels/{channel.id}/permissions", headers=HX)
    assert response.status_code == 200
    assert "not a Wix address wixoms may call" in response.get_data(as_text=True)

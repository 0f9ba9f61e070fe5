"""Tokens per instance: renew before expiry and once after a 401, single-flight; instance and
catalog version lookups."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta

import pytest
import responses

from tests.unit.wix.conftest import BASE, fresh_credentials
from wixoms.wix import (
    CatalogV1,
    CatalogV3,
    CatalogVersion,
    Credentials,
    ReconnectRequired,
    WixAuthError,
    WixPreconditionFailed,
)

INSTANCE_URL = f"{BASE}/apps/v1/instance"
TOKEN_URL = f"{BASE}/oauth2/token"
INSTANCE_BODY = {
    "instance": {
        "instanceId": "inst-1",
        "appName": "wixoms",
        "appVersion": "1.0",
        "isFree": True,
        "billing": {},
    },
    "site": {
        "siteId": "site-1",
        "siteDisplayName": "Shop",
        "url": "https://shop.test",
        "ownerInfo": {"email": "owner@shop.test"},
        "installedWixApps": [],
    },
}


def auth(token: str):
    return [responses.matchers.header_matcher({"Authorization": token})]


def test_app_instance_is_read(mocked, make_client):
    mocked.get(INSTANCE_URL, json=INSTANCE_BODY, match=auth("tok-1"))
    inst = make_client().app_instance()
    assert (inst.instance_id, inst.site_id, inst.site_url) == (
        "inst-1",
        "site-1",
        "https://shop.test",
    )
    assert (inst.site_display_name, inst.owner_email, inst.app_name) == (
        "Shop",
        "owner@shop.test",
        "wixoms",
    )


def test_401_renews_the_token_once_and_repeats_the_call(mocked, make_client):
    persisted: list[Credentials] = []
    mocked.get(INSTANCE_URL, status=401, json={"message": "expired"}, match=auth("tok-1"))
    mocked.post(TOKEN_URL, json={"access_token": "tok-2", "expires_in": 14400})
    mocked.get(INSTANCE_URL, json=INSTANCE_BODY, match=auth("tok-2"))
    client = make_client(on_credentials=persisted.append)
    assert client.app_instance().instance_id == "inst-1"
    assert [c.access_token for c in persisted] == ["tok-2"]
    assert client.credentials.access_token == "tok-2"
    assert client.calls == 3


def test_second_401_is_not_retried_again(mocked, make_client):
    mocked.get(INSTANCE_URL, status=401)
    mocked.post(TOKEN_URL, json={"access_token": "tok-2", "expires_in": 14400})
    client = make_client()
    with pytest.raises(WixAuthError):
        client.app_instance()
    assert client.calls == 3


def test_expiring_token_is_renewed_before_the_call(mocked, make_client):
    mocked.post(TOKEN_URL, json={"access_token": "tok-2", "expires_in": 14400})
    mocked.get(INSTANCE_URL, json=INSTANCE_BODY, match=auth("tok-2"))
    client = make_client(credentials=fresh_credentials(minutes=0))
    client.app_instance()
    assert len(mocked.calls) == 2


def test_oauth_client_without_credentials_fetches_a_token(mocked, make_client):
    mocked.post(TOKEN_URL, json={"access_token": "tok-9", "expires_in": 14400})
    mocked.get(INSTANCE_URL, json=INSTANCE_BODY, match=auth("tok-9"))
    make_client(credentials=None).app_instance()


def test_legacy_client_refreshes_with_its_refresh_token(mocked, make_client, legacy_app):
    persisted: list[Credentials] = []
    mocked.post(
        f"{BASE}/oauth/access",
        json={"access_token": "acc-2", "refresh_token": "refresh-1"},
        match=[
            responses.matchers.json_params_matcher(
                {
                    "grant_type": "refresh_token",
                    "client_id": "app-1",
                    "client_secret": "s3cret",
                    "refresh_token": "refresh-1",
                }
            )
        ],
    )
    mocked.get(INSTANCE_URL, json=INSTANCE_BODY, match=auth("acc-2"))
    client = make_client(
        app=legacy_app, credentials=fresh_credentials(minutes=0), on_credentials=persisted.append
    )
    client.app_instance()
    new = persisted[0]
    assert new.refresh_token == "refresh-1"
    assert new.expires_at - datetime.now(UTC) <= timedelta(minutes=5)


def test_revoked_refresh_token_raises_reconnect_required(mocked, make_client, legacy_app):
    mocked.get(INSTANCE_URL, status=401)
    mocked.post(f"{BASE}/oauth/access", status=400, json={"error": "invalid_grant"})
    client = make_client(app=legacy_app)
    with pytest.raises(ReconnectRequired) as info:
        client.app_instance()
    assert "Reconnect" in info.value.user_message


def test_legacy_without_refresh_token_raises_reconnect_required(make_client, legacy_app):
    client = make_client(app=legacy_app, credentials=Credentials("x", None, datetime.now(UTC)))
    with pytest.raises(ReconnectRequired):
        client.app_instance()


def test_removed_app_refuses_client_credentials_with_reconnect(mocked, make_client):
    mocked.post(TOKEN_URL, status=400, json={"error": "invalid_client"})
    with pytest.raises(ReconnectRequired):
        make_client(credentials=None).app_instance()


def _slow_token(request):
    time.sleep(0.05)
    return (200, {}, '{"access_token": "tok-2", "expires_in": 14400}')


def test_concurrent_401s_renew_the_token_exactly_once(mocked, make_client):
    mocked.get(INSTANCE_URL, status=401, match=auth("tok-1"))
    mocked.add_callback(responses.POST, TOKEN_URL, callback=_slow_token)
    mocked.get(INSTANCE_URL, json=INSTANCE_BODY, match=auth("tok-2"))
    client = make_client()
    errors: list[Exception] = []

    def work():
        try:
            client.app_instance()
        except Exception as exc:  # noqa: BLE001 - collected for the assertion
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(8)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert errors == []
    assert sum(1 for c in mocked.calls if c.request.url == TOKEN_URL) == 1


def test_two_clients_of_one_instance_share_a_renewed_token(mocked, make_client):
    persisted: list[Credentials] = []
    mocked.add_callback(responses.POST, TOKEN_URL, callback=_slow_token)
    mocked.get(INSTANCE_URL, json=INSTANCE_BODY, match=auth("tok-2"))
    expired = fresh_credentials(minutes=0)
    clients = [make_client(credentials=expired, on_credentials=persisted.append) for _ in range(2)]
    threads = [threading.Thread(target=c.app_instance) for c in clients for _ in range(3)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert sum(1 for c in mocked.calls if c.request.url == TOKEN_URL) == 1
    assert len(persisted) == 1
    assert all(c.credentials.access_token == "tok-2" for c in clients)


def test_catalog_version_is_read_once_and_picks_the_gateway(mocked, make_client):
    mocked.get(f"{BASE}/stores/v3/provision/version", json={"catalogVersion": "V1_CATALOG"})
    client = make_client()
    assert client.catalog_version() is CatalogVersion.V1
    assert client.catalog_version() is CatalogVersion.V1
    assert len(mocked.calls) == 1
    assert isinstance(client.catalog(), CatalogV1)
    assert isinstance(client.catalog(CatalogVersion.V3), CatalogV3)


def test_stores_not_installed_has_no_gateway(mocked, make_client):
    mocked.get(
        f"{BASE}/stores/v3/provision/version", json={"catalogVersion": "STORES_NOT_INSTALLED"}
    )
    client = make_client()
    assert client.catalog_version() is CatalogVersion.NOT_INSTALLED
    with pytest.raises(WixPreconditionFailed, match="not installed"):
        client.catalog()


def test_428_on_a_catalog_call_forgets_the_cached_version(mocked, make_client):
    mocked.get(f"{BASE}/stores/v3/provision/version", json={"catalogVersion": "V3_CATALOG"})
    mocked.get(f"{BASE}/stores/v3/products/p-1", status=428, json={"message": "v1 site"})
    client = make_client()
    gateway = client.catalog()
    with pytest.raises(WixPreconditionFailed):
        gateway.get_product("p-1")
    client.catalog_version()
    assert sum(1 for c in mocked.calls if c.request.url.endswith("/version")) == 2

"""Both Wix auth flows against the live sandbox, app instance and catalog version."""

from __future__ import annotations

import pytest

from wixoms.wix import (
    CatalogVersion,
    ReconnectRequired,
    WixClient,
    WixPreconditionFailed,
    exchange_code,
    verify_signed_instance,
)


def test_oauth_client_gets_a_token_and_reads_its_instance(connect):
    wix = connect("V3_CATALOG")
    inst = wix.client.app_instance()
    assert inst.instance_id == wix.install["instanceId"]
    assert inst.site_id == wix.site_id
    assert inst.site_url == wix.site["url"]
    assert len(wix.persisted) == 1 and wix.persisted[0].expires_at is not None


def test_signed_instance_from_the_install_verifies(connect):
    wix = connect()
    signed = verify_signed_instance(wix.app, wix.install["instance"])
    assert signed.instance_id == wix.install["instanceId"]


def test_legacy_code_exchange_then_refresh_after_expiry(connect, sandbox):
    wix = connect(auth_flow="legacy")
    creds = exchange_code(wix.app, wix.install["code"])
    assert creds.refresh_token
    persisted = []
    client = WixClient(
        wix.app,
        instance_id=wix.install["instanceId"],
        credentials=creds,
        on_credentials=persisted.append,
    )
    assert client.app_instance().instance_id == wix.install["instanceId"]
    sandbox.expire_tokens()
    assert client.app_instance().site_id == wix.site_id  # 401 → refresh → repeat
    assert len(persisted) == 1 and persisted[0].access_token != creds.access_token
    client.close()


def test_code_cannot_be_used_twice(connect):
    wix = connect(auth_flow="legacy")
    exchange_code(wix.app, wix.install["code"])
    with pytest.raises(ReconnectRequired):
        exchange_code(wix.app, wix.install["code"])


@pytest.mark.parametrize("auth_flow", ["oauth", "legacy"])
def test_removed_app_asks_to_reconnect(connect, sandbox, auth_flow):
    wix = connect(auth_flow=auth_flow)
    if auth_flow == "legacy":
        creds = exchange_code(wix.app, wix.install["code"])
        client = WixClient(wix.app, instance_id=wix.install["instanceId"], credentials=creds)
    else:
        client = wix.client
    client.app_instance()
    sandbox.remove_app(wix.install["instanceId"])
    with pytest.raises(ReconnectRequired) as info:
        client.app_instance()
    assert "Reconnect" in info.value.user_message


@pytest.mark.parametrize(
    ("catalog", "version"),
    [
        ("V1_CATALOG", CatalogVersion.V1),
        ("V3_CATALOG", CatalogVersion.V3),
        ("STORES_NOT_INSTALLED", CatalogVersion.NOT_INSTALLED),
    ],
)
def test_catalog_version_is_detected(connect, catalog, version):
    assert connect(catalog).client.catalog_version() is version


def test_v3_call_on_a_v1_site_is_a_precondition_failure(connect):
    wix = connect("V1_CATALOG")
    with pytest.raises(WixPreconditionFailed):
        list(wix.client.catalog(CatalogVersion.V3).iter_products())

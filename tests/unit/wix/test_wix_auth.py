"""Install URLs, signed instances and token grants of both Wix flows."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
import responses

from tests.unit.wix.conftest import BASE
from wixoms.wix import (
    DEFAULT_PLAN,
    PLANS,
    InvalidSignedInstance,
    ReconnectRequired,
    WixPayloadError,
    WixServerError,
    client_credentials_token,
    close_window_url,
    exchange_code,
    install_url,
    refresh_access_token,
    resolve_plan,
    verify_signed_instance,
)

NOW = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def signed_instance(secret: str, **payload) -> str:
    payload.setdefault("instanceId", "inst-1")
    payload.setdefault("signDate", "2025-03-01T11:58:00.000Z")
    body = _b64(json.dumps(payload).encode())
    sig = _b64(hmac.new(secret.encode(), body.encode(), hashlib.sha256).digest())
    return f"{sig}.{body}"


def query(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


def test_legacy_install_url_carries_token_app_redirect_and_state(legacy_app):
    url = install_url(
        legacy_app, state="st-1", return_url="https://oms.test/wix/cb", token="wixtok"
    )
    assert url.startswith("https://www.wix.test/installer/install?")
    assert query(url) == {
        "token": "wixtok",
        "appId": "app-1",
        "redirectUrl": "https://oms.test/wix/cb",
        "state": "st-1",
    }


def test_oauth_install_url_puts_state_inside_post_installation_url(oauth_app):
    url = install_url(oauth_app, state="st 2", return_url="https://oms.test/wix/done?x=1")
    q = query(url)
    assert q["appId"] == "app-1"
    assert "state" not in q
    assert query(q["postInstallationUrl"]) == {"x": "1", "state": "st 2"}


def test_close_window_url(legacy_app):
    url = close_window_url(legacy_app, "acc/ess")
    assert url == "https://www.wix.test/installer/close-window?access_token=acc%2Fess"


def test_signed_instance_with_good_signature_is_accepted(oauth_app):
    param = signed_instance("s3cret", siteOwnerId="owner-1", uid="u-1", permissions="OWNER")
    si = verify_signed_instance(oauth_app, param, now=NOW)
    assert si.instance_id == "inst-1"
    assert (si.site_owner_id, si.uid, si.permissions) == ("owner-1", "u-1", "OWNER")
    assert si.sign_date == datetime(2025, 3, 1, 11, 58, tzinfo=UTC)


def test_signed_instance_forged_with_another_secret_is_rejected(oauth_app):
    with pytest.raises(InvalidSignedInstance, match="signature"):
        verify_signed_instance(oauth_app, signed_instance("guess"), now=NOW)


def test_signed_instance_with_edited_payload_is_rejected(oauth_app):
    sig, _ = signed_instance("s3cret").split(".")
    other = _b64(json.dumps({"instanceId": "victim", "signDate": "2025-03-01T11:59:00Z"}).encode())
    with pytest.raises(InvalidSignedInstance):
        verify_signed_instance(oauth_app, f"{sig}.{other}", now=NOW)


def test_stale_signed_instance_is_rejected(oauth_app):
    param = signed_instance("s3cret", signDate="2025-03-01T11:00:00Z")
    with pytest.raises(InvalidSignedInstance, match="stale"):
        verify_signed_instance(oauth_app, param, now=NOW)
    assert verify_signed_instance(oauth_app, param, now=NOW, max_age=timedelta(hours=2))


@pytest.mark.parametrize("param", ["", "nodot", ".", "abc.!!!", "a.b.c"])
def test_malformed_signed_instance_is_rejected(oauth_app, param):
    with pytest.raises(InvalidSignedInstance):
        verify_signed_instance(oauth_app, param, now=NOW)


def test_signed_instance_without_instance_id_is_rejected(oauth_app):
    with pytest.raises(InvalidSignedInstance):
        verify_signed_instance(oauth_app, signed_instance("s3cret", instanceId=""), now=NOW)


def test_exchange_code_posts_json_and_gets_five_minute_token(mocked, legacy_app):
    mocked.post(
        f"{BASE}/oauth/access",
        json={"access_token": "acc", "refresh_token": "ref"},
        match=[
            responses.matchers.json_params_matcher(
                {
                    "grant_type": "authorization_code",
                    "client_id": "app-1",
                    "client_secret": "s3cret",
                    "code": "c0de",
                }
            )
        ],
    )
    creds = exchange_code(legacy_app, "c0de", now=NOW)
    assert (creds.access_token, creds.refresh_token) == ("acc", "ref")
    assert creds.expires_at == NOW + timedelta(minutes=5)


def test_exchange_code_is_not_retried_on_5xx(mocked, legacy_app):
    mocked.post(f"{BASE}/oauth/access", status=500)
    with pytest.raises(WixServerError):
        exchange_code(legacy_app, "c0de")
    assert len(mocked.calls) == 1


def test_used_code_is_refused_with_reconnect(mocked, legacy_app):
    mocked.post(f"{BASE}/oauth/access", status=400, json={"error": "invalid_grant"})
    with pytest.raises(ReconnectRequired) as info:
        exchange_code(legacy_app, "used")
    assert info.value.code == "invalid_grant"


def test_refresh_keeps_the_refresh_token_when_wix_omits_it(mocked, legacy_app):
    mocked.post(
        f"{BASE}/oauth/access",
        json={"access_token": "acc2"},
        match=[
            responses.matchers.json_params_matcher(
                {
                    "grant_type": "refresh_token",
                    "client_id": "app-1",
                    "client_secret": "s3cret",
                    "refresh_token": "ref",
                }
            )
        ],
    )
    creds = refresh_access_token(legacy_app, "ref", now=NOW)
    assert (creds.access_token, creds.refresh_token) == ("acc2", "ref")


def test_client_credentials_token_uses_expires_in(mocked, oauth_app):
    mocked.post(
        f"{BASE}/oauth2/token",
        json={"access_token": "acc", "token_type": "Bearer", "expires_in": 14400},
        match=[
            responses.matchers.json_params_matcher(
                {
                    "grant_type": "client_credentials",
                    "client_id": "app-1",
                    "client_secret": "s3cret",
                    "instance_id": "inst-9",
                }
            )
        ],
    )
    creds = client_credentials_token(oauth_app, "inst-9", now=NOW)
    assert creds.access_token == "acc"
    assert creds.refresh_token is None
    assert creds.expires_at == NOW + timedelta(hours=4)


@pytest.mark.parametrize("status", [400, 401, 403, 404])
def test_refused_client_credentials_means_reconnect(mocked, oauth_app, status):
    mocked.post(f"{BASE}/oauth2/token", status=status, json={"message": "app not installed"})
    with pytest.raises(ReconnectRequired):
        client_credentials_token(oauth_app, "inst-9")


def test_token_response_without_access_token_is_a_payload_error(mocked, oauth_app):
    mocked.post(f"{BASE}/oauth2/token", json={"token_type": "Bearer"})
    with pytest.raises(WixPayloadError, match="access_token"):
        client_credentials_token(oauth_app, "inst-9")


def test_plans_stay_under_wix_limit_and_default_exists():
    assert set(PLANS) == {"starter", "standard", "pro"}
    assert DEFAULT_PLAN == "standard"
    for plan in PLANS.values():
        assert plan.requests_per_minute + plan.burst <= 200
        assert plan.orders_page_size == 100
        assert plan.inventory_batch_v1 <= 300
    assert resolve_plan(None) is PLANS["standard"]
    with pytest.raises(ValueError, match="unknown throughput plan"):
        resolve_plan("gold")


def _signed_raw(secret: str, raw: bytes) -> str:
    body = _b64(raw)
    return f"{_b64(hmac.new(secret.encode(), body.encode(), hashlib.sha256).digest())}.{body}"


@pytest.mark.parametrize("secret", ["forged", "s3cret"])
def test_deeply_nested_signed_instance_is_refused_not_a_crash(oauth_app, secret):
    """A forged one is refused before its payload is parsed; a genuinely signed one that nests
    deeper than any Wix payload is refused as malformed (json.loads raised RecursionError)."""
    param = _signed_raw(secret, b"[" * 100_000 + b"]" * 100_000)
    with pytest.raises(InvalidSignedInstance):
        verify_signed_instance(oauth_app, param, now=NOW)

"""Wix app authentication: install URLs, signed instances and token grants (wix-api.md §1)."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import Enum
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import requests
from oauthlib.oauth2 import (
    BackendApplicationClient,
    MissingTokenError,
    OAuth2Error,
    WebApplicationClient,
)

from .errors import InvalidSignedInstance, ReconnectRequired, WixError, WixPayloadError
from .transport import Transport
from .webhooks import load_json

# The legacy flow's access tokens carry no expires_in and live 5 minutes (wix-api.md §1b).
LEGACY_TOKEN_LIFETIME = timedelta(minutes=5)
WIX_STORES_APP_ID = "215238eb-22a5-4c36-9e7b-e7c08025e04e"


class AuthFlow(Enum):
    """Which Wix authentication flow a channel uses."""

    OAUTH = "oauth"  # client credentials per app instance (§1a, install flow §1c)
    LEGACY = "legacy"  # custom authentication: authorization code + refresh token (§1b)


@dataclass(frozen=True)
class WixApp:
    """The wixoms app as registered in the Wix developers centre."""

    app_id: str
    app_secret: str = field(repr=False)
    auth_flow: AuthFlow = AuthFlow.OAUTH
    api_base: str = "https://www.wixapis.com"
    www_base: str = "https://www.wix.com"
    public_key_pem: str | None = field(default=None, repr=False)


@dataclass(frozen=True)
class Credentials:
    """Tokens of one app instance. ``expires_at`` is UTC-aware; None means unknown."""

    access_token: str = field(repr=False)
    refresh_token: str | None = field(default=None, repr=False)
    expires_at: datetime | None = None

    def expires_soon(self, now: datetime, skew: timedelta = timedelta(seconds=30)) -> bool:
        """True when the access token should be replaced before the next call."""
        return self.expires_at is not None and now >= self.expires_at - skew


@dataclass(frozen=True)
class SignedInstance:
    """The verified content of Wix's signed ``instance`` parameter."""

    instance_id: str
    sign_date: datetime
    site_owner_id: str | None
    uid: str | None
    permissions: str | None
    raw: dict[str, Any]


def _utcnow() -> datetime:
    return datetime.now(UTC)


def _with_query(url: str, extra: dict[str, str]) -> str:
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True) + list(extra.items())
    return urlunsplit(parts._replace(query=urlencode(query)))


def install_url(app: WixApp, *, state: str, return_url: str, token: str | None = None) -> str:
    """The Wix installer URL that starts (re)connecting a site.

    Legacy flow: Wix sent the browser to the App URL with ``token``; ``return_url`` is the
    Redirect URL that receives ``code``, ``state`` and ``instanceId``. OAuth flow (§1c): Wix
    keeps extra query parameters of ``postInstallationUrl``, so ``state`` travels inside it.
    """
    base = f"{app.www_base.rstrip('/')}/installer/install"
    if app.auth_flow is AuthFlow.LEGACY:
        query: dict[str, str] = {}
        if token:
            query["token"] = token
        query.update(appId=app.app_id, redirectUrl=return_url, state=state)
    else:
        query = {
            "appId": app.app_id,
            "postInstallationUrl": _with_query(return_url, {"state": state}),
        }
    return f"{base}?{urlencode(query)}"


def close_window_url(app: WixApp, access_token: str) -> str:
    """Where to send the browser after a legacy install, telling Wix setup is complete."""
    query = urlencode({"access_token": access_token})
    return f"{app.www_base.rstrip('/')}/installer/close-window?{query}"


def _b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _parse_time(value: Any) -> datetime:
    if not isinstance(value, str):
        raise ValueError("not a string")
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def verify_signed_instance(
    app: WixApp,
    param: str,
    *,
    max_age: timedelta = timedelta(minutes=10),
    now: datetime | None = None,
) -> SignedInstance:
    """Verify Wix's ``instance`` = SIGNATURE.PAYLOAD (HMAC-SHA256 with the app secret).

    An instance id in a URL proves nothing; this signature (or a code exchange) does.
    Raises InvalidSignedInstance when forged, malformed, or signed longer than ``max_age`` ago.
    """
    signature, sep, payload = (param or "").partition(".")
    if not sep or not signature or not payload:
        raise InvalidSignedInstance("signed instance is not SIGNATURE.PAYLOAD")
    expected = hmac.new(app.app_secret.encode(), payload.encode(), hashlib.sha256).digest()
    try:
        given = _b64url_decode(signature)
    except (binascii.Error, ValueError):
        raise InvalidSignedInstance("signed instance is not valid base64url JSON") from None
    # The signature first: nothing a forger sends is parsed (deep JSON would be a RecursionError).
    if not hmac.compare_digest(given, expected):
        raise InvalidSignedInstance("signature does not match the app secret")
    try:
        data = load_json(_b64url_decode(payload))
    except (binascii.Error, ValueError, UnicodeDecodeError):
        raise InvalidSignedInstance("signed instance is not valid base64url JSON") from None
    if not isinstance(data, dict) or not data.get("instanceId"):
        raise InvalidSignedInstance("signed instance carries no instanceId")
    try:
        sign_date = _parse_time(data.get("signDate"))
    except ValueError:
        raise InvalidSignedInstance("signed instance carries no valid signDate") from None
    now = now or _utcnow()
    if now - sign_date > max_age or sign_date - now > timedelta(minutes=2):
        raise InvalidSignedInstance("signed instance is stale; open the app from Wix again")
    return SignedInstance(
        instance_id=str(data["instanceId"]),
        sign_date=sign_date,
        site_owner_id=data.get("siteOwnerId"),
        uid=data.get("uid"),
        permissions=data.get("permissions"),
        raw=data,
    )


# Wix's token endpoints take JSON bodies, not RFC 6749's form encoding, and client credentials
# add ``instance_id``. So oauthlib (the core of requests-oauthlib) builds and validates the
# standard parameters, and we send them as JSON through our own transport (retries, logging).
def _token_request(
    app: WixApp,
    path: str,
    form_body: str,
    *,
    transport: Transport | None,
    session: requests.Session | None,
    safe_to_retry: bool,
    oauth_client: WebApplicationClient | BackendApplicationClient,
    now: datetime | None,
) -> Credentials:
    owned = transport is None
    transport = transport or Transport(app.api_base, session=session)
    try:
        body = transport.request(
            "POST", path, json=dict(parse_qsl(form_body)), safe_to_retry=safe_to_retry
        )
    except WixError as exc:
        if exc.status is not None and 400 <= exc.status < 500 and exc.status != 429:
            raise ReconnectRequired(
                exc.message, status=exc.status, code=exc.code, description=exc.description
            ) from exc
        raise
    finally:
        if owned:
            transport.close()
    try:
        token = oauth_client.parse_request_body_response(json.dumps(body))
    except MissingTokenError:
        raise WixPayloadError("access_token") from None
    except OAuth2Error as exc:
        raise ReconnectRequired(exc.description or exc.error, code=exc.error) from exc
    now = now or _utcnow()
    expires_in = token.get("expires_in")
    expires_at = (
        now + timedelta(seconds=int(expires_in))
        if expires_in
        else (now + LEGACY_TOKEN_LIFETIME if app.auth_flow is AuthFlow.LEGACY else None)
    )
    return Credentials(token["access_token"], token.get("refresh_token"), expires_at)


def exchange_code(
    app: WixApp,
    code: str,
    *,
    session: requests.Session | None = None,
    transport: Transport | None = None,
    now: datetime | None = None,
) -> Credentials:
    """Legacy flow: trade the one-time authorization code for access and refresh tokens."""
    client = WebApplicationClient(app.app_id)
    form = client.prepare_request_body(
        code=code, client_secret=app.app_secret, include_client_id=True
    )
    return _token_request(
        app, "/oauth/access", form, transport=transport, session=session,
        safe_to_retry=False, oauth_client=client, now=now,
    )  # fmt: skip


def refresh_access_token(
    app: WixApp,
    refresh_token: str,
    *,
    session: requests.Session | None = None,
    transport: Transport | None = None,
    now: datetime | None = None,
) -> Credentials:
    """Legacy flow: a new access token; Wix returns the same refresh token (kept if omitted)."""
    client = WebApplicationClient(app.app_id)
    form = client.prepare_refresh_body(
        refresh_token=refresh_token, client_id=app.app_id, client_secret=app.app_secret
    )
    creds = _token_request(
        app, "/oauth/access", form, transport=transport, session=session,
        safe_to_retry=True, oauth_client=client, now=now,
    )  # fmt: skip
    if creds.refresh_token is None:
        creds = Credentials(creds.access_token, refresh_token, creds.expires_at)
    return creds


def client_credentials_token(
    app: WixApp,
    instance_id: str,
    *,
    session: requests.Session | None = None,
    transport: Transport | None = None,
    now: datetime | None = None,
) -> Credentials:
    """OAuth flow: an access token for one app instance (no refresh token exists)."""
    client = BackendApplicationClient(app.app_id)
    form = client.prepare_request_body(
        include_client_id=True, client_secret=app.app_secret, instance_id=instance_id
    )
    return _token_request(
        app, "/oauth2/token", form, transport=transport, session=session,
        safe_to_retry=True, oauth_client=client, now=now,
    )  # fmt: skip

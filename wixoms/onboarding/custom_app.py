"""“Use your own Wix app” (Helm's way): the merchant's app credentials and its authorization.

The merchant creates a custom app in Wix, gives it permissions, and pastes its App ID, App
Secret Key and public key here; wixoms sends the browser through Wix's authorization-code
flow (wix-api.md §1b) with those credentials, always carrying the wizard's own ``state`` (the
flow is started by wixoms, so the callback is trusted only when that state matches). The
credentials are stored encrypted on the wizard, then on the channel: token refresh and JWT
webhook verification use the channel's own app (wixoms.connection.channel_app).
"""

from __future__ import annotations

import os
import re
from datetime import timedelta

import requests
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey
from cryptography.hazmat.primitives.serialization import load_pem_public_key
from flask import current_app, url_for
from oauthlib.oauth2 import OAuth2Error
from requests_oauthlib import OAuth2Session

from wixoms.connection import wix_app
from wixoms.extensions import db
from wixoms.models import Channel, User, WizardSession
from wixoms.models._base import utcnow
from wixoms.onboarding.binding import finish_binding, record_failure, wizard_timeout
from wixoms.onboarding.sessions import (
    CallbackParams,
    StepError,
    WizardFailure,
    find_session,
    new_session,
)
from wixoms.wix import AuthFlow, WixApp
from wixoms.wix.auth import LEGACY_TOKEN_LIFETIME

# Helm's list, in the words of Wix's "+ Add Permissions" search, plus "Manage Your App" that
# Get App Instance needs (wix-api.md §10) to tell wixoms which site the app was installed on.
PERMISSIONS_TO_ADD = (
    ("Store Management", ("Manage Stores - all permissions", "Read Stores - all read permissions",
                          "Manage Products", "Read Products", "Manage Orders", "Read Orders")),
    ("eCommerce Management", ("Manage eCommerce - all permissions",
                              "Read eCommerce - all read permissions")),
    ("Catalog Management (v3)", ("Read v3 catalog", "Manage v3 catalog",
                                 "Read products in v3 catalog", "Product v3 read admin")),
    ("Wix Developers", ("Manage Your App",)),
)  # fmt: skip
# The app webhooks to subscribe to on the custom app's webhooks page (README lists them too).
EVENTS_TO_SUBSCRIBE = (
    "Order Created",
    "Order Updated",
    "Order Approved",
    "Order Canceled",
    "Order Payment Status Updated",
    "Order Fulfilled",
    "App Removed",
    "App Installed",
)
_APP_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]{0,63}$")
SECRET_MAX = 200
PUBLIC_KEY_MAX = 4000


def clean_credentials(app_id: str, secret: str, public_key: str) -> tuple[str, str, str]:
    """The three fields as stored; StepError with the fix when one is wrong."""
    app_id, secret, public_key = (app_id or "").strip(), (secret or "").strip(), public_key or ""
    public_key = public_key.strip()
    if not app_id:
        raise StepError("Enter the App ID from your app's OAuth page in Wix.")
    if not _APP_ID.match(app_id):
        raise StepError(
            "The App ID looks wrong: copy it from your app's OAuth page in Wix "
            "(letters, digits and dashes, like 6d0b6a43-6b8e-4d5f-9a57-1c2f0e7a9b11)."
        )
    if app_id == wix_app().app_id:
        raise StepError(
            "That is the wixoms app's own ID. Use “Connect your Wix site” for it, or enter "
            "the App ID of the app you created."
        )
    if not secret:
        raise StepError("Enter the App Secret Key from your app's OAuth page in Wix.")
    if len(secret) > SECRET_MAX or any(c.isspace() for c in secret):
        raise StepError("The App Secret Key looks wrong: copy it again from the OAuth page.")
    if not public_key:
        raise StepError(
            "Paste the app's public key (Wix shows it on the app's Webhooks page). wixoms "
            "uses it to verify that real-time events really come from your app."
        )
    try:
        if len(public_key) > PUBLIC_KEY_MAX:
            raise ValueError("too long")
        key = load_pem_public_key(public_key.encode())
    except (ValueError, TypeError):
        key = None
    if not isinstance(key, RSAPublicKey):
        raise StepError(
            "The public key is not a PEM public key. Copy all of it, from "
            "“-----BEGIN PUBLIC KEY-----” to “-----END PUBLIC KEY-----”."
        )
    return app_id, secret, public_key


def start(
    user: User, app_id: str, secret: str, public_key: str, *, reconnect=None
) -> WizardSession:
    """A wizard for the merchant's own app, its credentials stored encrypted."""
    app_id, secret, public_key = clean_credentials(app_id, secret, public_key)
    if reconnect is not None and reconnect.custom_app_id and reconnect.custom_app_id != app_id:
        raise StepError("This channel uses another Wix app. Enter that app's App ID.")
    ws = new_session(user, reconnect=reconnect)
    ws.auth_flow = AuthFlow.LEGACY.value  # custom apps use Wix's authorization-code flow
    ws.custom_app_id, ws.custom_app_secret, ws.custom_app_public_key = app_id, secret, public_key
    db.session.commit()
    return ws


def session_app(ws: WizardSession) -> WixApp | None:
    """The merchant's app of this wizard (None: the wixoms app)."""
    if not ws.custom_app_id:
        return None
    base = wix_app()
    return WixApp(
        app_id=ws.custom_app_id,
        app_secret=ws.custom_app_secret or "",
        auth_flow=AuthFlow.LEGACY,
        api_base=base.api_base,
        www_base=base.www_base,
        public_key_pem=ws.custom_app_public_key,
    )


def _session(app: WixApp, ws: WizardSession, redirect_uri: str) -> OAuth2Session:
    if app.api_base.startswith("http://") or app.www_base.startswith("http://"):
        # Only the configured Wix hosts are called; plain http means the local sandbox.
        os.environ.setdefault("OAUTHLIB_INSECURE_TRANSPORT", "1")
    oauth = OAuth2Session(client_id=app.app_id, redirect_uri=redirect_uri, state=ws.state)
    oauth.register_compliance_hook("access_token_request", _json_body)
    return oauth


def _json_body(url: str, headers: dict, request_kwargs: dict) -> tuple[str, dict, dict]:
    """Wix's /oauth/access takes JSON, not RFC 6749's form body (wix-api.md §1b)."""
    headers = {**headers, "Content-Type": "application/json", "Accept": "application/json"}
    return url, headers, {"json": dict(request_kwargs.get("data") or {})}


def authorization_url(ws: WizardSession, redirect_uri: str, token: str | None = None) -> str:
    """Wix's installer with the merchant's app, our Redirect URL and this wizard's state."""
    app = session_app(ws)
    if app is None:
        raise StepError("This wizard does not use your own Wix app.")
    extra = {"appId": app.app_id, "redirectUrl": redirect_uri}
    if token:
        extra["token"] = token  # Wix opened our App URL with it (install started in Wix)
    url, _state = _session(app, ws, redirect_uri).authorization_url(
        f"{app.www_base.rstrip('/')}/installer/install", **extra
    )
    return url


def handle_callback(params: CallbackParams, user: User, redirect_uri: str) -> WizardSession:
    """Wix sent the browser back to the custom app's Redirect URL: exchange the code with the
    merchant's credentials, then prove the binding exactly as for the wixoms app."""
    if not params.state:
        raise WizardFailure("state_mismatch")
    ws = find_session(params.state, user)
    if ws.completed_at is not None or ws.instance_id or ws.error:
        raise WizardFailure("state_used", {"state": ws.state})
    if not ws.custom_app_id:
        raise WizardFailure("state_mismatch")
    try:
        if params.error:
            raise WizardFailure("cancelled")
        if not params.code or not params.instance_id:
            raise WizardFailure("unverified", {"reason": "Wix's answer had no authorization code."})
        _exchange(ws, params.code, redirect_uri)
        ws.instance_id = params.instance_id  # a claim until finish_binding asks Wix
        finish_binding(ws)
    except WizardFailure as failure:
        record_failure(ws, failure)
    db.session.commit()
    return ws


def _exchange(ws: WizardSession, code: str, redirect_uri: str) -> None:
    app = session_app(ws)
    oauth = _session(app, ws, redirect_uri)  # type: ignore[arg-type]
    try:
        token = oauth.fetch_token(
            f"{app.api_base.rstrip('/')}/oauth/access",  # type: ignore[union-attr]
            code=code,
            client_secret=app.app_secret,  # type: ignore[union-attr]
            include_client_id=True,
            timeout=wizard_timeout(),
        )
    except OAuth2Error as exc:
        if exc.error == "invalid_client":
            raise WizardFailure(
                "wix_error",
                {
                    "message": "Wix refused the App ID or App Secret Key. Copy both again "
                    "from your app's OAuth page in Wix, then connect again."
                },
            ) from None
        raise WizardFailure("code_invalid") from None
    except requests.RequestException:
        raise WizardFailure(
            "wix_unavailable", {"message": "Wix did not answer the authorization."}
        ) from None
    ws.access_token = token["access_token"]
    ws.refresh_token = token.get("refresh_token")
    expires_in = token.get("expires_in")  # Wix sends none: access tokens live 5 minutes
    lifetime = timedelta(seconds=int(expires_in)) if expires_in else LEGACY_TOKEN_LIFETIME
    ws.token_expires_at = utcnow() + lifetime


def pending_session(user: User) -> WizardSession | None:
    """The user's newest custom-app wizard still waiting for Wix (for the App URL)."""
    stmt = (
        db.select(WizardSession)
        .where(
            WizardSession.user_id == user.id,
            WizardSession.custom_app_id != "",
            WizardSession.completed_at.is_(None),
            WizardSession.expires_at > utcnow(),
            WizardSession.instance_id == "",
            WizardSession.error.is_(None),
        )
        .order_by(WizardSession.id.desc())
        .limit(1)
    )
    return db.session.scalar(stmt)


def apply_to_channel(ws: WizardSession, channel: Channel) -> None:
    """Save: the channel keeps the wizard's app (its own, or wixoms's)."""
    channel.custom_app_id = ws.custom_app_id or ""
    channel.custom_app_secret = ws.custom_app_secret if ws.custom_app_id else None
    channel.custom_app_public_key = ws.custom_app_public_key if ws.custom_app_id else None
    channel.app_removed_at = None


def redirect_uri() -> str:
    """The Redirect URL to paste into the custom app's OAuth settings."""
    return _public("wizard_custom_app.callback")


def app_url() -> str:
    """The App URL to paste into the custom app's OAuth settings."""
    return _public("wizard_custom_app.app_url")


def _public(endpoint: str) -> str:
    public = (current_app.config.get("PUBLIC_URL") or "").rstrip("/")
    return public + url_for(endpoint) if public else url_for(endpoint, _external=True)

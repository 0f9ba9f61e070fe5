"""The installer's logic: signed instance parameter and the redirects Wix sends after consent."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from datetime import UTC, datetime
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from .common import iso
from .models import App, Installation, InstallRequest
from .store import Store


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def sign_instance(store: Store, app: App, inst: Installation) -> str:
    """`instance` = base64url(HMAC-SHA256(PAYLOAD, secret)) + "." + PAYLOAD."""
    payload = {
        "instanceId": inst.instance_id,
        "appDefId": app.app_id,
        "signDate": iso(datetime.fromtimestamp(store.now(), UTC)),
        "uid": store.config["owner_id"],
        "permissions": "OWNER",
        "demoMode": False,
        "siteOwnerId": store.config["owner_id"],
        "siteMemberId": store.config["owner_id"],
        "metaSiteId": inst.site_id,
        "aid": store.config["owner_id"],
    }
    encoded = b64url(json.dumps(payload, separators=(",", ":")).encode())
    signature = hmac.new(app.app_secret.encode(), encoded.encode(), hashlib.sha256).digest()
    return f"{b64url(signature)}.{encoded}"


def add_params(url: str, params: dict) -> str:
    """Add query parameters, keeping the ones already in the URL (e.g. the app's state)."""
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    query += [(k, v) for k, v in params.items() if v is not None]
    return urlunsplit(parts._replace(query=urlencode(query)))


def same_target(given: str, registered: str) -> bool:
    """The redirect URL must be the registered one (query string aside)."""
    if not registered:
        return True
    a, b = urlsplit(given), urlsplit(registered)
    return (a.scheme, a.netloc, a.path.rstrip("/")) == (b.scheme, b.netloc, b.path.rstrip("/"))


def legacy_redirect(store: Store, request: InstallRequest, inst: Installation) -> str:
    """Redirect URL with code, state and instanceId (§1b step 2)."""
    code = store.issue_code(inst.instance_id)
    return add_params(
        request.redirect_url,
        {"code": code.code, "state": request.state, "instanceId": inst.instance_id},
    )


def oauth_redirect(store: Store, app: App, request: InstallRequest, inst: Installation) -> str:
    """postInstallationUrl with appId, tenantId and instanceId (§1c, §10). Wix documents no
    signed ``instance`` on the redirect of an install the app started; an install from the
    App Market lands on the app's page the way its dashboard page opens, with ``instance``
    (or always, with ``post_install_signed_instance`` on)."""
    target = request.post_installation_url or app.post_installation_url
    params = {"appId": app.app_id, "tenantId": inst.site_id, "instanceId": inst.instance_id}
    if request.origin == "market" or store.config["post_install_signed_instance"]:
        params["instance"] = sign_instance(store, app, inst)
    return add_params(target, params)


def cancel_redirect(app: App, request: InstallRequest) -> str | None:
    """Where Cancel at consent goes: back to the app with error=access_denied when the app
    started the install; back to the App Market page when the user did."""
    if request.origin in ("legacy", "token") and request.redirect_url:
        return add_params(
            request.redirect_url,
            {
                "error": "access_denied",
                "error_description": "The user canceled the installation",
                "state": request.state,
            },
        )
    if request.origin == "oauth":
        target = request.post_installation_url or app.post_installation_url
        return add_params(target, {"error": "access_denied", "appId": app.app_id})
    return None

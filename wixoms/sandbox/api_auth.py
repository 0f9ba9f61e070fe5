"""OAuth endpoints (wix-api.md §1) and the app instance (§1d)."""

from __future__ import annotations

import hmac

from flask import Blueprint, jsonify, request

from . import scopes
from .errors import invalid
from .gateway import body, caller_may, store, wix_api
from .models import App

bp = Blueprint("wix_auth", __name__)


def _oauth_error(status: int, error: str, description: str):
    """OAuth-style failure; the Wix-style keys come along when configured (Wix is silent)."""
    doc = {"error": error, "error_description": description}
    if store().config.get("oauth_error_style") == "wix":
        doc = {
            "message": description,
            "details": {"applicationError": {"code": error.upper(), "description": description}},
        }
    response = jsonify(doc)
    response.status_code = status
    return response


def _params() -> dict:
    data = request.get_json(silent=True)
    if isinstance(data, dict):
        return data
    return request.form.to_dict()


def _client(params: dict) -> App | None:
    st = store()
    app = st.apps.get(str(params.get("client_id") or ""))
    secret = str(params.get("client_secret") or "")
    if app is None or not hmac.compare_digest(app.app_secret.encode(), secret.encode()):
        return None
    return app


@bp.post("/oauth/access")
@wix_api(auth=False)
def oauth_access():
    """Legacy custom authentication: authorization_code and refresh_token grants."""
    st = store()
    params = _params()
    grant = params.get("grant_type")
    if grant not in ("authorization_code", "refresh_token"):
        return _oauth_error(400, "unsupported_grant_type", f"unsupported grant_type {grant!r}")
    app = _client(params)
    if app is None:
        return _oauth_error(401, "invalid_client", "unknown client_id or wrong client_secret")
    with st.lock:
        if grant == "authorization_code":
            code = st.codes.get(str(params.get("code") or ""))
            if code is None or code.app_id != app.app_id:
                return _oauth_error(400, "invalid_grant", "unknown authorization code")
            if code.used:
                return _oauth_error(400, "invalid_grant", "authorization code already used")
            if code.expires_at <= st.now():
                return _oauth_error(400, "invalid_grant", "authorization code expired")
            code.used = True
            refresh = st.issue_token(code.instance_id, "refresh", None)
        else:
            refresh = st.tokens.get(str(params.get("refresh_token") or ""))
            if refresh is None or refresh.kind != "refresh" or refresh.app_id != app.app_id:
                return _oauth_error(400, "invalid_grant", "invalid or revoked refresh token")
        if st.active_installation(refresh.instance_id) is None:
            return _oauth_error(400, "invalid_grant", "the app was removed from the site")
        access = st.issue_token(refresh.instance_id, "access", st.config["access_token_ttl"])
    return jsonify({"access_token": access.token, "refresh_token": refresh.token})


@bp.post("/oauth2/token")
@wix_api(auth=False)
def oauth2_token():
    """Current OAuth: client credentials per app instance."""
    st = store()
    params = _params()
    if params.get("grant_type") != "client_credentials":
        return _oauth_error(400, "unsupported_grant_type", "grant_type must be client_credentials")
    app = _client(params)
    if app is None:
        return _oauth_error(401, "invalid_client", "unknown client_id or wrong client_secret")
    instance_id = str(params.get("instance_id") or "")
    if not instance_id:
        return _oauth_error(400, "invalid_request", "instance_id is required")
    with st.lock:
        inst = st.active_installation(instance_id)
        if inst is None or inst.app_id != app.app_id:
            return _oauth_error(400, "invalid_grant", "the app is not installed on this instance")
        ttl = st.config["oauth2_token_ttl"]
        access = st.issue_token(instance_id, "access", ttl)
        st.token_grants[instance_id] += 1
    return jsonify({"access_token": access.token, "token_type": "Bearer", "expires_in": int(ttl)})


@bp.get("/apps/v1/instance")
@wix_api(scope=scopes.APP_INSTANCE)
def get_instance(caller):
    """The app instance and its site (@wix/auto_sdk_app-management_app-instances typings).

    Conditional fields: ``instance.billing`` only for a paid plan (isFree false; sandbox apps
    are free); ``site.url`` only once the site is published; ``site.ownerInfo`` only with the
    READ SITE OWNER EMAIL scope as well as Manage Your App.
    """
    st = store()
    with st.lock:
        app = st.apps.get(caller.app_id)
        site = caller.site
    stores_apps = [] if site.catalog_version == "STORES_NOT_INSTALLED" else ["stores", "ecom"]
    site_doc = {
        "siteId": site.id,
        "siteDisplayName": site.name,
        "locale": "en",
        "paymentCurrency": site.currency,
        "multilingual": {"isMultiLingual": False, "supportedLanguages": []},
        "installedWixApps": stores_apps,
    }
    if site.published:
        site_doc["url"] = site.url
    if caller_may(scopes.OWNER_EMAIL):
        site_doc["ownerInfo"] = {"email": site.owner_email, "emailStatus": "VERIFIED"}
    return jsonify(
        {
            "instance": {
                "instanceId": caller.instance.instance_id,
                "appName": app.name if app else "",
                "appVersion": "1.0.0",
                "isFree": True,
                "permissions": list(app.permissions) if app else [],
                "availablePlans": [],
                "isOriginSiteTemplate": False,
                "copiedFromTemplate": False,
                "freeTrialAvailable": False,
            },
            "site": site_doc,
        }
    )


@bp.post("/apps/v1/bi-event")
@wix_api(scope=scopes.BI_EVENTS)
def bi_event(caller):
    """APP_FINISHED_CONFIGURATION and friends (@wix/auto_sdk_app-management_bi-events)."""
    name = body().get("eventName")
    if name is not None and name not in BI_EVENT_NAMES:
        raise invalid("eventName", f"one of {', '.join(BI_EVENT_NAMES)}", "FORMAT")
    return jsonify({})


BI_EVENT_NAMES = (
    "UNKNOWN",
    "APP_DASHBOARD_LOADED",
    "APP_FINISHED_CONFIGURATION",
    "APP_UPGRADED",
    "PRIMARY_ACTION_PERFORMED",
    "CUSTOM",
    "CHARGE",
    "FUNDS_RETURNED",
    "APP_FINISH_BUSINESS_SETUP",
    "APP_DEPLOYED",
    "APP_SETUP_FINISHED",
)

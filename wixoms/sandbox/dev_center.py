"""dev.wix.com pages: a developer account's Custom Apps (create, permissions, OAuth, webhooks).

Helm's guide walks a merchant through exactly this: Custom Apps → Create a New App → name →
app dashboard → Permissions (+ Add Permissions, Save) → OAuth (App ID, App Secret Key,
Advanced OAuth: App URL and Redirect URL, Save); the app's webhooks page shows its public key
(wix-api.md §3: "the app has the public key from its dashboard"). A custom app uses Wix's
authorization-code flow (§1b, "custom authentication"). A new app starts with only "Manage
Your App", which Get App Instance needs (§10); the developer adds the rest.
"""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, url_for

from .errors import WixError
from .gateway import store
from .models import MANAGE_YOUR_APP, PRODUCT_READ_ADMIN, READ_OWNER_EMAIL

bp = Blueprint("wix_dev", __name__, url_prefix="/dev")

# What "+ Add Permissions" lists, in the words of the app dashboard (Helm's guide) and the scope
# each grants (the scope ids of @wix/auto_sdk_* typings, scopes.py).
PERMISSION_CHOICES = (
    ("Store Management", "Manage Stores - all permissions", "SCOPE.DC-STORES-MEGA.MANAGE-STORES"),
    ("Store Management", "Read Stores - all read permissions", "SCOPE.DC-STORES-MEGA.READ-STORES"),
    ("Store Management", "Manage Products", "SCOPE.DC-STORES.MANAGE-PRODUCTS"),
    ("Store Management", "Read Products", "SCOPE.DC-STORES.READ-PRODUCTS"),
    ("Store Management", "Manage Orders", "SCOPE.DC-STORES.MANAGE-ORDERS"),
    ("Store Management", "Read Orders", "SCOPE.DC-STORES.READ-ORDERS"),
    ("eCommerce Management", "Manage eCommerce - all permissions",
     "SCOPE.DC-ECOM-MEGA.MANAGE-ECOM"),
    ("eCommerce Management", "Read eCommerce - all read permissions",
     "SCOPE.DC-ECOM-MEGA.READ-ECOM"),
    ("Catalog Management (v3)", "Read v3 catalog", "SCOPE.STORES.CATALOG_READ"),
    ("Catalog Management (v3)", "Manage v3 catalog", "SCOPE.STORES.CATALOG_WRITE"),
    ("Catalog Management (v3)", "Read products in v3 catalog", "SCOPE.STORES.PRODUCT_READ"),
    ("Catalog Management (v3)", "Product v3 read admin", PRODUCT_READ_ADMIN),
    ("Wix Developers", "Manage Your App", MANAGE_YOUR_APP),
    ("Wix Developers", "Read Site Owner Email", READ_OWNER_EMAIL),
)  # fmt: skip
SCOPES = {scope for _group, _label, scope in PERMISSION_CHOICES}


def _custom_apps():
    st = store()
    with st.lock:
        return [a for a in st.apps.values() if not a.from_config]


@bp.get("/custom-apps")
def custom_apps():
    return render_template("sandbox/dev_apps.html", apps=_custom_apps())


@bp.post("/custom-apps")
def create_app():
    """Create a New App → name → Save & Continue."""
    name = (request.form.get("name") or "").strip()
    if not name or len(name) > 80:
        return render_template(
            "sandbox/dev_apps.html",
            apps=_custom_apps(),
            error="Give the app a name (1–80 characters).",
        ), 422
    app = store().register_app(
        {"name": name, "authFlow": "legacy", "permissions": [MANAGE_YOUR_APP]}
    )
    return redirect(url_for("wix_dev.dashboard", app_id=app.app_id), 303)


@bp.get("/custom-apps/<app_id>")
def dashboard(app_id: str):
    app = store().app(app_id)
    return render_template(
        "sandbox/dev_app.html", app=app, choices=PERMISSION_CHOICES, saved=request.args.get("saved")
    )


@bp.post("/custom-apps/<app_id>/permissions")
def save_permissions(app_id: str):
    """Permissions → tick → Save (a permission not in the list is kept as it was)."""
    st = store()
    picked = [s for s in request.form.getlist("permission") if s in SCOPES]
    with st.lock:
        app = st.app(app_id)
        app.permissions = [p for p in app.permissions if p not in SCOPES] + picked
    return redirect(url_for("wix_dev.dashboard", app_id=app_id, saved="permissions"), 303)


@bp.post("/custom-apps/<app_id>/oauth")
def save_oauth(app_id: str):
    """OAuth → Advanced OAuth: App URL and Redirect URL; Webhooks: the callback URL."""
    st = store()
    form = {k: (request.form.get(k) or "").strip() for k in ("appUrl", "redirectUrl", "webhookUrl")}
    for key, value in form.items():
        if value and not value.startswith(("http://", "https://")):
            raise WixError(400, f"{key} must be an http(s) URL")
    with st.lock:
        app = st.app(app_id)
        app.app_url, app.redirect_url, app.webhook_url = (
            form["appUrl"],
            form["redirectUrl"],
            form["webhookUrl"],
        )
    return redirect(url_for("wix_dev.dashboard", app_id=app_id, saved="oauth"), 303)

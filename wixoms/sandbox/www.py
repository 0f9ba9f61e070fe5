"""www.wix.com pages: App Market, installer (site picker, consent, redirects), close-window."""

from __future__ import annotations

import secrets
from urllib.parse import urlsplit

from flask import Blueprint, redirect, render_template, request, url_for

from .errors import WixError
from .gateway import store
from .install_flow import (
    add_params,
    cancel_redirect,
    legacy_redirect,
    oauth_redirect,
    same_target,
)
from .models import App, InstallRequest

bp = Blueprint("wix_www", __name__)


class InstallLinkExpired(WixError):
    """An installer link that is unknown, used or past its time; knows its app when it can."""

    def __init__(self, app_id: str = "") -> None:
        super().__init__(400, "This installation link expired. Start again from the App Market.")
        self.app_id = app_id


PERMISSION_LABELS = {
    "SCOPE.DC-STORES.READ-PRODUCTS": "Read products and inventory",
    "SCOPE.DC-STORES.MANAGE-PRODUCTS": "Manage products",
    "SCOPE.DC-STORES.MANAGE-INVENTORY": "Manage inventory",
    "SCOPE.DC-ECOM.READ-ORDERS": "Read orders",
    "SCOPE.DC-ECOM.MANAGE-ORDERS": "Manage orders and fulfillments",
}


def _new_request(app_id: str, origin: str, **fields: str) -> InstallRequest:
    st = store()
    with st.lock:
        st.app(app_id)
        req = InstallRequest(
            id=secrets.token_urlsafe(16),
            app_id=app_id,
            origin=origin,
            expires_at=st.now() + st.config["install_request_ttl"],
            **fields,
        )
        st.install_requests[req.id] = req
        return req


def _request(req_id: str | None, app_id: str = "") -> InstallRequest:
    st = store()
    req = st.install_requests.get(req_id or "")
    if req is None or req.used or req.expires_at <= st.now():
        raise InstallLinkExpired(req.app_id if req is not None else app_id)
    return req


def app_home(app: App) -> str:
    """The app's own site, as far as Wix knows it: the origin of its App URL, else of its
    Redirect URL or post-installation URL (what the developer registered in Wix)."""
    for url in (app.app_url, app.redirect_url, app.post_installation_url):
        parts = urlsplit(url or "")
        if parts.scheme in ("http", "https") and parts.netloc:
            return f"{parts.scheme}://{parts.netloc}/"
    return ""


@bp.errorhandler(InstallLinkExpired)
def _expired(error: InstallLinkExpired):
    app = store().apps.get(error.app_id)
    page = render_template(
        "sandbox/error.html",
        status=error.status,
        title="This installation link has expired",
        message="An installation link works once, for an hour. "
        + (f"Go back to {app.name} to start again, " if app else "Start again ")
        + "or add the app from the App Market.",
        app=app,
        app_home=app_home(app) if app else "",
    )
    return page, error.status


@bp.get("/")
def home():
    st = store()
    with st.lock:
        sites, apps = list(st.sites.values()), list(st.apps.values())
    return render_template("sandbox/home.html", sites=sites, apps=apps)


@bp.get("/app-market/<app_id>")
def app_market(app_id: str):
    st = store()
    app = st.app(app_id)
    with st.lock:
        installed = [
            st.sites[i.site_id]
            for i in st.installations.values()
            if i.app_id == app_id and i.active and i.site_id in st.sites
        ]
    labels = [PERMISSION_LABELS.get(p, p) for p in app.permissions]
    return render_template(
        "sandbox/app_market.html", app=app, installed=installed, permissions=labels
    )


@bp.post("/app-market/<app_id>/add")
def add_to_site(app_id: str):
    req = _new_request(app_id, "market")
    return redirect(url_for("wix_www.choose_site", request=req.id))


@bp.get("/installer/install")
def installer():
    """Entry point used by apps: with a token (legacy App URL), or app-initiated."""
    args = request.args
    st = store()
    token = args.get("token")
    app_id = args.get("appId", "")
    if token:
        req = _request(token, app_id)
        if req.origin != "token" or not req.instance_id or req.app_id != app_id:
            raise WixError(400, "The installation token does not belong to this app.")
        return _finish_token(req, args.get("redirectUrl", ""), args.get("state", ""))
    app = st.app(app_id)
    if args.get("postInstallationUrl"):
        req = _new_request(app_id, "oauth", post_installation_url=args["postInstallationUrl"])
    elif args.get("redirectUrl"):
        if not same_target(args["redirectUrl"], app.redirect_url):
            raise WixError(400, "redirectUrl does not match the app's registered Redirect URL.")
        req = _new_request(
            app_id, "legacy", redirect_url=args["redirectUrl"], state=args.get("state", "")
        )
    else:
        raise WixError(400, "Missing redirectUrl or postInstallationUrl.")
    return redirect(url_for("wix_www.choose_site", request=req.id))


def _finish_token(req: InstallRequest, redirect_url: str, state: str):
    """Legacy step 2: consent was given for this token; redirect with code, state, instanceId."""
    st = store()
    app = st.app(req.app_id)
    if not redirect_url or not same_target(redirect_url, app.redirect_url):
        raise WixError(400, "redirectUrl does not match the app's registered Redirect URL.")
    inst = st.active_installation(req.instance_id)
    if inst is None:
        raise WixError(400, "The app was removed from the site. Install it again.")
    with st.lock:
        req.used = True
        req.redirect_url, req.state = redirect_url, state
        target = legacy_redirect(st, req, inst)
    return redirect(target)


@bp.route("/installer/choose", methods=["GET", "POST"])
def choose_site():
    """Site picker, shown when the user owns several sites."""
    st = store()
    req = _request(request.values.get("request"))
    sites = list(st.sites.values())
    if not sites:
        raise WixError(400, "You have no Wix site yet. Create a site first.")
    if request.method == "POST" or len(sites) == 1:
        site_id = request.form.get("siteId") if request.method == "POST" else sites[0].id
        if site_id not in st.sites:
            return render_template(
                "sandbox/choose_site.html",
                req=req,
                sites=sites,
                app=st.app(req.app_id),
                error="Choose a site.",
            ), 422
        req.site_id = site_id
        return redirect(url_for("wix_www.consent", request=req.id))
    return render_template("sandbox/choose_site.html", req=req, sites=sites, app=st.app(req.app_id))


@bp.route("/installer/consent", methods=["GET", "POST"])
def consent():
    st = store()
    req = _request(request.values.get("request"))
    app = st.app(req.app_id)
    site = st.site(req.site_id)
    if request.method == "GET":
        labels = [PERMISSION_LABELS.get(p, p) for p in app.permissions]
        return render_template(
            "sandbox/consent.html", req=req, app=app, site=site, permissions=labels
        )
    req.used = True
    if request.form.get("decision") != "allow":
        target = cancel_redirect(app, req)
        return redirect(target or url_for("wix_www.app_market", app_id=app.app_id))
    inst = st.install(app.app_id, site.id)
    with st.lock:
        if req.origin == "legacy":
            return redirect(legacy_redirect(st, req, inst))
        if req.origin == "oauth" or app.auth_flow == "oauth":
            if not (req.post_installation_url or app.post_installation_url):
                return render_template("sandbox/installed.html", app=app, site=site)
            return redirect(oauth_redirect(st, app, req, inst))
        if not app.app_url:
            raise WixError(400, "The app has no App URL registered.")
        token_req = _new_request(app.app_id, "token", site_id=site.id, instance_id=inst.instance_id)
        return redirect(add_params(app.app_url, {"token": token_req.id}))


@bp.get("/installer/close-window")
def close_window():
    """The legacy flow's last stop: tells Wix setup completed."""
    st = store()
    token = st.tokens.get(request.args.get("access_token", ""))
    inst = st.active_installation(token.instance_id) if token else None
    site = st.sites.get(inst.site_id) if inst else None
    return render_template("sandbox/close_window.html", site=site, ok=inst is not None)

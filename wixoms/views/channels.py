"""Sales Channels → Channels: the list and the channel page (tabs, Save, Delete, webhooks).

The page's tabs come from a registry (TABS): other areas add theirs with register_tab(), e.g.
the sync engine's "Sync log" tab. Settings tabs live inside the one Save form; the others
(mappings, webhooks, sync log) save on their own and say so.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user

from wixoms import onboarding
from wixoms.channel_settings import (
    ENDPOINT_KIND_LABELS,
    EndpointNotSaved,
    StaleSettings,
    channel_status,
    delete_channel,
    endpoint_state,
    latest_finished_run,
    new_webhook_token,
    read_pending_endpoint,
    regenerate_endpoint,
    revoke_endpoint,
    save_endpoint,
    save_settings,
    sign_pending_endpoint,
    tab_of,
    webhook_url,
)
from wixoms.extensions import db, htmx
from wixoms.forms.channel import SYNC_KIND_LABELS, ChannelSettingsForm
from wixoms.going_live import Missing, missing_to_go_live
from wixoms.models import SYNC_KINDS, Channel, Order, WebhookEndpoint
from wixoms.views import mappings
from wixoms.views.access import current_account, get_scoped_or_404, is_admin
from wixoms.views.dashboard_data import last_runs
from wixoms.views.health_data import api_budget
from wixoms.webhooks.app_hooks import realtime_status
from wixoms.wix_links import dashboard_host, dashboard_url
from wixoms.wording import plural

bp = Blueprint("channels", __name__, url_prefix="/channels")

LOGO_TYPES = {"image/png", "image/jpeg", "image/gif", "image/webp"}


@dataclass(frozen=True)
class ChannelTab:
    """One tab of the channel page.

    template: the panel, rendered with `channel`, `can_edit`, `form` (the settings form) and
    `panel` (whatever `context(channel)` returns). settings=True puts the panel inside the one
    Save form; other tabs must save on their own.
    """

    key: str
    label: str
    template: str
    context: Callable[[Channel], dict] | None = None
    settings: bool = False


TABS: list[ChannelTab] = []


def register_tab(tab: ChannelTab, before: str | None = None) -> None:
    """Add a tab (or replace the one with the same key); appended unless `before` names a tab."""
    existing = [t.key for t in TABS]
    if tab.key in existing:
        TABS[existing.index(tab.key)] = tab
        return
    keys = [t.key for t in TABS]
    TABS.insert(keys.index(before) if before in keys else len(TABS), tab)


def _webhooks_context(channel: Channel) -> dict:
    endpoints = sorted(
        channel.webhook_endpoints, key=lambda e: (e.revoked_at is not None, -(e.id or 0))
    )
    return {
        "endpoints": endpoints,
        "url_for_token": lambda token: webhook_url(
            token, current_app.config.get("PUBLIC_URL", ""), request.host_url
        ),
        "kind_labels": ENDPOINT_KIND_LABELS,
        "state_of": lambda endpoint: endpoint_state(channel, endpoint),
        "dashboard_url": dashboard_url(current_app.config["WIX_WWW_BASE"], channel.site_id),
        "dashboard_host": dashboard_host(current_app.config["WIX_WWW_BASE"]),
        "realtime": realtime_status(channel),
    }


for _tab in (
    ChannelTab("main", "Main settings", "channels/tabs/_main.html", settings=True),
    ChannelTab("advanced", "Advanced settings", "channels/tabs/_advanced.html", settings=True),
    ChannelTab("channel", "Channel settings", "channels/tabs/_channel.html", settings=True),
    ChannelTab(
        "carriers", "Carrier Mappings", "channels/tabs/_carriers.html", mappings.carrier_context
    ),
    ChannelTab("skus", "SKU Mappings", "channels/tabs/_skus.html", mappings.sku_context),
    ChannelTab(
        "warehouses",
        "Warehouse Mappings",
        "channels/tabs/_warehouses.html",
        mappings.warehouse_context,
    ),
    ChannelTab("webhooks", "Webhooks", "channels/tabs/_webhooks.html", _webhooks_context),
):
    register_tab(_tab)


def _channel_to_view(channel_id: int) -> Channel:
    return get_scoped_or_404(Channel, channel_id)


def _channel_to_edit(channel_id: int) -> Channel:
    """Another account's channel is a 404 (first); an operator gets a 403."""
    channel = get_scoped_or_404(Channel, channel_id)
    if not is_admin():
        abort(403, description="Only an admin of this account can change the channel.")
    return channel


def _tab_key(requested: str | None) -> str:
    keys = [t.key for t in TABS]
    return requested if requested in keys else keys[0]


@bp.get("/")
def index():
    channels = list(
        db.session.scalars(
            db.select(Channel)
            .where(Channel.account_id == current_account().id)
            .order_by(Channel.name)
        )
    )
    rows = []
    for channel in channels:
        last_run = latest_finished_run(channel)
        rows.append((channel, channel_status(channel, last_run), last_run))
    wizard = onboarding.live_session_for(current_user) if is_admin() else None
    return render_template(
        "channels/index.html",
        rows=rows,
        title="Channels",
        wizard=wizard,
        wizard_step=onboarding.STEP_LABELS.get(wizard.step, "") if wizard else "",
    )


def render_page(
    channel: Channel,
    form: ChannelSettingsForm,
    tab: str | None,
    status: int = 200,
    changed_elsewhere: list[tuple[str, str, str]] | None = None,
    not_live: list[Missing] | None = None,
):
    """The channel page with every tab; on a failed Save, the tabs with errors are marked."""
    error_tabs = [
        t.key
        for t in TABS
        if t.settings and any(tab_of(name) == t.key for name, errs in form.errors.items() if errs)
    ]
    active = _tab_key(tab)
    if error_tabs and active not in error_tabs:
        active = error_tabs[0]
    panels = {t.key: (t.context(channel) if t.context else {}) for t in TABS}
    last_run = latest_finished_run(channel)
    return render_template(
        "channels/show.html",
        title=channel.name,
        channel=channel,
        form=form,
        tabs=TABS,
        panels=panels,
        active_tab=active,
        error_tabs=error_tabs,
        can_edit=is_admin(),
        status=channel_status(channel, last_run),
        last_run=last_run,
        sync_kinds=SYNC_KINDS,
        sync_kind_labels=SYNC_KIND_LABELS,
        changed_elsewhere=changed_elsewhere,
        not_live=not_live,
        to_go_live=missing_to_go_live(channel),
        budget=api_budget(channel),
        last_runs={kind: run for kind, _label, run in last_runs(channel)},
        dashboard_host=dashboard_host(current_app.config["WIX_WWW_BASE"]),
    ), status


@bp.get("/<int:channel_id>")
def show(channel_id: int):
    channel = _channel_to_view(channel_id)
    return render_page(channel, ChannelSettingsForm.for_channel(channel), request.args.get("tab"))


@bp.post("/<int:channel_id>")
def save(channel_id: int):
    channel = _channel_to_edit(channel_id)
    form = ChannelSettingsForm()
    form.site_id.data = channel.site_id  # from Wix, whatever was posted (FROM_WIX)
    tab = request.form.get("tab")
    version = form.loaded_version()
    if version is not None and version != channel.settings_version:
        return _changed_elsewhere(channel, form, tab)
    if not form.validate():
        return render_page(channel, form, tab, status=422)
    values = form.values()
    turning_on = values["is_active"] and not channel.is_active
    if turning_on and (blocked := missing_to_go_live(channel, values)):
        return render_page(channel, form, tab, status=422, not_live=blocked)
    try:
        save_settings(channel, values, version)
    except StaleSettings:
        return _changed_elsewhere(_channel_to_edit(channel_id), form, tab)
    flash("Saved. The settings of all tabs are in effect.", "success")
    return redirect(url_for(".show", channel_id=channel.id, tab=_tab_key(tab)))


def _changed_elsewhere(channel: Channel, form: ChannelSettingsForm, tab: str | None):
    """A Save from a page older than the last Save: nothing saved, 409; the page keeps this
    tab's input, lists where it differs from what is saved, and now carries the new version
    (so Save again means 'keep mine'; Reload means 'keep theirs')."""
    differences = form.differences(ChannelSettingsForm.for_channel(channel))
    form.version.data = str(channel.settings_version)
    return render_page(channel, form, tab, status=409, changed_elsewhere=differences)


@bp.get("/<int:channel_id>/logo")
def logo(channel_id: int):
    channel = _channel_to_view(channel_id)
    if not channel.logo or channel.logo_mime not in LOGO_TYPES:
        abort(404)
    response = Response(channel.logo, mimetype=channel.logo_mime)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, max-age=300"
    return response


@bp.route("/<int:channel_id>/delete", methods=["GET", "POST"])
def delete(channel_id: int):
    channel = _channel_to_edit(channel_id)
    orders = db.session.scalar(
        db.select(db.func.count()).select_from(Order).where(Order.channel_id == channel.id)
    )
    typed = (request.form.get("confirm_name") or "").strip()
    error = None
    if request.method == "POST":
        if typed == channel.name.strip():
            name = channel.name
            kept = delete_channel(channel)
            flash(
                f"Channel {name} deleted. {plural(kept, 'imported order')} kept. "
                "You can connect Wix again with Add Wix channel.",
                "success",
            )
            return redirect(url_for(".index"))
        error = f"Type the channel name exactly as shown: {channel.name}"
    page = render_template(
        "channels/delete.html", channel=channel, orders=orders, typed=typed, error=error
    )
    return page, (422 if error else 200)


# Webhooks tab ------------------------------------------------------------------------------


def _webhooks_panel(channel: Channel, *, pending: dict | None = None, status: int = 200):
    """The Webhooks panel for htmx; a redirect to the tab for plain requests."""
    if not htmx:
        return redirect(url_for(".show", channel_id=channel.id, tab="webhooks"))
    panel = _webhooks_context(channel)
    return render_template(
        "channels/tabs/_webhooks.html",
        channel=channel,
        panel=panel,
        can_edit=is_admin(),
        pending=pending,
        partial=True,
    ), status


def _pending(channel: Channel, kind: str | None, signed: str | None, error: str | None = None):
    token = read_pending_endpoint(channel, signed or "") or new_webhook_token()
    return {
        "kind": kind if kind in ENDPOINT_KIND_LABELS else "",
        "signed": sign_pending_endpoint(channel, token),
        "url": webhook_url(token, current_app.config.get("PUBLIC_URL", ""), request.host_url),
        "error": error,
    }


@bp.get("/<int:channel_id>/webhooks")
def webhooks(channel_id: int):
    """The Webhooks panel as saved (Cancel comes here: nothing is stored)."""
    return _webhooks_panel(_channel_to_view(channel_id))


@bp.get("/<int:channel_id>/webhooks/new")
def webhook_new(channel_id: int):
    """Create → Type: the URL is generated here but only stored by Save endpoint."""
    channel = _channel_to_edit(channel_id)
    pending = _pending(channel, request.args.get("kind"), request.args.get("pending"))
    if not htmx:
        panel = _webhooks_context(channel)
        page = render_template(
            "channels/webhook_new.html", channel=channel, panel=panel, pending=pending
        )
        return page
    return _webhooks_panel(channel, pending=pending)


@bp.post("/<int:channel_id>/webhooks")
def webhook_save(channel_id: int):
    channel = _channel_to_edit(channel_id)
    kind = request.form.get("kind") or ""
    signed = request.form.get("pending") or ""
    try:
        endpoint = save_endpoint(channel, kind, signed)
    except EndpointNotSaved as exc:
        pending = _pending(channel, kind, signed, error=str(exc))
        if not htmx:
            panel = _webhooks_context(channel)
            page = render_template(
                "channels/webhook_new.html", channel=channel, panel=panel, pending=pending
            )
            return page, 422
        return _webhooks_panel(channel, pending=pending, status=422)
    flash(
        f"Webhook endpoint saved ({ENDPOINT_KIND_LABELS[endpoint.kind]}). "
        "Paste its URL in Wix if you have not yet.",
        "success",
    )
    return _webhooks_panel(channel)


def _endpoint(channel: Channel, endpoint_id: int) -> WebhookEndpoint:
    endpoint = db.session.get(WebhookEndpoint, endpoint_id)
    if endpoint is None or endpoint.channel_id != channel.id:
        abort(404)
    return endpoint


@bp.post("/<int:channel_id>/webhooks/<int:endpoint_id>/revoke")
def webhook_revoke(channel_id: int, endpoint_id: int):
    channel = _channel_to_edit(channel_id)
    revoke_endpoint(_endpoint(channel, endpoint_id))
    flash("Endpoint revoked: its URL no longer accepts deliveries.", "success")
    return _webhooks_panel(channel)


@bp.post("/<int:channel_id>/webhooks/<int:endpoint_id>/regenerate")
def webhook_regenerate(channel_id: int, endpoint_id: int):
    channel = _channel_to_edit(channel_id)
    regenerate_endpoint(_endpoint(channel, endpoint_id))
    flash("New URL generated. The old URL stopped working: paste the new one in Wix.", "success")
    return _webhooks_panel(channel)

"""/hooks/<token>: where Wix Automations and Wix app webhooks deliver events.

Also the Webhooks tab's deliveries list and its Replay action (logged-in, CSRF-checked).
"""

from __future__ import annotations

from typing import Literal

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from werkzeug.routing import BuildError

from wixoms.extensions import csrf, db, htmx
from wixoms.models import Channel, WebhookEndpoint, WebhookEvent
from wixoms.views.access import current_account, is_admin
from wixoms.webhooks import process
from wixoms.webhooks.answer import answer_delivery
from wixoms.webhooks.deliveries import recent_deliveries

bp = Blueprint("hooks", __name__, url_prefix="/hooks")
csrf.exempt(bp)


@bp.post("/wix")
def receive_app():
    """The wixoms App Market app's one webhook URL: every site's events, routed by instance."""
    return _answer("app", None)


@bp.post("/wix/<app_id>")
def receive_custom_app(app_id: str):
    """A merchant's own Wix app's webhook URL (Helm's way), verified with its public key."""
    return _answer("app", app_id)


@bp.post("/<token>")
def receive(token: str):
    """Verify, store, answer 200; the worker fetches the order from Wix afterwards."""
    return _answer("token", token)


def _answer(kind: Literal["token", "app"], key: str | None):
    """The same answer the WSGI intake (webhooks/intake_wsgi.py) gives these URLs first."""
    payload, status, headers = answer_delivery(kind, key, request)
    response = jsonify(payload)
    response.headers.update(headers)
    return response, status


def _scoped_endpoint(endpoint_id: int) -> WebhookEndpoint:
    endpoint = db.session.get(WebhookEndpoint, endpoint_id)
    channel = db.session.get(Channel, endpoint.channel_id) if endpoint else None
    if channel is None or channel.account_id != current_account().id:
        abort(404)
    return endpoint


@bp.get("/endpoints/<int:endpoint_id>/deliveries")
def deliveries(endpoint_id: int):
    """The deliveries partial of one endpoint (the Webhooks tab refreshes it with htmx)."""
    endpoint = _scoped_endpoint(endpoint_id)
    return render_template("channels/_webhook_deliveries.html", endpoint=endpoint)


@bp.post("/events/<int:event_id>/replay")
def replay(event_id: int):
    """Process a delivery again (fetching the order from Wix anew); re-render its endpoint."""
    if current_app.config.get("WTF_CSRF_ENABLED", True):
        csrf.protect()  # the blueprint is exempt for Wix's sake; this action is the merchant's
    event = db.session.get(WebhookEvent, event_id)
    if event is None or event.endpoint_id is None:
        abort(404)
    endpoint = _scoped_endpoint(event.endpoint_id)
    if not is_admin():
        abort(403, description="Only an admin of this account can replay deliveries.")
    process.replay(event.id)
    process.kick(current_app._get_current_object())
    if not htmx:
        flash("Replay queued: the order is fetched from Wix again.", "success")
        return redirect(_webhooks_tab(endpoint.channel_id))
    return render_template(
        "channels/_webhook_deliveries.html", endpoint=endpoint, replayed_id=event.id
    )


def _webhooks_tab(channel_id: int) -> str:
    try:
        return url_for("channels.show", channel_id=channel_id, tab="webhooks")
    except BuildError:
        return url_for("channels.index")


@bp.app_template_global()
def webhook_deliveries(endpoint: WebhookEndpoint, limit: int = 20):
    """Recent deliveries of an endpoint, newest first, for the Webhooks tab."""
    return recent_deliveries(endpoint.id, limit)

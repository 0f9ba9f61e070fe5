"""/hooks/<token>: where Wix Automations and Wix app webhooks deliver events.

Also the Webhooks tab's deliveries list and its Replay action (logged-in, CSRF-checked).
"""

from __future__ import annotations

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
from wixoms.webhooks import receive as inbox
from wixoms.webhooks.deliveries import recent_deliveries

bp = Blueprint("hooks", __name__, url_prefix="/hooks")
csrf.exempt(bp)


@bp.post("/<token>")
def receive(token: str):
    """Verify, store, answer 200; the worker fetches the order from Wix afterwards."""
    try:
        receipt = inbox.receive_delivery(
            token,
            content_length=request.content_length,
            read_body=request.stream.read,
            content_type=request.content_type or "",
            headers=request.headers,
        )
    except inbox.Rejected as rejected:
        response = jsonify(error={"code": rejected.code, "message": rejected.message})
        if rejected.retry_after is not None:
            response.headers["Retry-After"] = str(int(rejected.retry_after + 0.999))
        return response, rejected.status
    if receipt.duplicate:
        return jsonify(received=True, duplicate=True, event_id=receipt.event_id)
    process.kick(current_app._get_current_object())
    return jsonify(received=True, duplicate=False, event_id=receipt.event_id)


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

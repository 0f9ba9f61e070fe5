"""The channel page's permissions check (Channel settings tab → Check permissions)."""

from __future__ import annotations

from flask import Blueprint, render_template, url_for

from wixoms.extensions import htmx
from wixoms.models import Channel
from wixoms.onboarding.custom_app import EVENTS_TO_SUBSCRIBE
from wixoms.permission_check import check_channel
from wixoms.views.access import get_scoped_or_404
from wixoms.webhooks.app_hooks import app_webhook_url

bp = Blueprint("channel_permissions", __name__, url_prefix="/channels")


@bp.get("/<int:channel_id>/permissions")
def check(channel_id: int):
    """Probe what Wix grants the channel's app; say what is missing and how to add it."""
    channel = get_scoped_or_404(Channel, channel_id)
    context = {
        "report": check_channel(channel),
        "recheck_url": url_for("channel_permissions.check", channel_id=channel.id),
        "webhook_url": app_webhook_url(channel.custom_app_id) if channel.custom_app_id else "",
        "events": EVENTS_TO_SUBSCRIBE,
        "channel": channel,
    }
    if htmx:
        return render_template("_permissions_check.html", **context)
    return render_template("channels/permissions.html", **context)

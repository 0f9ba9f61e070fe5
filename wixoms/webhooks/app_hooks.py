"""App-wide webhook URLs: Wix app webhooks routed to their channel by ``instanceId``.

Wix sends every event of an app to the one webhook URL registered for that app, for every
site that installed it (wix-api.md §3): a JWT whose envelope names the ``instanceId``. So the
wixoms App Market app needs one URL for all channels (``/hooks/wix``, verified with
WIX_PUBLIC_KEY) and a merchant's own app one URL of its own (``/hooks/wix/<app id>``,
verified with the public key the merchant pasted). Nothing to set up per channel.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime

from flask import current_app, url_for
from sqlalchemy import func, select

from wixoms.extensions import db
from wixoms.models import Channel, WebhookEvent
from wixoms.webhooks.receive import (
    EndpointRef,
    Receipt,
    check_size,
    group_commit_enabled,
    kept_headers,
    limiter,
    max_bytes,
    store,
    store_grouped,
    too_large,
    writer,
)
from wixoms.webhooks.verify import Delivery, Rejected, app_event, with_wix_entity_id
from wixoms.wix import WebhookEvent as WixEvent


def receive_app_delivery(
    app_id: str | None,
    *,
    content_length: int | None,
    read_body: Callable[[int], bytes],
    content_type: str,
    headers: Mapping[str, str],
) -> Receipt | None:
    """Verify the JWT with the app's key, find the channel by instanceId, store the event.

    ``app_id`` None: the wixoms App Market app. Returns None when no channel has the instance
    (a site that installed the app but has not finished the wizard): Wix gets its 200 and
    reconciliation imports the orders once the channel exists.
    """
    check_size(content_length)
    public_key = _public_key(app_id)
    body = read_body(max_bytes() + 1)
    if len(body) > max_bytes():
        raise too_large()
    if not body.strip():
        raise Rejected(400, "EMPTY_BODY", "The request has no body.")
    event = _verified(body, public_key)
    channel = _channel_for(app_id, event.instance_id or "")
    if channel is None:
        return None
    endpoint = EndpointRef(None, "app", channel.id, channel.site_id, channel.instance_id)
    wait = limiter(current_app).acquire(("app", channel.id))
    if wait > 0:
        raise Rejected(
            429,
            "RATE_LIMITED",
            "Too many deliveries for this channel; retry later.",
            retry_after=max(1.0, round(wait, 1)),
        )
    delivery = Delivery(body=body, content_type=content_type, headers=kept_headers(headers))
    if group_commit_enabled(current_app):
        return store_grouped(writer(current_app), endpoint, delivery, event)
    with db.engine.connect() as conn:
        return store(conn, endpoint, delivery, event)


def _public_key(app_id: str | None) -> str:
    if app_id is None:
        key = current_app.config.get("WIX_PUBLIC_KEY") or ""
        if not key.strip():
            raise Rejected(
                503,
                "PUBLIC_KEY_MISSING",
                "wixoms has no Wix app public key (WIX_PUBLIC_KEY), so it cannot verify app "
                "webhooks yet; Wix will retry.",
            )
        return key
    key = db.session.scalar(
        select(Channel.custom_app_public_key)
        .where(Channel.custom_app_id == app_id[:64], Channel.custom_app_public_key.is_not(None))
        .limit(1)
    )
    if not key:
        raise Rejected(
            404,
            "UNKNOWN_APP",
            "No channel uses a Wix app with this id. Connect the channel with "
            "“Use your own Wix app” first, then paste this URL into the app's webhooks.",
        )
    return key


def _verified(body: bytes, public_key: str) -> WixEvent:
    return with_wix_entity_id(app_event(body, public_key))


def _channel_for(app_id: str | None, instance_id: str) -> Channel | None:
    if not instance_id:
        raise Rejected(400, "BAD_PAYLOAD", "Not a Wix webhook: it names no instanceId.")
    return db.session.scalar(
        select(Channel).where(
            Channel.instance_id == instance_id, Channel.custom_app_id == (app_id or "")
        )
    )


def last_app_delivery(channel_id: int) -> datetime | None:
    """When the channel's last app webhook (routed by instance, no endpoint) arrived."""
    return db.session.scalar(
        select(func.max(WebhookEvent.received_at)).where(
            WebhookEvent.channel_id == channel_id, WebhookEvent.endpoint_id.is_(None)
        )
    )


def app_webhook_url(app_id: str = "") -> str:
    """The URL Wix sends app webhooks to: the App Market app's, or a custom app's own."""
    endpoint, args = (
        ("hooks.receive_custom_app", {"app_id": app_id}) if app_id else ("hooks.receive_app", {})
    )
    public = (current_app.config.get("PUBLIC_URL") or "").rstrip("/")
    if public:
        return public + url_for(endpoint, **args)
    return url_for(endpoint, _external=True, **args)


@dataclass(frozen=True)
class RealTime:
    """The Webhooks tab's first line: are Wix app webhooks reaching this channel?"""

    on: bool
    reason: str  # why it is off (empty when on)
    last_delivery: datetime | None
    url: str  # a custom app's own URL to paste ("" for the App Market app)


def realtime_status(channel: Channel) -> RealTime:
    """On when the app's events can be verified and processed (Is Active or not yet: a freshly
    connected channel gets its orders at once); polling is the backstop."""
    custom = bool(channel.custom_app_id)
    has_key = bool(
        channel.custom_app_public_key if custom else current_app.config.get("WIX_PUBLIC_KEY")
    )
    reason = ""
    if not has_key:
        reason = (
            "your app's public key is missing: reconnect with “Use your own Wix app”"
            if custom
            else "wixoms has no Wix app public key (WIXOMS_WIX_PUBLIC_KEY); ask whoever runs it"
        )
    elif channel.needs_reconnect:
        reason = "the channel must be reconnected to Wix first"
    elif channel.channel_mode == "manual":
        reason = "Channel Mode is Manual"
    return RealTime(
        on=not reason,
        reason=reason,
        last_delivery=last_app_delivery(channel.id),
        url=app_webhook_url(channel.custom_app_id) if custom else "",
    )

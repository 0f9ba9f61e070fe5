"""Verifying a webhook delivery: is it Wix's, for this channel, and which event it carries.

Only reading: nothing is stored here (receive.py stores what this accepts).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from flask import current_app

from wixoms.wix import (
    InvalidWebhook,
    JsonTooDeep,
    load_json,
    parse_automation_request,
    verify_app_webhook,
)
from wixoms.wix import WebhookEvent as WixEvent
from wixoms.wix.ids import SHAPE as WIX_ID_SHAPE
from wixoms.wix.ids import is_wix_id

if TYPE_CHECKING:
    from wixoms.webhooks.receive import EndpointRef


class Rejected(Exception):
    """A request refused with an HTTP status and a stable error code (nothing stored)."""

    def __init__(
        self, status: int, code: str, message: str, *, retry_after: float | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.retry_after = retry_after


@dataclass(frozen=True)
class Delivery:
    """One HTTP request as received: the raw body and the headers that matter."""

    body: bytes
    content_type: str
    headers: dict[str, str]


def verify(endpoint: EndpointRef, delivery: Delivery) -> WixEvent:
    """Check a delivery for ``endpoint`` and read its event; Rejected when refused."""
    channel = endpoint
    if not delivery.body.strip():
        raise Rejected(400, "EMPTY_BODY", "The request has no body.")
    if not channel.site_id:
        # "Site ID is required for Webhooks to properly work" (techOMS guide).
        raise Rejected(
            409,
            "SITE_ID_MISSING",
            "The channel has no Site ID. Fill it in the Channel settings tab, Save, "
            "then Wix's retries will be accepted.",
        )
    if endpoint.kind == "app":
        event = _verified_app_event(channel, delivery.body)
    else:
        event = _automation_event(channel, delivery)
    return with_wix_entity_id(event)


def app_event(body: bytes, public_key: str) -> WixEvent:
    """A Wix app webhook (JWT) verified with the app's public key, or Rejected saying why."""
    try:
        event = verify_app_webhook(body, public_key)
    except InvalidWebhook as exc:
        if "signature" in str(exc):
            raise Rejected(
                401, "BAD_SIGNATURE", "The JWT signature (or its expiry) did not verify."
            ) from None
        raise Rejected(400, "BAD_PAYLOAD", f"Not a Wix webhook: {exc.message}.") from None
    return event


def with_wix_entity_id(event: WixEvent) -> WixEvent:
    """The worker puts the event's entity id in a Wix API path: refuse what no Wix id looks like."""
    if event.entity_id is not None and not is_wix_id(event.entity_id):
        raise Rejected(
            400, "BAD_ENTITY_ID", f"The order or product id is not a Wix id ({WIX_ID_SHAPE})."
        )
    return event


def _verified_app_event(channel: EndpointRef, body: bytes) -> WixEvent:
    public_key = channel.public_key or current_app.config.get("WIX_PUBLIC_KEY") or ""
    if not public_key.strip():
        raise Rejected(
            503,
            "PUBLIC_KEY_MISSING",
            "wixoms has no Wix app public key (WIX_PUBLIC_KEY), so it cannot verify app "
            "webhooks yet; Wix will retry.",
        )
    event = app_event(body, public_key)
    if event.instance_id != channel.instance_id:
        raise Rejected(
            401, "WRONG_INSTANCE", "The webhook is for another app instance than this channel."
        )
    return event


def _is_json(content_type: str) -> bool:
    mimetype = content_type.split(";", 1)[0].strip().lower()
    return mimetype == "application/json" or mimetype.endswith("+json")


def _automation_event(channel: EndpointRef, delivery: Delivery) -> WixEvent:
    if not _is_json(delivery.content_type):
        raise Rejected(
            400,
            "UNSUPPORTED_MEDIA_TYPE",
            "Send the body as JSON (Content-Type: application/json).",
        )
    try:
        payload = load_json(delivery.body)
    except JsonTooDeep:
        raise Rejected(
            400, "TOO_DEEP", "The JSON body is nested too deeply to be a Wix order."
        ) from None
    except ValueError:
        raise Rejected(400, "NOT_JSON", "The body is not valid JSON.") from None
    if not isinstance(payload, dict):
        raise Rejected(400, "NOT_JSON", "The body must be a JSON object.")
    try:
        event = parse_automation_request(payload)
    except InvalidWebhook:
        raise Rejected(
            400,
            "NO_ORDER_ID",
            "The body carries no order id (id, orderId or _id). In Wix, send the entire "
            "payload of the 'Order placed' trigger.",
        ) from None
    site_id = site_id_in(payload, delivery.headers)
    if site_id is not None and site_id != channel.site_id:
        raise Rejected(
            403, "WRONG_SITE", "The order belongs to another Wix site than this channel."
        )
    if event.instance_id is not None and event.instance_id != channel.instance_id:
        raise Rejected(
            403, "WRONG_INSTANCE", "The request is for another app instance than this channel."
        )
    return event


_SITE_KEYS = ("siteId", "metaSiteId", "msid")


def site_id_in(payload: Mapping[str, Any], headers: Mapping[str, str]) -> str | None:
    """The Wix site id an Automations request names, if it names one (keys undocumented)."""
    data = payload.get("data")
    order = data.get("order") if isinstance(data, Mapping) else None
    for scope in (payload, data, order):
        if isinstance(scope, Mapping):
            for key in _SITE_KEYS:
                value = scope.get(key)
                if isinstance(value, str) and value:
                    return value
    header = headers.get("X-Wix-Site-Id")
    return header or None

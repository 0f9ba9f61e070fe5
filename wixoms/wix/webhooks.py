"""Incoming Wix notifications: JWT app webhooks (§3) and Automations HTTP requests (§4)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

import jwt

from .errors import InvalidWebhook, WixPayloadError
from .models import parse_datetime

AUTOMATION_ORDER_PLACED = "automation.order_placed"


@dataclass(frozen=True)
class WebhookEvent:
    """One notification, whichever way it came. Dedupe on ``dedupe_key``."""

    event_id: str | None
    event_type: str
    instance_id: str | None
    entity_id: str | None
    order: dict[str, Any] | None
    event_time: datetime | None
    dedupe_key: str
    kind: Literal["app", "automation"]
    data: dict[str, Any] = field(default_factory=dict, repr=False)

    @property
    def is_order_event(self) -> bool:
        return self.order is not None or ".order" in self.event_type or self.kind == "automation"


def _json_layer(value: Any, name: str) -> dict[str, Any]:
    """Each JWT layer carries the next one as a JSON string (sometimes already an object)."""
    if isinstance(value, Mapping):
        return dict(value)
    if not isinstance(value, str):
        raise InvalidWebhook(f"webhook {name} is missing")
    try:
        parsed = json.loads(value)
    except ValueError:
        raise InvalidWebhook(f"webhook {name} is not JSON") from None
    if not isinstance(parsed, dict):
        raise InvalidWebhook(f"webhook {name} is not an object")
    return parsed


def _digest(raw: bytes | str) -> str:
    data = raw.encode() if isinstance(raw, str) else raw
    return hashlib.sha256(data).hexdigest()[:32]


def verify_app_webhook(
    body: bytes,
    public_key_pem: str,
    *,
    expected_instance_id: str | None = None,
) -> WebhookEvent:
    """Verify the RS256 JWT that is the whole body and unwrap its three layers.

    Raises InvalidWebhook on a bad signature, an expired token, another instance or a shape
    that is not Wix's.
    """
    token = body.decode("ascii", errors="replace").strip() if isinstance(body, bytes) else body
    try:
        claims = jwt.decode(
            token, public_key_pem, algorithms=["RS256"], options={"require": ["data"]}
        )
    except jwt.PyJWTError as exc:
        raise InvalidWebhook(f"webhook signature rejected: {type(exc).__name__}") from None
    envelope = _json_layer(claims.get("data"), "data")
    event_type = envelope.get("eventType")
    if not isinstance(event_type, str) or not event_type:
        raise InvalidWebhook("webhook has no eventType")
    instance_id = envelope.get("instanceId")
    if expected_instance_id is not None and instance_id != expected_instance_id:
        raise InvalidWebhook("webhook is for another app instance")
    event = _json_layer(envelope.get("data", "{}"), "event")
    return _app_event(event_type, instance_id, event, token)


def _app_event(
    event_type: str, instance_id: str | None, event: dict[str, Any], token: str
) -> WebhookEvent:
    order = None
    if isinstance(event.get("createdEvent"), Mapping):
        order = event["createdEvent"].get("entity")
    elif isinstance(event.get("updatedEvent"), Mapping):
        order = event["updatedEvent"].get("currentEntity")
    elif isinstance(event.get("actionEvent"), Mapping):
        order = (event["actionEvent"].get("body") or {}).get("order")
    if order is not None and not (".order" in event_type and isinstance(order, Mapping)):
        order = None  # an entity of another kind (product, inventory…)
    entity_id = event.get("entityId") or (order or {}).get("id") or event.get("productId")
    event_id = event.get("id")
    event_time = None
    if event.get("eventTime"):
        try:
            event_time = parse_datetime(event["eventTime"], "event.eventTime")
        except WixPayloadError:
            event_time = None
    # Legacy catalog v1 events have flat bodies and no event id: dedupe on their content.
    dedupe_key = f"app:{event_id}" if event_id else f"app:{event_type}:{_digest(token)}"
    return WebhookEvent(
        event_id=str(event_id) if event_id else None,
        event_type=event_type,
        instance_id=instance_id,
        entity_id=str(entity_id) if entity_id else None,
        order=dict(order) if isinstance(order, Mapping) else None,
        event_time=event_time,
        dedupe_key=dedupe_key,
        kind="app",
        data=event,
    )


_ID_KEYS = ("id", "orderId", "_id")


def _order_id(candidate: Any) -> str | None:
    if not isinstance(candidate, Mapping):
        return None
    for key in _ID_KEYS:
        if isinstance(candidate.get(key), str | int) and str(candidate[key]):
            return str(candidate[key])
    return None


def parse_automation_request(payload: Mapping[str, Any]) -> WebhookEvent:
    """Find the order in an Automations "Order placed → Send HTTP request" body.

    The keys are not documented (wix-api.md §4): look in body.data.order, body.data,
    body.order and body itself for id / orderId / _id. The body is a trigger only: fetch the
    order from the Orders API before trusting any of it. Raises InvalidWebhook when no order
    id is found.
    """
    if not isinstance(payload, Mapping):
        raise InvalidWebhook("automation body is not a JSON object")
    data = payload.get("data")
    candidates = [
        data.get("order") if isinstance(data, Mapping) else None,
        data,
        payload.get("order"),
        payload,
    ]
    for candidate in candidates:
        order_id = _order_id(candidate)
        if order_id:
            order = dict(candidate)  # type: ignore[arg-type]
            break
    else:
        raise InvalidWebhook("automation body carries no order id (id, orderId or _id)")
    event_time = None
    for key in ("createdDate", "_dateCreated", "dateCreated"):
        if isinstance(order.get(key), str):
            try:
                event_time = parse_datetime(order[key], f"order.{key}")
            except WixPayloadError:
                continue
            break
    instance_id = payload.get("instanceId")
    if not instance_id and isinstance(data, Mapping):
        instance_id = data.get("instanceId")
    return WebhookEvent(
        event_id=None,
        event_type=AUTOMATION_ORDER_PLACED,
        instance_id=str(instance_id) if instance_id else None,
        entity_id=order_id,
        order=order,
        event_time=event_time,
        # "Order placed" fires once per order; repeats are Wix's retries of the same delivery.
        dedupe_key=f"automation:order_placed:{order_id}",
        kind="automation",
        data=dict(payload),
    )

"""Incoming Wix notifications: JWT app webhooks (§3) and Automations HTTP requests (§4)."""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any, Literal

import jwt

from .errors import InvalidWebhook, WixPayloadError
from .models import parse_datetime

AUTOMATION_ORDER_PLACED = "automation.order_placed"
# Wix's payloads nest a few levels; anything far deeper is an attack on the parser.
MAX_JSON_DEPTH = 64


class JsonTooDeep(ValueError):
    """JSON nested deeper than MAX_JSON_DEPTH (or than Python's recursion limit)."""


def load_json(raw: bytes | str) -> Any:
    """``json.loads`` that refuses nesting deeper than MAX_JSON_DEPTH; ValueError otherwise."""
    try:
        value = json.loads(raw)
    except RecursionError:
        raise JsonTooDeep(f"JSON nested deeper than {MAX_JSON_DEPTH} levels") from None
    # Depth never exceeds the number of opening brackets in the text (quoted ones included):
    # a body with few of them (every Wix order) needs no walk of the parsed tree.
    text = raw.encode() if isinstance(raw, str) else raw
    if text.count(b"{") + text.count(b"[") <= MAX_JSON_DEPTH:
        return value
    stack = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, dict):
            node = node.values()
        elif not isinstance(node, list):
            continue
        if depth > MAX_JSON_DEPTH:
            raise JsonTooDeep(f"JSON nested deeper than {MAX_JSON_DEPTH} levels")
        stack.extend((child, depth + 1) for child in node)
    return value


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
    token_expired: bool = False  # a retry Wix re-sent with the JWT it signed long ago

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
        parsed = load_json(value)
    except JsonTooDeep:
        raise InvalidWebhook(f"webhook {name} is nested too deeply") from None
    except ValueError:
        raise InvalidWebhook(f"webhook {name} is not JSON") from None
    if not isinstance(parsed, dict):
        raise InvalidWebhook(f"webhook {name} is not an object")
    return parsed


def _digest(raw: bytes | str) -> str:
    data = raw.encode() if isinstance(raw, str) else raw
    return hashlib.sha256(data).hexdigest()[:32]


def issued_at(body: bytes | str) -> datetime | None:
    """The ``iat`` of a JWT body already verified on receipt (whole seconds), or None."""
    token = body.decode("ascii", errors="replace") if isinstance(body, bytes) else body
    try:
        claims = jwt.decode(token.strip(), options={"verify_signature": False})
    except jwt.PyJWTError:
        return None
    iat = claims.get("iat")
    if not isinstance(iat, int | float) or isinstance(iat, bool):
        return None
    try:
        return datetime.fromtimestamp(iat, tz=UTC)
    except (OverflowError, OSError, ValueError):
        return None


def verify_app_webhook(
    body: bytes,
    public_key_pem: str,
    *,
    expected_instance_id: str | None = None,
) -> WebhookEvent:
    """Verify the RS256 JWT that is the whole body and unwrap its three layers.

    Wix retries a delivery for hours with the JWT it signed first (wix-api.md §10), so an
    expired ``exp`` is no reason to drop an event: the signature proves Wix sent it, and the
    event id (``dedupe_key``) stops a replay from being processed twice. Raises
    InvalidWebhook on a bad signature, another instance or a shape that is not Wix's.
    """
    token = body.decode("ascii", errors="replace").strip() if isinstance(body, bytes) else body
    try:
        claims = jwt.decode(
            token,
            public_key_pem,
            algorithms=["RS256"],
            options={"require": ["data"], "verify_exp": False, "verify_iat": False},
        )
    except jwt.PyJWTError as exc:
        raise InvalidWebhook(f"webhook signature rejected: {type(exc).__name__}") from None
    exp = claims.get("exp")
    expired = isinstance(exp, int | float) and exp < time.time()
    envelope = _json_layer(claims.get("data"), "data")
    event_type = envelope.get("eventType")
    if not isinstance(event_type, str) or not event_type:
        raise InvalidWebhook("webhook has no eventType")
    instance_id = envelope.get("instanceId")
    if expected_instance_id is not None and instance_id != expected_instance_id:
        raise InvalidWebhook("webhook is for another app instance")
    event = _json_layer(envelope.get("data", "{}"), "event")
    return replace(_app_event(event_type, instance_id, event, token), token_expired=expired)


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

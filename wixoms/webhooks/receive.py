"""Receiving a webhook: find the endpoint, verify the request, store it, then answer.

Nothing here calls Wix: the request is checked and committed to the inbox
(WebhookEvent) before the 200, so it is never lost; the worker (process.py) does the rest.
"""

from __future__ import annotations

import hmac
import re
import secrets
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from flask import Flask, current_app
from sqlalchemy import Connection, bindparam, insert, select, update
from sqlalchemy.exc import IntegrityError

from wixoms.extensions import db
from wixoms.models import Channel, WebhookEndpoint, WebhookEvent
from wixoms.models._base import utcnow
from wixoms.webhooks.group_commit import GroupCommitWriter, InboxUnavailable
from wixoms.webhooks.lifecycle import EVENT_TYPES as LIFECYCLE_EVENTS
from wixoms.webhooks.ratelimit import TokenBucketLimiter
from wixoms.webhooks.verify import Delivery, Rejected, verify
from wixoms.wix import WebhookEvent as WixEvent

# Headers worth keeping with the raw body: what sent it, as what, and Wix's own.
KEPT_HEADERS = ("Content-Type", "Content-Length", "User-Agent", "X-Forwarded-For", "X-Request-Id")
DEFAULT_RATE_PER_SECOND = 20.0
DEFAULT_RATE_BURST = 100
DEFAULT_ENDPOINT_CACHE_S = 1.0
_ENDPOINT_CACHE_MAX = 1000
# Tokens are secrets.token_urlsafe(32); anything else is unknown without asking the database.
_TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_-]{1,64}")
# last_delivery_at is a hint for the channel page: writing it on every request would make
# concurrent deliveries to one endpoint queue up on its row.
_LAST_DELIVERY_EVERY_S = 5.0


@dataclass(frozen=True)
class Receipt:
    """What the inbox did with an accepted request."""

    event_id: int | None
    duplicate: bool


@dataclass(frozen=True)
class EndpointRef:
    """What receiving needs of an endpoint and its channel (one query, no ORM objects)."""

    id: int | None  # None: an app webhook routed by instance, with no endpoint (app_hooks)
    kind: str
    channel_id: int
    site_id: str
    instance_id: str
    public_key: str = ""  # the channel's own Wix app's key (Helm's way); "" → WIX_PUBLIC_KEY


_ENDPOINT_QUERY = (
    select(
        WebhookEndpoint.id,
        WebhookEndpoint.token,
        WebhookEndpoint.kind,
        WebhookEndpoint.revoked_at,
        Channel.id,
        Channel.site_id,
        Channel.instance_id,
        Channel.custom_app_public_key,
    )
    .join(Channel, Channel.id == WebhookEndpoint.channel_id)
    .where(WebhookEndpoint.token == bindparam("token"))
)


def receive_delivery(
    token: str,
    *,
    content_length: int | None,
    read_body: Callable[[int], bytes],
    content_type: str,
    headers: Mapping[str, str],
) -> Receipt:
    """The whole intake of one request: size, endpoint, rate, verification, inbox commit.

    One pooled connection and Core statements only: the ORM session's per-request set-up
    costs several times the two statements themselves (see bench/webhooks.py).
    """
    check_size(content_length)
    endpoint = find_endpoint(None, token)
    check_rate(endpoint)
    body = read_body(max_bytes() + 1)
    if len(body) > max_bytes():
        raise too_large()
    delivery = Delivery(body=body, content_type=content_type, headers=kept_headers(headers))
    event = verify(endpoint, delivery)
    if group_commit_enabled(current_app):
        return store_grouped(writer(current_app), endpoint, delivery, event)
    with db.engine.connect() as conn:
        return store(conn, endpoint, delivery, event)


def find_endpoint(conn: Connection | None, token: str) -> EndpointRef:
    """The live endpoint for a /hooks token; unknown and revoked tokens look the same.

    With conn None a pooled connection is taken only when the endpoint cache misses.
    """
    row = None
    if _TOKEN_SHAPE.fullmatch(token):  # a NUL or stray byte never reaches the database
        row = _cached_endpoint_row(conn, token)
    # The index lookup finds the row; the constant-time compare is what decides.
    matches = row is not None and hmac.compare_digest(row[1].encode(), token.encode())
    if not matches or row[3] is not None:
        raise Rejected(
            404,
            "UNKNOWN_ENDPOINT",
            "No webhook endpoint has this URL, or it was revoked. "
            "Create one in the channel's Webhooks tab and paste its URL into Wix.",
        )
    endpoint_id, _token, kind, _revoked, channel_id, site_id, instance_id, key = row
    return EndpointRef(endpoint_id, kind, channel_id, site_id or "", instance_id or "", key or "")


def _cached_endpoint_row(conn: Connection | None, token: str) -> tuple | None:
    """The endpoint row, remembered for WEBHOOK_ENDPOINT_CACHE_S (default 1 s) per process.

    Under load most deliveries hit the same few tokens; a second of staleness means a revoke or
    a new Site ID takes effect within a second, while the lookup leaves the hot path.
    """
    ttl = float(current_app.config.get("WEBHOOK_ENDPOINT_CACHE_S", DEFAULT_ENDPOINT_CACHE_S))
    cache: dict = current_app.extensions.setdefault("wixoms_webhook_endpoints", {})
    now = time.monotonic()
    hit = cache.get(token)
    if hit is not None and hit[0] > now:
        return hit[1]
    if conn is None:
        with db.engine.connect() as own:
            row = own.execute(_ENDPOINT_QUERY, {"token": token}).first()
    else:
        row = conn.execute(_ENDPOINT_QUERY, {"token": token}).first()
    if row is not None and ttl > 0:
        if len(cache) >= _ENDPOINT_CACHE_MAX:
            cache.clear()
        cache[token] = (now + ttl, tuple(row))
    return row


def limiter(app: Flask) -> TokenBucketLimiter:
    """This process's per-endpoint rate limiter (WEBHOOK_RATE_PER_SECOND, WEBHOOK_RATE_BURST)."""
    found = app.extensions.get("wixoms_webhook_limiter")
    if found is None:
        found = TokenBucketLimiter(
            float(app.config.get("WEBHOOK_RATE_PER_SECOND", DEFAULT_RATE_PER_SECOND)),
            int(app.config.get("WEBHOOK_RATE_BURST", DEFAULT_RATE_BURST)),
        )
        app.extensions["wixoms_webhook_limiter"] = found
    return found


def check_rate(endpoint: EndpointRef) -> None:
    """429 when this endpoint is over its rate."""
    wait = limiter(current_app).acquire(endpoint.id)
    if wait > 0:
        raise Rejected(
            429,
            "RATE_LIMITED",
            "Too many deliveries to this endpoint; retry later.",
            retry_after=max(1.0, round(wait, 1)),
        )


def check_size(content_length: int | None) -> None:
    """413 before reading a body whose declared length is over WEBHOOK_MAX_BYTES."""
    if content_length is not None and content_length > max_bytes():
        raise too_large()


def max_bytes() -> int:
    return int(current_app.config["WEBHOOK_MAX_BYTES"])


def too_large() -> Rejected:
    return Rejected(
        413, "PAYLOAD_TOO_LARGE", f"The body is larger than {max_bytes()} bytes; nothing stored."
    )


def dedupe_key(event: WixEvent) -> str:
    """Wix's event id, or order id + event type + updatedDate: a repeat maps to the same key.

    App lifecycle events are the exception: Wix gives them no id and signs whole seconds, so
    an install, a removal and a reinstall within one second carry byte-identical JWTs for the
    two installs. They are never folded together; ``lifecycle.apply`` orders them by ``iat``
    and applying one twice changes nothing."""
    if event.event_id:
        return event.dedupe_key[:200]
    if event.kind == "app" and event.event_type in LIFECYCLE_EVENTS:
        return f"{event.dedupe_key}:{secrets.token_hex(8)}"[:200]
    updated = ""
    if event.order is not None:
        updated = str(event.order.get("updatedDate") or event.order.get("_updatedDate") or "")
    if not event.entity_id:
        return event.dedupe_key[:200]
    return f"{event.kind}:{event.entity_id}:{event.event_type}:{updated}"[:200]


_TEXT_COLUMNS = ("dedupe_key", "event_type", "order_external_id", "order_number")


def inbox_row(endpoint: EndpointRef, delivery: Delivery, event: WixEvent) -> dict[str, Any]:
    """The WebhookEvent column values of an accepted delivery (400 if no column can hold them)."""
    key = dedupe_key(event)
    is_order = event.is_order_event and bool(event.entity_id)
    now = utcnow()
    row = {
        "endpoint_id": endpoint.id,
        "channel_id": endpoint.channel_id,
        "received_at": now,
        "headers": delivery.headers,
        "body": delivery.body,
        "dedupe_key": key,
        "event_type": event.event_type[:120],
        "order_external_id": (event.entity_id or "")[:64] if is_order else "",
        "order_number": str((event.order or {}).get("number") or "")[:40],
        "state": "pending",
        "attempts": 0,
        "next_attempt_at": now,
        "outcome": "",
        "error": None,
        "processed_at": None,
    }
    # PostgreSQL text cannot hold NUL: refuse for good (400) rather than a 503 Wix retries forever.
    if any("\x00" in row[column] for column in _TEXT_COLUMNS):
        raise Rejected(
            400, "BAD_PAYLOAD", "The order id, number or event type contains a NUL character."
        )
    return row


def group_commit_enabled(app: Flask) -> bool:
    """WEBHOOK_GROUP_COMMIT (default on): share one commit among concurrent requests."""
    value = app.config.get("WEBHOOK_GROUP_COMMIT", True)
    if isinstance(value, str):
        return value.strip().lower() not in ("0", "off", "false", "no")
    return bool(value)


def writer(app: Flask) -> GroupCommitWriter:
    """This process's inbox writer (one per app and engine)."""
    found = app.extensions.get("wixoms_inbox_writer")
    if found is None:
        with _WRITER_LOCK:
            found = app.extensions.get("wixoms_inbox_writer")
            if found is None:
                found = GroupCommitWriter(db.engine)
                app.extensions["wixoms_inbox_writer"] = found
    return found


_WRITER_LOCK = threading.Lock()


def store_grouped(
    inbox: GroupCommitWriter, endpoint: EndpointRef, delivery: Delivery, event: WixEvent
) -> Receipt:
    """Hand the row to the group-commit writer; return once its batch has committed."""
    try:
        event_id, duplicate = inbox.submit(inbox_row(endpoint, delivery, event))
    except InboxUnavailable:
        raise Rejected(
            503,
            "INBOX_UNAVAILABLE",
            "The delivery could not be stored just now; nothing was kept. Retry later.",
            retry_after=1.0,
        ) from None
    return Receipt(event_id=event_id, duplicate=duplicate)


def store(conn: Connection, endpoint: EndpointRef, delivery: Delivery, event: WixEvent) -> Receipt:
    """Commit the raw delivery alone; a repeat (same dedupe key) is a harmless duplicate."""
    values = inbox_row(endpoint, delivery, event)
    key = values["dedupe_key"]
    try:
        event_id = conn.execute(_INSERT_EVENT, values).scalar_one()
        _touch_endpoint(conn, endpoint.id)
        conn.commit()
    except IntegrityError:
        conn.rollback()
        existing = conn.scalar(
            select(WebhookEvent.id).where(
                WebhookEvent.channel_id == endpoint.channel_id, WebhookEvent.dedupe_key == key
            )
        )
        if existing is None:
            raise
        return Receipt(event_id=existing, duplicate=True)
    return Receipt(event_id=event_id, duplicate=False)


_INSERT_EVENT = insert(WebhookEvent).returning(WebhookEvent.id)


def _touch_endpoint(conn: Connection, endpoint_id: int) -> None:
    written = current_app.extensions.setdefault("wixoms_webhook_touched", {})
    now = time.monotonic()
    if now - written.get(endpoint_id, -1e9) < _LAST_DELIVERY_EVERY_S:
        return
    written[endpoint_id] = now
    conn.execute(
        update(WebhookEndpoint)
        .where(WebhookEndpoint.id == endpoint_id)
        .values(last_delivery_at=utcnow())
    )


def kept_headers(headers: Mapping[str, str]) -> dict[str, str]:
    """The request headers stored with the body: KEPT_HEADERS and every X-Wix-* one."""
    kept = {}
    for name, value in headers.items():
        if name in KEPT_HEADERS or name.lower().startswith("x-wix-"):
            kept[name] = value[:500]
    return kept

"""One answer to one Wix delivery, whichever layer received it (the WSGI intake or a view).

A delivery is read, verified and committed to the inbox before its 200 (receive.py,
app_hooks.py); this turns that into the JSON Wix gets and wakes the worker.
"""

from __future__ import annotations

from typing import Any, Literal, Protocol

from flask import current_app

from wixoms.webhooks import app_hooks, process
from wixoms.webhooks import receive as inbox

Answer = tuple[dict[str, Any], int, dict[str, str]]


class DeliveryRequest(Protocol):
    """What the inbox reads of a request: a werkzeug or Flask request both fit."""

    content_length: int | None
    content_type: str | None
    headers: Any
    stream: Any


def answer_delivery(kind: Literal["token", "app"], key: str | None, req: DeliveryRequest) -> Answer:
    """Store one delivery and say what became of it: (JSON body, status, extra headers).

    ``kind`` "token": /hooks/<token> (Automations, or app webhooks to an endpoint of their
    own); "app": /hooks/wix (key None) or /hooks/wix/<app id>, routed by instanceId."""
    delivery = {
        "content_length": req.content_length,
        "read_body": req.stream.read,
        "content_type": req.content_type or "",
        "headers": req.headers,
    }
    try:
        if kind == "app":
            receipt = app_hooks.receive_app_delivery(key, **delivery)
        else:
            receipt = inbox.receive_delivery(key or "", **delivery)
    except inbox.Rejected as rejected:
        headers = {}
        if rejected.retry_after is not None:
            headers["Retry-After"] = str(int(rejected.retry_after + 0.999))
        return (
            {"error": {"code": rejected.code, "message": rejected.message}},
            rejected.status,
            headers,
        )
    if receipt is None:  # no channel has this instance (yet): nothing to do, Wix may stop
        return {"received": True, "routed": False}, 200, {}
    if not receipt.duplicate:
        process.kick(current_app._get_current_object())
    return {"received": True, "duplicate": receipt.duplicate, "event_id": receipt.event_id}, 200, {}

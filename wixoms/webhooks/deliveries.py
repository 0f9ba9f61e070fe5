"""The Webhooks tab's view of an endpoint: its recent deliveries and what became of each."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from wixoms.extensions import db
from wixoms.models import WebhookEvent

EVENT_LABELS = {
    "automation.order_placed": "Order placed (Automation)",
    "wix.ecom.v1.order_created": "Order created",
    "wix.ecom.v1.order_updated": "Order updated",
    "wix.ecom.v1.order_approved": "Order approved",
    "wix.ecom.v1.order_canceled": "Order canceled",
    "wix.ecom.v1.order_payment_status_updated": "Payment status updated",
    "wix.ecom.v1.order_fulfilled": "Order fulfilled",
    "wix.ecom.v1.order_committed": "Order committed",
}
# state → (label, badge class of static/css/app.css)
STATE_BADGES = {
    "pending": ("Queued", "info"),
    "processing": ("Processing", "info"),
    "done": ("Done", "ok"),
    "ignored": ("Ignored", "warn"),
    "failed": ("Retrying", "warn"),
    "parked": ("Parked", "bad"),
}


@dataclass(frozen=True)
class DeliveryRow:
    """One row of the deliveries list."""

    id: int
    received_at: datetime
    event_type: str
    type_label: str
    order_number: str
    order_external_id: str
    state: str
    state_label: str
    badge: str
    detail: str
    attempts: int
    next_attempt_at: datetime | None

    @property
    def can_replay(self) -> bool:
        return self.state not in ("pending", "processing")


def type_label(event_type: str) -> str:
    """'Order created' for wix.ecom.v1.order_created; the raw type for anything unknown."""
    return EVENT_LABELS.get(event_type) or event_type.rsplit(".", 1)[-1] or "Unknown"


def recent_deliveries(endpoint_id: int, limit: int = 20) -> list[DeliveryRow]:
    """The endpoint's latest deliveries, newest first."""
    events = db.session.scalars(
        select(WebhookEvent)
        .where(WebhookEvent.endpoint_id == endpoint_id)
        .order_by(WebhookEvent.id.desc())
        .limit(limit)
    )
    return [_row(e) for e in events]


def _row(event: WebhookEvent) -> DeliveryRow:
    label, badge = STATE_BADGES.get(event.state, (event.state.title(), "info"))
    detail = event.outcome if event.state == "done" else (event.error or event.outcome or "")
    return DeliveryRow(
        id=event.id,
        received_at=event.received_at,
        event_type=event.event_type,
        type_label=type_label(event.event_type),
        order_number=event.order_number,
        order_external_id=event.order_external_id,
        state=event.state,
        state_label=label,
        badge=badge,
        detail=detail or "",
        attempts=event.attempts,
        next_attempt_at=event.next_attempt_at,
    )

"""Webhook endpoints (the /hooks/<token> URLs) and the durable inbox of received events."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from wixoms.extensions import db
from wixoms.models._base import UTCDateTime, utcnow

ENDPOINT_KINDS = ("automation", "app")
EVENT_STATES = ("pending", "processing", "done", "ignored", "failed", "parked")


class WebhookEndpoint(db.Model):
    __tablename__ = "webhook_endpoints"

    id: Mapped[int] = mapped_column(primary_key=True)
    channel_id: Mapped[int] = mapped_column(ForeignKey("channels.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(12), default="automation")
    token: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_delivery_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    channel = relationship("Channel", back_populates="webhook_endpoints")


class WebhookEvent(db.Model):
    __tablename__ = "webhook_events"
    __table_args__ = (
        UniqueConstraint("channel_id", "dedupe_key"),
        Index("ix_webhook_events_state_id", "state", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    endpoint_id: Mapped[int | None] = mapped_column(
        ForeignKey("webhook_endpoints.id", ondelete="SET NULL"), index=True
    )
    channel_id: Mapped[int | None] = mapped_column(ForeignKey("channels.id", ondelete="SET NULL"))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    headers: Mapped[dict] = mapped_column(JSON, default=dict)
    body: Mapped[bytes] = mapped_column(LargeBinary)
    dedupe_key: Mapped[str] = mapped_column(String(200))
    event_type: Mapped[str] = mapped_column(String(120), default="")
    order_external_id: Mapped[str] = mapped_column(String(64), default="")
    order_number: Mapped[str] = mapped_column(String(40), default="")
    state: Mapped[str] = mapped_column(String(12), default="pending")
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    error: Mapped[str | None] = mapped_column(Text)
    # What processing did, for the Webhooks tab ("created order #1001", "skipped: status …").
    outcome: Mapped[str] = mapped_column(String(200), default="", server_default="")
    processed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The raw body and headers carry the buyer's personal data: blanked with the order's, or
    # after WEBHOOK_BODY_RETENTION_DAYS (wixoms.sync.privacy).
    body_purged_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

"""Sync runs, their log, checkpoints, and the leases that keep runs and the scheduler single."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from wixoms.extensions import db
from wixoms.models._base import UTCDateTime, utcnow

RUN_STATES = ("queued", "running", "succeeded", "partial", "failed", "skipped")
TRIGGERS = ("schedule", "manual", "webhook", "reconcile", "recovery")


class SyncRun(db.Model):
    __tablename__ = "sync_runs"
    __table_args__ = (Index("ix_sync_runs_channel_kind_state", "channel_id", "kind", "state"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    channel_id: Mapped[int] = mapped_column(ForeignKey("channels.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))
    trigger: Mapped[str] = mapped_column(String(12), default="manual")
    state: Mapped[str] = mapped_column(String(12), default="queued", index=True)
    dry_run: Mapped[bool] = mapped_column(default=False)
    total: Mapped[int | None] = mapped_column()
    seen: Mapped[int] = mapped_column(default=0)
    created: Mapped[int] = mapped_column(default=0)
    updated: Mapped[int] = mapped_column(default=0)
    skipped: Mapped[int] = mapped_column(default=0)
    held: Mapped[int] = mapped_column(default=0)
    failed: Mapped[int] = mapped_column(default=0)
    api_calls: Mapped[int] = mapped_column(default=0)
    summary: Mapped[str] = mapped_column(Text, default="")
    error: Mapped[str | None] = mapped_column(Text)
    owner: Mapped[str] = mapped_column(String(80), default="")
    queued_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    heartbeat_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    entries: Mapped[list[SyncLogEntry]] = relationship(
        back_populates="run", cascade="all, delete-orphan", order_by="SyncLogEntry.id"
    )


class SyncLogEntry(db.Model):
    __tablename__ = "sync_log_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("sync_runs.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    level: Mapped[str] = mapped_column(String(8), default="info")
    item_ref: Mapped[str] = mapped_column(String(120), default="")
    message: Mapped[str] = mapped_column(Text)

    run: Mapped[SyncRun] = relationship(back_populates="entries")


class SyncCheckpoint(db.Model):
    """Where the next run of a kind resumes: a Wix cursor and/or an updated-since time."""

    __tablename__ = "sync_checkpoints"

    channel_id: Mapped[int] = mapped_column(
        ForeignKey("channels.id", ondelete="CASCADE"), primary_key=True
    )
    kind: Mapped[str] = mapped_column(String(20), primary_key=True)
    cursor: Mapped[str | None] = mapped_column(Text)
    updated_since: Mapped[datetime | None] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


class Lease(db.Model):
    """A named lease row: the scheduler's, and one per channel and sync kind."""

    __tablename__ = "leases"

    name: Mapped[str] = mapped_column(String(80), primary_key=True)
    owner: Mapped[str] = mapped_column(String(80))
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())


class JobTimer(db.Model):
    """When a scheduled job is next due: kept here so a new scheduler leader keeps the rhythm."""

    __tablename__ = "job_timers"

    job_id: Mapped[str] = mapped_column(String(80), primary_key=True)
    minutes: Mapped[int] = mapped_column()
    next_due_at: Mapped[datetime] = mapped_column(UTCDateTime())

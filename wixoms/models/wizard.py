"""Onboarding wizard state, kept in the database so reloads, back and second tabs work."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from wixoms.crypto import EncryptedText
from wixoms.extensions import db
from wixoms.models._base import UTCDateTime, utcnow


class WizardSession(db.Model):
    __tablename__ = "wizard_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Random, unguessable: the OAuth state value and the wizard's URL key.
    state: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    step: Mapped[str] = mapped_column(String(20), default="connect")
    auth_flow: Mapped[str] = mapped_column(String(10), default="oauth")
    instance_id: Mapped[str] = mapped_column(String(64), default="")
    site_id: Mapped[str] = mapped_column(String(64), default="")
    site_url: Mapped[str] = mapped_column(String(255), default="")
    site_name: Mapped[str] = mapped_column(String(120), default="")
    api_url: Mapped[str] = mapped_column(String(255), default="")
    access_token: Mapped[str | None] = mapped_column(EncryptedText)
    refresh_token: Mapped[str | None] = mapped_column(EncryptedText)
    token_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    catalog_version: Mapped[str] = mapped_column(String(24), default="")
    account_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id", ondelete="SET NULL"))
    error: Mapped[str | None] = mapped_column(Text)
    channel_id: Mapped[int | None] = mapped_column(ForeignKey("channels.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

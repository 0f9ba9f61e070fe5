"""Onboarding wizard state, kept in the database so reloads, back and second tabs work."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, event, inspect
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
    # Counts the merchant's decisions: a step form carries it, so a second tab's stale
    # step is refused ("changed in another tab") instead of silently overriding the first.
    revision: Mapped[int] = mapped_column(default=1, server_default="1")
    # "Use your own Wix app": the merchant's app credentials, copied to the channel on Save.
    custom_app_id: Mapped[str] = mapped_column(String(64), default="", server_default="")
    custom_app_secret: Mapped[str | None] = mapped_column(EncryptedText)
    custom_app_public_key: Mapped[str | None] = mapped_column(Text)
    # "wixoms" when the merchant pressed Add Wix channel (the state proves it); "wix" when a
    # link from Wix began it: then nothing goes on before confirmed_at (site and account named).
    origin: Mapped[str] = mapped_column(String(8), default="wixoms", server_default="wixoms")
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class UsedSignedInstance(db.Model):
    """Signed instances already accepted: each works once, and is forgotten after its age."""

    __tablename__ = "used_signed_instances"

    digest: Mapped[str] = mapped_column(String(64), primary_key=True)  # sha256 of the signature
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)


# The columns whose change makes another tab's open step stale (not expiry or tokens).
DECISIONS = ("step", "instance_id", "site_id", "catalog_version", "account_id", "error",
             "channel_id", "completed_at", "confirmed_at")  # fmt: skip


@event.listens_for(WizardSession, "before_update")
def _count_decision(_mapper, _connection, ws: WizardSession) -> None:
    state = inspect(ws)
    if any(state.attrs[name].history.has_changes() for name in DECISIONS):
        ws.revision = (ws.revision or 1) + 1

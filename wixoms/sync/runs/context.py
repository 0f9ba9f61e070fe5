"""What a sync function works with: the run, its channel, a lazy Wix client, counters, log."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import update

from wixoms.extensions import db
from wixoms.models import Channel, Lease, SyncCheckpoint, SyncLogEntry, SyncRun
from wixoms.models._base import utcnow
from wixoms.sync.runs.leases import lease_seconds, run_lease_name
from wixoms.wix import WixClient

COUNTERS = ("seen", "created", "updated", "skipped", "held", "failed")
LEVELS = ("debug", "info", "warning", "error")


class RunSkipped(Exception):
    """Raised by ``ctx.skip(reason)``: the run ends as skipped, with the reason in the log."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class LeaseLost(Exception):
    """Another process took this run's lease over (we were presumed dead): stop writing."""


# --- privacy in logs -------------------------------------------------------------------------

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
_PHONE = re.compile(r"\+\d[\d\s().-]{5,}\d")


def redact(text: str, secrets: set[str] | None = None) -> str:
    """Replace e-mail addresses, international phone numbers and known buyer values."""
    for value in sorted(secrets or (), key=len, reverse=True):
        if value and len(value) >= 3:
            text = text.replace(value, "[redacted]")
    text = _EMAIL.sub("[email]", text)
    return _PHONE.sub("[phone]", text)


# --- the context a sync function works with ---------------------------------------------------


class RunContext:
    """What a sync function gets: the run, its channel, a lazy Wix client, counters and log."""

    def __init__(self, run: SyncRun, channel: Channel, owner: str, config: Any = None) -> None:
        self.run = run
        self.channel = channel
        self.owner = owner
        self.config = config if config is not None else current_app.config
        self.dry_run = bool(channel.dry_run)
        self._client: WixClient | None = None
        self._pii: set[str] = set()
        self._calls_before = 0

    @property
    def client(self) -> WixClient:
        """The channel's Wix client, built on first use (renewed tokens are stored)."""
        if self._client is None:
            from wixoms.connection import client_for

            self._client = client_for(self.channel, self.config)
            self._calls_before = self._client.calls
        return self._client

    @property
    def api_calls(self) -> int:
        return 0 if self._client is None else self._client.calls - self._calls_before

    def mark_pii(self, *values: str | None, replace: bool = False) -> None:
        """Values (a buyer's email, phone, name) that must never appear in the log.

        ``replace`` forgets the previous item's values: per-item work keeps the set small.
        """
        if replace:
            self._pii = set()
        self._pii.update(v for v in values if v)

    def log(self, level: str, message: str, item_ref: str = "") -> None:
        """Add a per-run log entry (kept with the next commit); PII removed when configured."""
        if level not in LEVELS:
            level = "info"
        if self.channel.exclude_pii_from_logs:
            message = redact(message, self._pii)
            item_ref = redact(item_ref, self._pii)
        db.session.add(
            SyncLogEntry(run_id=self.run.id, level=level, message=message, item_ref=item_ref[:120])
        )

    def count(self, field: str, n: int = 1) -> None:
        """Add ``n`` to a progress counter: seen, created, updated, skipped, held, failed."""
        if field not in COUNTERS:
            raise ValueError(f"unknown counter {field!r}; one of {COUNTERS}")
        setattr(self.run, field, (getattr(self.run, field) or 0) + n)

    def set_total(self, n: int | None) -> None:
        """How many items the run expects to see (drives the progress bar)."""
        self.run.total = n

    def commit(self) -> None:
        """Commit the work done so far with counters, heartbeat and lease: durable progress.

        Raises LeaseLost (after rolling back) if another process took the run's lease over.
        """
        now = utcnow()
        self.run.heartbeat_at = now
        self.run.api_calls = self.api_calls
        renewed = db.session.execute(
            update(Lease)
            .where(
                Lease.name == run_lease_name(self.channel.id, self.run.kind),
                Lease.owner == self.owner,
            )
            .values(expires_at=now + timedelta(seconds=lease_seconds()))
        ).rowcount
        if not renewed:
            db.session.rollback()
            raise LeaseLost(
                "Another process took over this sync (this one was presumed stopped); "
                "work since the last checkpoint was not saved."
            )
        db.session.commit()

    def get_checkpoint(self) -> SyncCheckpoint:
        """This channel's and kind's checkpoint (a new empty one the first time)."""
        cp = db.session.get(SyncCheckpoint, (self.channel.id, self.run.kind))
        if cp is None:
            cp = SyncCheckpoint(channel_id=self.channel.id, kind=self.run.kind)
            if not self.dry_run:  # a dry run leaves no trace but its log
                db.session.add(cp)
        return cp

    def save_checkpoint(
        self,
        *,
        cursor: str | None = None,
        updated_since: datetime | None = None,
        commit: bool = True,
    ) -> SyncCheckpoint:
        """Move the checkpoint; with ``commit`` it is committed with the page's work, atomically.

        Call it after the page it covers has been processed: the cursor then never runs ahead of
        committed work. ``updated_since=None`` keeps the previous value.
        """
        cp = self.get_checkpoint()
        if self.dry_run:
            return cp
        cp.cursor = cursor
        if updated_since is not None:
            cp.updated_since = updated_since
        cp.updated_at = utcnow()
        if commit:
            self.commit()
        return cp

    def skip(self, reason: str) -> None:
        """End the run as skipped, with ``reason`` shown in the Sync log."""
        raise RunSkipped(reason)

    def close(self) -> None:
        if self._client is not None:
            self._client.close()

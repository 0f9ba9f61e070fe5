"""Time and leases: one run per channel and kind at a time, across processes.

A Lease row named ``sync:<channel id>:<kind>`` works on SQLite and PostgreSQL alike. Lease
times come from the database's clock (``db_now``), so hosts whose clocks drift apart never
take a live lease nor keep a dead one."""

from __future__ import annotations

import logging
import os
import re
import socket
import threading
import uuid
from datetime import UTC, datetime, timedelta

from flask import current_app
from sqlalchemy import Connection, delete, insert, text, update
from sqlalchemy.exc import IntegrityError

from wixoms.extensions import db
from wixoms.models import Lease
from wixoms.models._base import utcnow

log = logging.getLogger(__name__)

# A run's lease is renewed by a keeper thread of the process executing it (every quarter of
# this), and at every ctx.commit(): a run whose process died loses its lease within this window
# and is recovered at once, however slow its pages (Wix's rate-limit backoff) were.
DEFAULT_LEASE_SECONDS = 20
_RUN_IN_OWNER = re.compile(r":run(\d+):")


def aware(value: datetime | None) -> datetime | None:
    """SQLite hands datetimes back naive; every stored time is UTC."""
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=UTC)


def db_now(conn: Connection | None = None) -> datetime:
    """Now by the database's clock: PostgreSQL's ``clock_timestamp()``, shared by every host.

    SQLite is a file on one host, so its clock is this host's."""
    if db.engine.dialect.name != "postgresql":
        return utcnow()
    bind = conn if conn is not None else db.session
    value = bind.execute(text("SELECT clock_timestamp()")).scalar_one()
    return value.astimezone(UTC)


def lease_seconds() -> int:
    return int(current_app.config.get("SYNC_LEASE_SECONDS", DEFAULT_LEASE_SECONDS))


def new_owner(label: str = "run") -> str:
    """A lease owner id unique to this process and call: host:pid:label:random."""
    return f"{socket.gethostname()[:30]}:{os.getpid()}:{label}:{uuid.uuid4().hex[:8]}"[:80]


def acquire_lease(name: str, owner: str, ttl_s: float) -> bool:
    """Take (or renew) the named lease if it is free, expired or already ours.

    Uses its own connection and transaction, so call it with no write pending in the session
    (on SQLite the session's write lock would otherwise block it).
    """
    with db.engine.begin() as conn:
        now = db_now(conn)
        expires = now + timedelta(seconds=ttl_s)
        taken = conn.execute(
            update(Lease)
            .where(Lease.name == name, (Lease.expires_at < now) | (Lease.owner == owner))
            .values(owner=owner, expires_at=expires)
        ).rowcount
        if taken:
            return True
    try:
        with db.engine.begin() as conn:
            conn.execute(insert(Lease).values(name=name, owner=owner, expires_at=expires))
        return True
    except IntegrityError:
        return False


def run_of_owner(owner: str) -> int | None:
    """The run id a run executor's lease owner names (``new_owner(f"run{id}")``), if any."""
    found = _RUN_IN_OWNER.search(owner or "")
    return int(found.group(1)) if found else None


class LeaseKeeper:
    """Renews a lease from a daemon thread until stopped (the run's process is alive)."""

    def __init__(self, app: object, name: str, owner: str, ttl_s: float) -> None:
        self.app = app
        self.name, self.owner, self.ttl_s = name, owner, ttl_s
        self.lost = False
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"lease-{name}", daemon=True)

    def start(self) -> LeaseKeeper:
        self._thread.start()
        return self

    def _run(self) -> None:
        while not self._stop.wait(max(0.2, self.ttl_s / 4)):
            try:
                with self.app.app_context():  # type: ignore[attr-defined]
                    if not acquire_lease(self.name, self.owner, self.ttl_s):
                        self.lost = True
                        return
            except Exception:  # the database is busy: the next beat tries again
                log.warning("could not renew lease %s", self.name, exc_info=True)

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive() and self._thread is not threading.current_thread():
            self._thread.join(timeout=5)


def release_lease(name: str, owner: str) -> None:
    """Give the lease back (only if we still hold it)."""
    with db.engine.begin() as conn:
        conn.execute(delete(Lease).where(Lease.name == name, Lease.owner == owner))


def lease_holder(name: str) -> Lease | None:
    """The live holder of a lease, or None when it is free or expired."""
    lease = db.session.get(Lease, name, populate_existing=True)
    if lease is None or aware(lease.expires_at) < db_now():
        return None
    return lease


def run_lease_name(channel_id: int, kind: str) -> str:
    return f"sync:{channel_id}:{kind}"

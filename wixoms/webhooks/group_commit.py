"""Group commit for the webhook inbox: many requests, one transaction, one WAL flush.

Under threaded workers (gunicorn gthread) every request queues its inbox row. The request that
finds no batch being written leads: it takes every row queued so far, inserts them in one
transaction (INSERT ... ON CONFLICT DO NOTHING RETURNING, so each row still learns whether it was
a duplicate), commits once, wakes the requests of that batch, and hands the lead to the first
row queued meanwhile. A request therefore answers only after the commit that holds its row: the
durability promise is the same as one commit per request, the fsync is shared. Nothing waits for
a batch to fill: while one commit is in flight the next requests queue up, so batches grow with
the load and stay at one row when idle. The leader writes on its own thread, so a batch costs no
hand-off to a writer thread and back (bench/webhooks.py: 12 context switches per delivery with
a writer thread).
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import JSON, Connection, Engine, select, tuple_, update
from sqlalchemy.exc import DBAPIError

from wixoms.models import WebhookEndpoint, WebhookEvent
from wixoms.models._base import utcnow

log = logging.getLogger(__name__)

DEFAULT_MAX_BATCH = 256
# How long a request waits for its batch before answering 503 (Wix retries).
DEFAULT_WAIT_S = 10.0
# A connection idle this long is given back to the pool; the next batch takes a checked one.
DEFAULT_IDLE_S = 2.0
# last_delivery_at is a hint for the channel page, written at most this often per endpoint.
TOUCH_EVERY_S = 5.0
_EVENTS = WebhookEvent.__table__


class InboxUnavailable(Exception):
    """The row's batch did not commit (or not in time): nothing of it is stored."""


@dataclass(eq=False)
class _Pending:
    values: dict[str, Any]
    wake: threading.Event = field(default_factory=threading.Event)  # settled, or now leads
    settled: bool = False
    leads: bool = False
    event_id: int | None = None
    duplicate: bool = False
    error: BaseException | None = None

    @property
    def key(self) -> tuple[int, str]:
        return (self.values["channel_id"], self.values["dedupe_key"])

    def settle(self, error: BaseException | None = None) -> None:
        self.error = error
        self.settled = True
        self.wake.set()


class _ValuesInsert:
    """PostgreSQL: a whole batch as one multi-row INSERT on the driver's own cursor.

    SQLAlchemy's multi-row INSERT compiles the statement, runs every value through its type's
    bind processing in Python and builds a result object: a third of a worker's CPU under load,
    more than the rest of the delivery (bench/webhooks.py). Here the statement text is built
    once per batch size and psycopg adapts the values in C. The columns come from the rows'
    own keys (inbox_row; the same for every row) and their types from the model, so a migration
    that renames one fails here as it would in SQLAlchemy."""

    def __init__(self) -> None:
        import psycopg

        self._driver_error = psycopg.Error
        self._json = {c.name for c in _EVENTS.columns if isinstance(c.type, JSON)}
        self._sql: dict[tuple[tuple[str, ...], int], str] = {}

    def statement(self, names: tuple[str, ...], count: int) -> str:
        sql = self._sql.get((names, count))
        if sql is None:
            columns = ", ".join(_EVENTS.c[name].name for name in names)  # KeyError: no column
            group = "(" + ", ".join("%s::json" if n in self._json else "%s" for n in names) + ")"
            sql = self._sql[(names, count)] = (
                f"INSERT INTO {_EVENTS.name} ({columns}) "
                f"VALUES {', '.join([group] * count)} "
                "ON CONFLICT (channel_id, dedupe_key) DO NOTHING "
                "RETURNING id, channel_id, dedupe_key"
            )
        return sql

    def __call__(self, conn: Connection, rows: list[dict[str, Any]]) -> Iterable[Any]:
        names = tuple(rows[0])
        params = [
            json.dumps(row[name]) if name in self._json else row[name]
            for row in rows
            for name in names
        ]
        sql = self.statement(names, len(rows))
        driver = conn.connection.driver_connection
        try:
            with driver.cursor() as cursor:
                cursor.execute(sql, params)
                return cursor.fetchall()
        except self._driver_error as exc:
            # Said the way SQLAlchemy says it, so the writer's handling stays one: a broken
            # connection (the database restarted) is dropped and the batch tried on a new one.
            broken = bool(driver.broken or driver.closed)
            if broken:
                conn.invalidate(exc)
            raise DBAPIError.instance(
                sql, None, exc, self._driver_error, connection_invalidated=broken
            ) from exc


def batch_insert(dialect: str):
    """(connection, rows) → the (id, channel_id, dedupe_key) of the rows that were new.

    Rows whose (channel_id, dedupe_key) is already in the inbox are skipped (ON CONFLICT)."""
    if dialect == "postgresql":
        return _ValuesInsert()
    if dialect != "sqlite":  # pragma: no cover - wixoms runs on PostgreSQL or SQLite
        raise NotImplementedError(f"group commit needs ON CONFLICT; {dialect} has none")
    from sqlalchemy.dialects.sqlite import insert

    statement = (
        insert(_EVENTS)
        .on_conflict_do_nothing(index_elements=["channel_id", "dedupe_key"])
        .returning(_EVENTS.c.id, _EVENTS.c.channel_id, _EVENTS.c.dedupe_key)
    )
    return lambda conn, rows: conn.execute(statement, rows)


class GroupCommitWriter:
    """One per process (and engine): commits queued inbox rows in batches."""

    def __init__(
        self,
        engine: Engine,
        *,
        max_batch: int = DEFAULT_MAX_BATCH,
        wait_s: float = DEFAULT_WAIT_S,
        idle_s: float = DEFAULT_IDLE_S,
    ) -> None:
        self.engine = engine
        self.max_batch = max_batch
        self.wait_s = wait_s
        self.idle_s = idle_s
        self._insert = batch_insert(engine.dialect.name)
        self._queue: deque[_Pending] = deque()
        self._lock = threading.Lock()
        self._leading = False  # a request is writing a batch; rows queued now wait for the next
        self._conn: Connection | None = None  # used by one leader at a time
        self._conn_used_at = 0.0
        self._touched: dict[int, float] = {}
        self.batches = 0  # committed batches, for tests and the benchmark
        self.rows = 0
        self.in_flight = 0  # rows of the batch being written now; 0 between batches

    @property
    def queued(self) -> int:
        """Rows waiting for the next batch."""
        return len(self._queue)

    def submit(self, values: dict[str, Any]) -> tuple[int | None, bool]:
        """Queue one inbox row and return once its batch committed: (event id, duplicate?).

        Raises InboxUnavailable when its batch failed or did not commit within wait_s.
        """
        pending = _Pending(values)
        with self._lock:
            self._queue.append(pending)
            pending.leads = not self._leading
            self._leading = True
        if not pending.leads and not pending.wake.wait(self.wait_s):
            with self._lock:
                if not pending.leads and not pending.settled:
                    if pending in self._queue:  # never taken: it leaves, nothing is stored
                        self._queue.remove(pending)
                    # Else its batch is being written: the row may still commit later, and
                    # Wix's retry is then a harmless duplicate.
                    raise InboxUnavailable("the inbox did not commit in time")
        if not pending.settled:  # it leads: its row is first in the queue
            self._lead()
        if pending.error is not None:
            raise InboxUnavailable(str(pending.error)) from pending.error
        return pending.event_id, pending.duplicate

    def _lead(self) -> None:
        """Write one batch from the head of the queue, then hand the lead on."""
        with self._lock:
            n = min(len(self._queue), self.max_batch)
            batch = [self._queue.popleft() for _ in range(n)]
            self.in_flight = n
        try:
            try:
                conn = self._connection()
            except Exception as exc:  # database down: these requests answer 503
                log.warning("inbox writer cannot connect: %s", exc)
                _finish(batch, exc)
            else:
                self._conn = self._commit_batch(conn, batch)
                self._conn_used_at = time.monotonic()
        finally:
            # After a bug (or an interrupt) no request of the batch may wait for ever.
            _finish([p for p in batch if not p.settled], InboxUnavailable("the batch broke off"))
            with self._lock:
                self.in_flight = 0
                if self._queue:
                    following = self._queue[0]
                    following.leads = True
                    following.wake.set()
                else:
                    self._leading = False

    def _connection(self) -> Connection:
        """The held connection, or a fresh one when it idled past idle_s or broke."""
        conn = self._conn
        if conn is not None and (
            conn.closed or conn.invalidated or time.monotonic() - self._conn_used_at > self.idle_s
        ):
            self._drop_connection()
            conn = None
        if conn is None:
            conn = self._conn = self._connect()
        return conn

    def _drop_connection(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            try:
                conn.close()
            except Exception:  # already unusable: nothing left to give back
                log.debug("closing the inbox connection failed", exc_info=True)

    def _connect(self) -> Connection:
        # Autocommit: the batch is one INSERT statement, committed by the server before it
        # answers, so a batch costs one round trip instead of BEGIN, INSERT and COMMIT.
        return self.engine.connect().execution_options(isolation_level="AUTOCOMMIT")

    def _commit_batch(self, conn: Connection, batch: list[_Pending]) -> Connection | None:
        """Commit a batch; when it fails, each row is tried alone so one bad row fails alone."""
        try:
            self._write(conn, batch)
            return conn
        except DBAPIError as exc:
            if not exc.connection_invalidated:
                return self._retry_alone(_rolled_back(conn), batch, exc)
            # The held connection died (database restart): one more try on a fresh one; a row
            # that did commit before the drop then reads as a duplicate, which is harmless.
            conn.close()
            try:
                conn = self._connect()
                self._write(conn, batch)
                return conn
            except Exception as again:
                return self._retry_alone(_rolled_back(conn), batch, again)
        except Exception as exc:
            return self._retry_alone(_rolled_back(conn), batch, exc)

    def _retry_alone(
        self, conn: Connection | None, batch: list[_Pending], exc: BaseException
    ) -> Connection | None:
        if len(batch) == 1 or conn is None:
            log.warning("inbox batch of %d rows failed: %s", len(batch), exc)
            _finish(batch, exc)
            return conn
        for pending in batch:
            try:
                self._write(conn, [pending])
            except Exception as exc:
                log.warning("inbox row failed: %s", exc)
                conn = _rolled_back(conn)
                _finish([pending], exc)
                if conn is None:
                    _finish([p for p in batch if not p.settled], exc)
                    return None
        return conn

    def _write(self, conn: Connection, batch: list[_Pending]) -> None:
        """One INSERT statement for the batch's new rows, then the duplicates' ids, then wake.

        The statement is the batch's transaction (autocommit): its rows commit together or
        not at all. A conflicting row of a concurrent transaction makes the INSERT wait for
        that transaction, so a skipped key is already committed when its id is read.
        """
        first: dict[tuple[int, str], _Pending] = {}
        for pending in batch:
            first.setdefault(pending.key, pending)
        ids: dict[tuple[int, str], int] = {}
        for row_id, channel_id, key in self._insert(conn, [p.values for p in first.values()]):
            ids[(channel_id, key)] = row_id
        missing = [key for key in first if key not in ids]
        existing = _existing_ids(conn, missing) if missing else {}
        conn.commit()  # a no-op under autocommit; keeps _write right on a plain connection
        self.batches += 1
        self.rows += len(ids)
        for pending in batch:
            key = pending.key
            if key in ids and first[key] is pending:
                pending.event_id = ids[key]
            else:
                pending.event_id = ids.get(key, existing.get(key))
                pending.duplicate = True
            pending.settle()
        try:
            self._touch(conn, {p.values["endpoint_id"] for p in batch})
        except Exception as exc:  # a hint for the channel page; the rows are committed
            log.warning("could not note the last delivery time: %s", exc)
            _rolled_back(conn)

    def _touch(self, conn: Connection, endpoint_ids: Iterable[int]) -> None:
        now = time.monotonic()
        due = [e for e in endpoint_ids if now - self._touched.get(e, -1e9) >= TOUCH_EVERY_S]
        if not due:
            return
        conn.execute(
            update(WebhookEndpoint)
            .where(WebhookEndpoint.id.in_(due))
            .values(last_delivery_at=utcnow())
        )
        for endpoint_id in due:
            self._touched[endpoint_id] = now


def _existing_ids(conn: Connection, keys: list[tuple[int, str]]) -> dict[tuple[int, str], int]:
    """Ids of rows already in the inbox (committed by an earlier batch or another process)."""
    rows = conn.execute(
        select(_EVENTS.c.id, _EVENTS.c.channel_id, _EVENTS.c.dedupe_key).where(
            tuple_(_EVENTS.c.channel_id, _EVENTS.c.dedupe_key).in_(keys)
        )
    )
    return {(row.channel_id, row.dedupe_key): row.id for row in rows}


def _rolled_back(conn: Connection) -> Connection | None:
    """The connection after a failed transaction, or None when it is unusable."""
    try:
        conn.rollback()
        return conn
    except Exception:
        try:
            conn.invalidate()
            conn.close()
        except Exception:  # already closed: nothing left to release
            pass
        return None


def _finish(batch: list[_Pending], error: BaseException) -> None:
    for pending in batch:
        pending.settle(error)

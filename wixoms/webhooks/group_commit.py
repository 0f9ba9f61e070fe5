"""Group commit for the webhook inbox: many requests, one transaction, one WAL flush.

Under threaded workers (gunicorn gthread) every request hands its inbox row to this process's
writer and waits. The writer takes every row queued so far, inserts them in one transaction
(INSERT ... ON CONFLICT DO NOTHING RETURNING, so each row still learns whether it was a
duplicate), commits once, then wakes the requests of that batch. A request therefore answers
only after the commit that holds its row: the durability promise is the same as one commit per
request, the fsync is shared. Nothing waits for a batch to fill: while one commit is in flight
the next requests queue up, so batches grow with the load and stay at one row when idle.
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

from sqlalchemy import Connection, Engine, select, tuple_, update
from sqlalchemy.exc import DBAPIError

from wixoms.models import WebhookEndpoint, WebhookEvent
from wixoms.models._base import utcnow

log = logging.getLogger(__name__)

DEFAULT_MAX_BATCH = 256
# How long a request waits for its batch before answering 503 (Wix retries).
DEFAULT_WAIT_S = 10.0
# An idle writer closes its connection and ends its thread; the next request starts another.
DEFAULT_IDLE_S = 2.0
# last_delivery_at is a hint for the channel page, written at most this often per endpoint.
TOUCH_EVERY_S = 5.0
_EVENTS = WebhookEvent.__table__


class InboxUnavailable(Exception):
    """The row's batch did not commit (or not in time): nothing of it is stored."""


@dataclass(eq=False)
class _Pending:
    values: dict[str, Any]
    done: threading.Event = field(default_factory=threading.Event)
    event_id: int | None = None
    duplicate: bool = False
    error: BaseException | None = None

    @property
    def key(self) -> tuple[int, str]:
        return (self.values["channel_id"], self.values["dedupe_key"])


def insert_ignoring_duplicates(dialect: str):
    """INSERT into the inbox that skips rows whose (channel_id, dedupe_key) exists."""
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    elif dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert
    else:  # pragma: no cover - wixoms runs on PostgreSQL or SQLite
        raise NotImplementedError(f"group commit needs ON CONFLICT; {dialect} has none")
    return (
        insert(_EVENTS)
        .on_conflict_do_nothing(index_elements=["channel_id", "dedupe_key"])
        .returning(_EVENTS.c.id, _EVENTS.c.channel_id, _EVENTS.c.dedupe_key)
    )


class _ValuesInsert:
    """PostgreSQL: a whole batch as one multi-row INSERT on the driver's own cursor.

    SQLAlchemy's multi-row INSERT compiles the statement, runs every value through its type's
    bind processing in Python and builds a result object: a third of a worker's CPU under load,
    more than the rest of the delivery (bench/webhooks.py). Here the statement text is built
    once per batch size and psycopg adapts the values in C. The columns come from the rows'
    own keys (inbox_row; the same for every row) and are the model's, so a migration that
    renames one fails here as it would in SQLAlchemy."""

    def __init__(self) -> None:
        self._sql: dict[tuple[tuple[str, ...], int], str] = {}

    def statement(self, names: tuple[str, ...], count: int) -> str:
        sql = self._sql.get((names, count))
        if sql is None:
            columns = ", ".join(_EVENTS.c[name].name for name in names)  # KeyError: no column
            group = "(" + ", ".join("%s::json" if n == "headers" else "%s" for n in names) + ")"
            sql = self._sql[(names, count)] = (
                f"INSERT INTO {_EVENTS.name} ({columns}) "
                f"VALUES {', '.join([group] * count)} "
                "ON CONFLICT (channel_id, dedupe_key) DO NOTHING "
                "RETURNING id, channel_id, dedupe_key"
            )
        return sql

    def __call__(self, conn: Connection, rows: list[dict[str, Any]]) -> Iterable[Any]:
        import psycopg

        names = tuple(rows[0])
        params = [
            json.dumps(row[name]) if name == "headers" else row[name]
            for row in rows
            for name in names
        ]
        sql = self.statement(names, len(rows))
        driver = conn.connection.driver_connection
        try:
            with driver.cursor() as cursor:
                cursor.execute(sql, params)
                return cursor.fetchall()
        except psycopg.Error as exc:
            # Said the way SQLAlchemy says it, so the writer's handling stays one: a broken
            # connection (the database restarted) is dropped and the batch tried on a new one.
            broken = bool(driver.broken or driver.closed)
            if broken:
                conn.invalidate(exc)
            raise DBAPIError.instance(
                sql, None, exc, psycopg.Error, connection_invalidated=broken
            ) from exc


def batch_insert(dialect: str):
    """(connection, rows) → the (id, channel_id, dedupe_key) of the rows that were new."""
    if dialect == "postgresql":
        return _ValuesInsert()
    statement = insert_ignoring_duplicates(dialect)
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
        self._cond = threading.Condition()
        self._running = False
        self._touched: dict[int, float] = {}
        self.batches = 0  # committed batches, for tests and the benchmark
        self.rows = 0
        self.in_flight = 0  # rows of the batch being written now; 0 between batches

    @property
    def queued(self) -> int:
        """Rows waiting for the next batch."""
        return len(self._queue)

    def submit(self, values: dict[str, Any]) -> tuple[int | None, bool]:
        """Queue one inbox row and wait for its commit: (event id, was it a duplicate).

        Raises InboxUnavailable when its batch failed or did not commit within wait_s.
        """
        pending = _Pending(values)
        with self._cond:
            self._queue.append(pending)
            if not self._running:
                self._running = True
                threading.Thread(target=self._run, name="wixoms-inbox", daemon=True).start()
            self._cond.notify()
        if not pending.done.wait(self.wait_s):
            # The row may still commit later; Wix's retry is then a harmless duplicate.
            raise InboxUnavailable("the inbox did not commit in time")
        if pending.error is not None:
            raise InboxUnavailable(str(pending.error)) from pending.error
        return pending.event_id, pending.duplicate

    def _take_batch(self) -> list[_Pending] | None:
        with self._cond:
            deadline = time.monotonic() + self.idle_s
            while not self._queue:
                left = deadline - time.monotonic()
                if left <= 0:
                    self._running = False
                    return None
                self._cond.wait(left)
            n = min(len(self._queue), self.max_batch)
            self.in_flight = n
            return [self._queue.popleft() for _ in range(n)]

    def _run(self) -> None:
        conn: Connection | None = None
        try:
            while (batch := self._take_batch()) is not None:
                if conn is None or conn.closed or conn.invalidated:
                    try:
                        conn = self._connect()
                    except Exception as exc:  # database down: these requests answer 503
                        log.warning("inbox writer cannot connect: %s", exc)
                        _finish(batch, exc)
                        conn = None
                        self.in_flight = 0
                        continue
                conn = self._commit_batch(conn, batch)
                self.in_flight = 0
        finally:
            if conn is not None:
                conn.close()
            with self._cond:
                if self._running:  # died of a bug: let the next submit start a fresh writer
                    log.error("inbox writer stopped unexpectedly")
                    self._running = False

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
                    _finish([p for p in batch if not p.done.is_set()], exc)
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
            pending.done.set()
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
        pending.error = error
        pending.done.set()

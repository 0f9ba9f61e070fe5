"""Group commit: concurrent deliveries share one inbox commit, and each answers only after it.

The inbox table is write-locked from another connection, so the writer's first batch waits
inside its INSERT while the next requests queue up behind it: what each request sees before
and after the commit is then deterministic.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import create_engine, make_url, select, text

from tests.integration.webhooks.test_webhook_receive import automation_body
from wixoms.extensions import db
from wixoms.models import WebhookEndpoint, WebhookEvent
from wixoms.webhooks import receive as inbox


@contextmanager
def inbox_locked(app) -> Iterator[None]:
    """Hold the inbox's write lock from a connection of our own until the block ends."""
    url = make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    if url.get_backend_name() == "sqlite":
        conn = sqlite3.connect(url.database, isolation_level=None)
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield
        finally:
            conn.execute("ROLLBACK")
            conn.close()
        return
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            conn.exec_driver_sql("LOCK TABLE webhook_events IN SHARE ROW EXCLUSIVE MODE")
            yield
            conn.rollback()
    finally:
        engine.dispose()


def wait_until(condition: Callable[[], bool], timeout_s: float = 10.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


class Delivery(threading.Thread):
    """One POST in a thread of its own; notes whether its row was committed when it answered."""

    def __init__(self, hooks, body: bytes, token: str | None = None) -> None:
        super().__init__(daemon=True)
        self.hooks, self.body = hooks, body
        self.token = token or hooks.automation_token
        self.status: int | None = None
        self.json: dict = {}
        self.committed_at_answer: bool | None = None

    def run(self) -> None:
        client = self.hooks.app.test_client()
        response = client.post(
            self.hooks.url(self.token), data=self.body, headers={"Content-Type": "application/json"}
        )
        self.status, self.json = response.status_code, response.get_json()
        event_id = self.json.get("event_id")
        if event_id is not None:
            # A fresh connection of another engine: sees only what is committed.
            engine = create_engine(self.hooks.app.config["SQLALCHEMY_DATABASE_URI"])
            with engine.connect() as conn:
                found = conn.scalar(select(WebhookEvent.id).where(WebhookEvent.id == event_id))
            engine.dispose()
            self.committed_at_answer = found == event_id


def writer(hooks) -> inbox.GroupCommitWriter:
    with hooks.app.app_context():
        return inbox.writer(hooks.app)


def idle_writer(hooks) -> inbox.GroupCommitWriter:
    """The writer once its earlier batch is wholly done (rows and the last-delivery note): a
    batch still in flight would be taken for the one the test starts next."""
    inbox_writer = writer(hooks)
    wait_until(lambda: inbox_writer.in_flight == 0)
    return inbox_writer


def start(deliveries: list[Delivery]) -> list[Delivery]:
    for delivery in deliveries:
        delivery.start()
    return deliveries


def finish(deliveries: list[Delivery]) -> None:
    for delivery in deliveries:
        delivery.join(30)
        assert not delivery.is_alive()


def stored_keys(hooks) -> list[str]:
    with hooks.app.app_context():
        return list(db.session.scalars(select(WebhookEvent.dedupe_key)))


def test_concurrent_deliveries_share_a_batch_and_each_answers_after_its_commit(hooks):
    inbox_writer = idle_writer(hooks)
    with inbox_locked(hooks.app):
        first = start([Delivery(hooks, automation_body("order-0"))])
        wait_until(lambda: inbox_writer.in_flight == 1 and inbox_writer.queued == 0)
        rest = start([Delivery(hooks, automation_body(f"order-{n}")) for n in range(1, 6)])
        wait_until(lambda: inbox_writer.queued == 5)
        time.sleep(0.2)
        # Nothing is committed yet, so no request may have answered.
        assert all(d.status is None for d in first + rest)
    finish(first + rest)
    for delivery in first + rest:
        assert delivery.status == 200, delivery.json
        assert delivery.json["duplicate"] is False
        assert delivery.committed_at_answer is True
    assert inbox_writer.batches == 2  # the blocked one, then the five queued behind it
    assert len({d.json["event_id"] for d in first + rest}) == 6
    assert len(stored_keys(hooks)) == 6


def test_duplicates_inside_one_batch_and_across_batches_are_detected(hooks):
    inbox_writer = idle_writer(hooks)
    with inbox_locked(hooks.app):
        first = start([Delivery(hooks, automation_body("order-x"))])
        wait_until(lambda: inbox_writer.in_flight == 1 and inbox_writer.queued == 0)
        same_batch = start([Delivery(hooks, automation_body("order-y")) for _ in range(3)])
        across = start([Delivery(hooks, automation_body("order-x"))])
        wait_until(lambda: inbox_writer.queued == 4)
    finish(first + same_batch + across)
    assert first[0].status == 200 and first[0].json["duplicate"] is False
    assert [d.status for d in same_batch] == [200, 200, 200]
    assert sorted(d.json["duplicate"] for d in same_batch) == [False, True, True]
    assert len({d.json["event_id"] for d in same_batch}) == 1
    assert across[0].status == 200
    assert across[0].json == {**first[0].json, "duplicate": True}
    assert inbox_writer.batches == 2
    assert len(stored_keys(hooks)) == 2


def test_a_row_that_cannot_be_stored_answers_503_and_the_rest_of_its_batch_commits(hooks):
    """An endpoint deleted while still in the 1 s endpoint cache: its rows break a foreign key."""
    other = WebhookEndpoint(channel_id=hooks.channel_id, kind="automation", token="d" * 43)
    with hooks.app.app_context():
        db.session.add(other)
        db.session.commit()
        other_id = other.id
    hooks.app.config["WEBHOOK_ENDPOINT_CACHE_S"] = 60
    warm = hooks.app.test_client().post(
        hooks.url("d" * 43), data=automation_body("warm"), content_type="application/json"
    )
    assert warm.status_code == 200
    with hooks.app.app_context():
        db.session.execute(db.delete(WebhookEvent))
        db.session.execute(db.delete(WebhookEndpoint).where(WebhookEndpoint.id == other_id))
        db.session.commit()
    inbox_writer = idle_writer(hooks)
    with inbox_locked(hooks.app):
        first = start([Delivery(hooks, automation_body("order-a"))])
        wait_until(lambda: inbox_writer.in_flight == 1 and inbox_writer.queued == 0)
        batch = start(
            [
                Delivery(hooks, automation_body("order-b")),
                Delivery(hooks, automation_body("order-gone"), token="d" * 43),
                Delivery(hooks, automation_body("order-c")),
            ]
        )
        wait_until(lambda: inbox_writer.queued == 3)
    finish(first + batch)
    good = [first[0], batch[0], batch[2]]
    assert [d.status for d in good] == [200, 200, 200]
    assert all(d.committed_at_answer for d in good)
    refused = batch[1]
    assert refused.status == 503
    assert refused.json["error"]["code"] == "INBOX_UNAVAILABLE"
    keys = stored_keys(hooks)
    assert len(keys) == 3
    assert not any("order-gone" in key for key in keys)


def test_a_batch_on_a_broken_database_answers_503_and_stores_nothing(tmp_path):
    """No inbox table at all: every request of the batch is refused, none hangs."""
    engine = create_engine(f"sqlite:///{tmp_path / 'empty.sqlite'}")
    broken = inbox.GroupCommitWriter(engine, idle_s=0.1)
    results: list[BaseException | tuple] = []

    def submit(n: int) -> None:
        try:
            results.append(broken.submit(row(n)))
        except inbox.InboxUnavailable as exc:
            results.append(exc)

    threads = [threading.Thread(target=submit, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert len(results) == 4
    assert all(isinstance(result, inbox.InboxUnavailable) for result in results)
    assert broken.rows == 0
    engine.dispose()


def test_a_connection_the_database_dropped_is_replaced_and_the_batch_still_commits(hooks):
    """PostgreSQL restarted (or an operator ended the backend) while the writer sat idle."""
    url = make_url(hooks.app.config["SQLALCHEMY_DATABASE_URI"])
    if url.get_backend_name() != "postgresql":
        pytest.skip("ending a server backend is PostgreSQL's")
    with hooks.app.app_context():
        engine = db.engine
    fresh = inbox.GroupCommitWriter(engine)
    opened = []
    connect = fresh._connect
    fresh._connect = lambda: opened.append(connect()) or opened[-1]  # type: ignore[method-assign]
    ids = {"channel_id": hooks.channel_id, "endpoint_id": hooks.app_endpoint_id}
    first_id, _ = fresh.submit({**row(1), **ids})
    backend = opened[0].connection.driver_connection.info.backend_pid
    with engine.connect() as admin:
        assert admin.scalar(text("SELECT pg_terminate_backend(:pid)"), {"pid": backend})
    second_id, duplicate = fresh.submit({**row(2), **ids})
    assert not duplicate and second_id != first_id
    assert len(opened) == 2  # the dropped connection was not handed out again
    assert sorted(stored_keys(hooks)) == ["k1", "k2"]


def test_a_row_that_waited_too_long_leaves_the_queue_unstored_and_the_next_one_leads(hooks):
    """Its request answered 503, so its row must not be written later behind Wix's back; and
    the queue must not stall on a request that has gone."""
    with hooks.app.app_context():
        engine = db.engine
    fresh = inbox.GroupCommitWriter(engine, wait_s=0.5)
    ids = {"channel_id": hooks.channel_id, "endpoint_id": hooks.app_endpoint_id}
    outcomes: dict[str, object] = {}

    def submit(key: str) -> None:
        try:
            outcomes[key] = fresh.submit({**row(0), **ids, "dedupe_key": key})
        except inbox.InboxUnavailable as exc:
            outcomes[key] = exc

    with inbox_locked(hooks.app):
        leader = threading.Thread(target=submit, args=("first",))
        leader.start()
        wait_until(lambda: fresh.in_flight == 1)
        late = threading.Thread(target=submit, args=("late",))
        late.start()
        late.join(10)
        assert isinstance(outcomes["late"], inbox.InboxUnavailable)
        assert fresh.queued == 0
    leader.join(10)
    assert outcomes["first"][1] is False
    submit("after")
    assert outcomes["after"][1] is False
    assert sorted(stored_keys(hooks)) == ["after", "first"]


def row(n: int) -> dict:
    from wixoms.models._base import utcnow

    return {
        "endpoint_id": 1,
        "channel_id": 1,
        "received_at": utcnow(),
        "headers": {},
        "body": b"{}",
        "dedupe_key": f"k{n}",
        "event_type": "",
        "order_external_id": "",
        "order_number": "",
        "state": "pending",
        "attempts": 0,
        "next_attempt_at": utcnow(),
        "outcome": "",
        "error": None,
        "processed_at": None,
    }


@pytest.mark.parametrize("setting", [False, "off"])
def test_without_group_commit_each_delivery_commits_alone(hooks, setting):
    hooks.app.config["WEBHOOK_GROUP_COMMIT"] = setting
    client = hooks.app.test_client()
    for body in (automation_body("order-1"), automation_body("order-1")):
        response = client.post(
            hooks.url(hooks.automation_token), data=body, content_type="application/json"
        )
        assert response.status_code == 200
    assert response.get_json()["duplicate"] is True
    assert "wixoms_inbox_writer" not in hooks.app.extensions
    assert len(stored_keys(hooks)) == 1

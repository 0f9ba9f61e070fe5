"""Applying a claimed batch of inbox events: grouped by order, newest Wix version wins.

A verified JWT app webhook carries the order itself (``createdEvent.entity``,
``updatedEvent.currentEntity``, ``actionEvent.body.order``): that entity is applied as it is,
without asking Wix again. Within a batch the events of one order are one group: the newest
entity by ``updatedDate`` is applied once, and the import rules ignore any version older than
the one the OMS already has, so a stale retry never wins, in this batch or a later one.
Automations deliveries carry no trustworthy entity (the body's keys are undocumented): for a
group of those the order is fetched once per batch, through the channel's shared rate budget.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from wixoms.extensions import db
from wixoms.models import Channel, WebhookEndpoint, WebhookEvent
from wixoms.models._base import utcnow
from wixoms.sync.runs import internal_error
from wixoms.webhooks import lifecycle
from wixoms.wix import (
    InvalidWebhook,
    ReconnectRequired,
    WixError,
    WixNotFound,
    WixPayloadError,
    WixRateLimited,
    WixServerError,
    WixUnavailable,
    verify_app_webhook,
)
from wixoms.wix import Order as WixOrder

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 6
RETRY_BASE_S = 2.0
RETRY_MAX_S = 300.0
RETRYABLE = (WixRateLimited, WixServerError, WixUnavailable, SQLAlchemyError)
MODE_LABELS = {"scheduled": "Scheduled polling", "webhooks": "Webhooks", "manual": "Manual"}


def backoff_seconds(attempts: int, retry_after: float | None = None) -> float:
    """2 s, 4 s, 8 s … capped at 5 min; Wix's Retry-After wins when it is longer."""
    delay = min(RETRY_MAX_S, RETRY_BASE_S * 2 ** max(0, attempts - 1))
    return max(delay, retry_after or 0.0)


def ignore_reason(event: WebhookEvent, channel: Channel | None) -> str | None:
    """Why an event is stored but not processed, or None when it should be processed."""
    if channel is None:
        return "The channel was deleted."
    # App webhooks routed by instance (no endpoint, app_hooks.py) need no setup: real time from
    # the moment the channel is connected, Is Active or not yet (the orders download waits for
    # Is Active), in every Channel Mode but Manual; the scheduled download stays the backstop.
    app_wide = event.endpoint_id is None
    if not channel.is_active and not app_wide:
        return "The channel is not active (Is Active is off), so its webhooks are not processed."
    if channel.channel_mode != "webhooks" and not (app_wide and channel.channel_mode != "manual"):
        mode = MODE_LABELS.get(channel.channel_mode, channel.channel_mode)
        return (
            f"Channel Mode is {mode}, not Webhooks: orders come in by the "
            f"{'schedule' if channel.channel_mode == 'scheduled' else 'Sync button'} instead."
        )
    if not event.order_external_id:
        return f"Not an order event ({event.event_type}); only orders are processed."
    if event.event_type.endswith("_deleted"):
        return "The order was deleted in Wix; wixoms keeps its copy."
    return None


class Clients:
    """One Wix client per channel for a batch of events (pooled HTTP session, one budget)."""

    def __init__(self) -> None:
        self._clients: dict[int, Any] = {}
        self.fetches = 0  # orders read from Wix by this worker pass (tests, benchmark)

    def get(self, channel: Channel) -> Any:
        from wixoms.connection import client_for

        if channel.id not in self._clients:
            self._clients[channel.id] = client_for(channel)
        return self._clients[channel.id]

    def fetch(self, channel: Channel, order_id: str) -> WixOrder:
        self.fetches += 1
        return self.get(channel).orders.get(order_id)

    def close(self) -> None:
        for client in self._clients.values():
            client.close()


@dataclass
class _Group:
    """The claimed events of one order of one channel, in arrival order."""

    channel: Channel
    order_id: str
    events: list[WebhookEvent] = field(default_factory=list)
    entities: list[WixOrder] = field(default_factory=list)

    @property
    def ids(self) -> list[int]:
        return [e.id for e in self.events]


def entity_of(event: WebhookEvent, endpoint_kind: str | None, channel: Channel) -> WixOrder | None:
    """The order a verified JWT app webhook carries, or None (Automations, other shapes).

    App webhooks come to an "app" endpoint or, routed by instance, to no endpoint at all; they
    verify with the channel's own Wix app key (Helm's way) or wixoms's."""
    if endpoint_kind != "app" and event.endpoint_id is not None:
        return None
    config_key = current_app.config.get("WIX_PUBLIC_KEY") or ""
    public_key = str(channel.custom_app_public_key or config_key)
    if not public_key.strip():
        return None
    try:
        wix_event = verify_app_webhook(event.body, public_key)
        if wix_event.order is None or str(wix_event.order.get("id", "")) != (
            event.order_external_id
        ):
            return None
        return WixOrder.from_wix(wix_event.order)
    except (InvalidWebhook, WixPayloadError):
        return None  # a partial entity: fetching the order is the safe way


def handle_batch(event_ids: list[int], clients: Clients) -> int:
    """Process claimed events: ignored ones alone, the rest one group per order."""
    rows = db.session.execute(
        select(WebhookEvent, WebhookEndpoint.kind)
        .outerjoin(WebhookEndpoint, WebhookEndpoint.id == WebhookEvent.endpoint_id)
        .where(WebhookEvent.id.in_(event_ids))
        .order_by(WebhookEvent.id)
    ).all()
    channels: dict[int, Channel | None] = {}
    groups: dict[tuple[int, str], _Group] = {}
    for event, kind in rows:
        if event.channel_id is not None and event.channel_id not in channels:
            channels[event.channel_id] = db.session.get(Channel, event.channel_id)
        channel = channels.get(event.channel_id) if event.channel_id else None
        if channel is not None and event.event_type in lifecycle.EVENT_TYPES:
            finish([event.id], "done", outcome=lifecycle.apply(event, channel))
            continue
        reason = ignore_reason(event, channel)
        if reason:
            finish([event.id], "ignored", error=reason)
            continue
        group = groups.setdefault(
            (channel.id, event.order_external_id), _Group(channel, event.order_external_id)
        )
        group.events.append(event)
        entity = entity_of(event, kind, channel)
        if entity is not None:
            group.entities.append(entity)
    for group in groups.values():
        handle_group(group, clients)
    return len(rows)


def handle_group(group: _Group, clients: Clients) -> str:
    """Apply the newest version of one order to the OMS; every event of the group ends alike."""
    ids = group.ids
    try:
        if group.entities:
            order = max(group.entities, key=lambda o: o.updated_date)
        else:
            order = clients.fetch(group.channel, group.order_id)
        outcome = _import(group.channel, order)
    except ReconnectRequired as exc:
        db.session.rollback()
        group.channel.tokens_refused(exc.user_message)  # say so, stop syncing
        return finish(ids, "parked", error=exc.user_message)
    except WixNotFound:
        db.session.rollback()
        return finish(
            ids,
            "parked",
            error="Wix has no such order on this channel's site (deleted, or sent by another "
            "site). Replay it once the order exists.",
        )
    except RETRYABLE as exc:
        db.session.rollback()
        log.warning("webhook events %s will be retried", ids, exc_info=True)
        detail = f"{exc.user_message} ({exc})" if isinstance(exc, WixError) else "database busy"
        retry_after = exc.retry_after if isinstance(exc, WixRateLimited) else None
        return retry_or_park(ids, detail, retry_after)
    except WixError as exc:
        db.session.rollback()
        return finish(ids, "parked", error=f"{exc.user_message} ({exc})")
    except Exception:  # a bug or bad data must not stop the queue: retry, then park
        log.exception("webhook events %s failed", ids)
        db.session.rollback()
        reference = "webhook event " + ", ".join(str(i) for i in ids)
        return retry_or_park(ids, internal_error(reference), None)
    return finish(ids, "done", outcome=outcome, order_number=order.number)


def _import(channel: Channel, order: WixOrder) -> str:
    """Apply the orders-download rules to one order and commit; describe the outcome."""
    from wixoms.sync import orders as rules

    try:
        outcome = rules.import_order(channel, order)
        if channel.dry_run:
            db.session.rollback()
            return f"Dry-run mode: {describe_outcome(outcome, channel, order)} Nothing was saved."
        db.session.commit()
    except IntegrityError:
        # Another worker or the orders download imported it meanwhile: now it is an update.
        db.session.rollback()
        outcome = rules.import_order(channel, order)
        db.session.commit()
    return describe_outcome(outcome, channel, order)


def describe_outcome(outcome: str, channel: Channel, order: WixOrder) -> str:
    """A sentence for the deliveries list: what import_order did with the order."""
    from wixoms.sync import orders as rules

    number = f"#{order.number}"
    if outcome == rules.SKIPPED:
        reason = rules.skip_reason(channel, order, rules.OrderRules.load(channel).start)
        return f"Order {number} not imported: {reason or 'filtered by the channel settings'}."
    sentences = {
        rules.CREATED: f"Order {number} imported.",
        rules.HELD: f"Order {number} imported on hold (a line is not linked to an OMS SKU).",
        rules.MERGED: f"Order {number} imported and merged into an open order.",
        rules.UPDATED: f"Order {number} updated from Wix.",
        rules.UNCHANGED: f"Order {number} already up to date.",
    }
    return sentences.get(outcome, f"Order {number}: {outcome}.")


def retry_or_park(event_ids: list[int], error: str, retry_after: float | None) -> str:
    """Schedule another attempt (backoff by each event's attempts), or park after the last."""
    state = "failed"
    for event_id in event_ids:
        attempts = db.session.scalar(
            select(WebhookEvent.attempts).where(WebhookEvent.id == event_id)
        )
        if (attempts or 0) >= MAX_ATTEMPTS:
            state = finish(
                [event_id], "parked", error=f"Gave up after {attempts} attempts: {error}"
            )
            continue
        delay = backoff_seconds(attempts or 0, retry_after)
        finish(
            [event_id], "failed", error=error, next_attempt_at=utcnow() + timedelta(seconds=delay)
        )
    return state


def finish(
    event_ids: list[int],
    state: str,
    *,
    error: str | None = None,
    outcome: str | None = None,
    order_number: str | None = None,
    next_attempt_at: datetime | None = None,
) -> str:
    """Record the end of these events' processing (one statement, committed)."""
    values: dict[str, Any] = {
        "state": state,
        "error": error[:2000] if error else None,
        "next_attempt_at": next_attempt_at,
        "processed_at": utcnow(),
    }
    if outcome is not None:
        values["outcome"] = outcome[:200]
    if order_number:
        values["order_number"] = str(order_number)[:40]
    db.session.execute(update(WebhookEvent).where(WebhookEvent.id.in_(event_ids)).values(**values))
    db.session.commit()
    return state

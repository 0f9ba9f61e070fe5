"""Fulfillment push: OMS shipments → Wix fulfillments with tracking number, carrier and link.

Each shipment is sent once (Shipment.wix_fulfillment_id / pushed_at), and is marked sent only
when Wix has it: after TRACKING_NUMBER_ALREADY_EXISTS or a lost answer, the order's fulfillments
are read from Wix and the one with this tracking number is the shipment's; none → not sent.
Wix accepts fulfillments of APPROVED orders only; the others wait. No write transaction stays
open while Wix answers (counters and log lines wait in the session for the shipment's commit).
"""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from wixoms.extensions import db
from wixoms.models import Order, Shipment, ShipmentLine
from wixoms.models._base import utcnow
from wixoms.sync.runs import RunContext, sync_kind
from wixoms.wix import WixClient, WixConflict, WixError, WixNotFound, WixValidationError


class NotInWix(Exception):
    """Wix refused the fulfillment as existing, yet lists none with this tracking number."""

    def __init__(self, user_message: str) -> None:
        super().__init__(user_message)
        self.user_message = user_message


TRACKING_PLACEHOLDER = "{tracking}"
ALREADY_EXISTS = "TRACKING_NUMBER_ALREADY_EXISTS"
# Wix refused this shipment's data: it fails alone (recorded on it), the run goes on.
SHIPMENT_ERRORS = (WixValidationError, WixConflict, WixNotFound, NotInWix)
PAGE = 100


def tracking_link(shipment: Shipment) -> str | None:
    """The shipment's own link, else the carrier's template filled with the number."""
    if shipment.tracking_url:
        return shipment.tracking_url
    carrier = shipment.carrier or shipment.order.carrier
    template = carrier.tracking_url_template if carrier is not None else ""
    if template and TRACKING_PLACEHOLDER in template:
        return template.replace(TRACKING_PLACEHOLDER, shipment.tracking_number)
    return None


def shipping_provider(shipment: Shipment) -> str:
    """Carrier.code is the Wix provider code (ups, usps, fedex, dhl or a custom name)."""
    carrier = shipment.carrier or shipment.order.carrier
    if carrier is None:
        return "other"
    return carrier.code or carrier.name


def wix_line_items(shipment: Shipment) -> dict[str, list[tuple[str, int]]]:
    """Wix line ids and quantities per Wix order (merged orders hold lines of several).

    A shipment without lines ships the whole order.
    """
    if shipment.lines:
        pairs = [(sl.order_line, sl.quantity) for sl in shipment.lines]
    else:
        pairs = [(line, line.quantity) for line in shipment.order.lines]
    by_order: dict[str, list[tuple[str, int]]] = defaultdict(list)
    for line, quantity in pairs:
        if line is None or not line.external_line_id or quantity <= 0:
            continue
        wix_order = line.external_order_id or shipment.order.external_id or ""
        if wix_order:
            by_order[wix_order].append((line.external_line_id, quantity))
    return dict(by_order)


def pending_shipments(channel_id: int, after_id: int) -> list[Shipment]:
    """Shipments of this channel's orders not yet in Wix, a page at a time."""
    return list(
        db.session.scalars(
            select(Shipment)
            .join(Order, Order.id == Shipment.order_id)
            .where(Order.channel_id == channel_id, Order.external_id.is_not(None))
            .where(Shipment.wix_fulfillment_id.is_(None), Shipment.pushed_at.is_(None))
            .where(Shipment.id > after_id)
            .options(
                selectinload(Shipment.lines).selectinload(ShipmentLine.order_line),
                selectinload(Shipment.order).selectinload(Order.lines),
                selectinload(Shipment.carrier),
            )
            .order_by(Shipment.id)
            .limit(PAGE)
        )
    )


@sync_kind("fulfillments")
def push_fulfillments(ctx: RunContext) -> None:
    """Create a Wix fulfillment for every shipment not yet sent, once each."""
    last = 0
    with db.session.no_autoflush:
        while page := pending_shipments(ctx.channel.id, last):
            for shipment in page:
                push_shipment(ctx, shipment)
                ctx.commit()
            last = page[-1].id


def push_shipment(ctx: RunContext, shipment: Shipment) -> None:
    """Send one shipment; the outcome (id or error) is stored on it and in the run log."""
    ctx.count("seen")
    ref = f"shipment {shipment.id}"
    order = shipment.order
    groups = wix_line_items(shipment)
    statuses = _wix_statuses(order, groups)
    waiting = sorted(number for number, status in statuses.items() if status != "APPROVED")
    if not groups:
        _fail(ctx, shipment, "it has no lines from a Wix order", ref)
        return
    if waiting:
        ctx.log(
            "info",
            f"Order {order.number}: shipment {shipment.tracking_number} waits; Wix accepts "
            f"fulfillments of approved orders only (now {', '.join(waiting)}).",
            ref,
        )
        ctx.count("skipped")
        return
    provider, link = shipping_provider(shipment), tracking_link(shipment)
    if ctx.dry_run:
        ctx.log("info", f"Would send tracking {shipment.tracking_number} ({provider}).", ref)
        return
    ids: list[str] = []
    try:
        for wix_order_id, lines in groups.items():
            ids.append(_create(ctx.client, wix_order_id, lines, shipment, provider, link))
    except SHIPMENT_ERRORS as exc:
        _fail(ctx, shipment, exc.user_message, ref)
        return
    except WixError as exc:
        # Transient (5xx, timeouts): recorded, then the run stops; the next run retries.
        shipment.push_error = exc.user_message
        ctx.log("error", f"Order {order.number}: {exc.user_message}", ref)
        ctx.count("failed")
        ctx.commit()
        raise
    shipment.wix_fulfillment_id = ids[0]
    shipment.pushed_at = utcnow()
    shipment.push_error = None
    ctx.count("created")
    ctx.log(
        "info",
        f"Order {order.number}: tracking {shipment.tracking_number} ({provider}) sent to Wix.",
        ref,
    )


def _create(
    client: WixClient,
    wix_order_id: str,
    lines: list[tuple[str, int]],
    shipment: Shipment,
    provider: str,
    link: str | None,
) -> str:
    """Create the fulfillment and return its Wix id.

    When Wix refuses it (the tracking number exists, or the lines are already fulfilled: after
    a lost answer the retry is refused by whichever rule Wix checks first), the order's
    fulfillments are read: the one with this tracking number is this shipment's. When Wix
    lists none, the refusal stands and the shipment is not marked sent.
    """
    try:
        return client.fulfillments.create(
            wix_order_id,
            line_items=lines,
            tracking_number=shipment.tracking_number,
            shipping_provider=provider,
            tracking_link=link,
        )
    except WixError as exc:
        exists = exc.code == ALREADY_EXISTS or ALREADY_EXISTS in str(exc)
        if not exists and not isinstance(exc, WixValidationError | WixConflict):
            raise
        refusal = exc
    for fulfillment in client.fulfillments.list(wix_order_id):
        if fulfillment.tracking_number == shipment.tracking_number:
            return fulfillment.id
    if not exists:
        raise refusal
    raise NotInWix(
        "Wix says this tracking number is already used (on another order), but this order has "
        "no fulfillment with it: not marked as sent. Give the shipment its own tracking number."
    )


def _wix_statuses(order: Order, groups: dict[str, list[tuple[str, int]]]) -> dict[str, str]:
    """The Wix status of each Wix order involved, by order number (merged orders too)."""
    statuses = {}
    others = [wix_id for wix_id in groups if wix_id != order.external_id]
    if order.external_id in groups or not others:
        statuses[order.number] = order.channel_status
    if others:
        rows = db.session.execute(
            select(Order.number, Order.channel_status).where(
                Order.account_id == order.account_id, Order.external_id.in_(others)
            )
        )
        statuses.update(dict(rows.all()))
    return statuses


def _fail(ctx: RunContext, shipment: Shipment, message: str, ref: str) -> None:
    order = shipment.order
    if not ctx.dry_run:
        shipment.push_error = message
    ctx.log("error", f"Order {order.number}: tracking {shipment.tracking_number}: {message}", ref)
    ctx.count("failed")

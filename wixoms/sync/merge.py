"""Auto Merge Orders: a new order joins an open, unshipped order of the same customer or address."""

from __future__ import annotations

from sqlalchemy import and_, or_

from wixoms.extensions import db
from wixoms.models import Order, Shipment
from wixoms.models._base import utcnow
from wixoms.order_state import apply_state


def _same_address(order: Order):
    if not (order.ship_address1 and order.ship_postcode):
        return None
    return and_(
        Order.ship_address1 == order.ship_address1,
        Order.ship_postcode == order.ship_postcode,
        Order.ship_country == order.ship_country,
        Order.ship_name == order.ship_name,
    )


def find_merge_target(order: Order) -> tuple[Order, str] | None:
    """The oldest open, unshipped order of the channel with the same email or delivery address."""
    if order.is_pickup:
        return None
    if order.id is None:
        db.session.flush()  # "not this order" needs its id
    matches = []
    if order.buyer_email:
        matches.append(Order.buyer_email == order.buyer_email)
    address = _same_address(order)
    if address is not None:
        matches.append(address)
    if not matches:
        return None
    shipped = db.select(Shipment.id).where(Shipment.order_id == Order.id).exists()
    target = db.session.scalar(
        db.select(Order)
        .where(
            Order.account_id == order.account_id,
            Order.channel_id == order.channel_id,
            Order.id != order.id,
            Order.status == "open",
            Order.is_pickup.is_(False),
            Order.merged_into_id.is_(None),
            Order.currency == order.currency,
            ~shipped,
            or_(*matches),
        )
        .order_by(Order.id)
        .limit(1)
    )
    if target is None:
        return None
    why = (
        "same customer email"
        if order.buyer_email and target.buyer_email == order.buyer_email
        else "same delivery address"
    )
    return target, why


def merge_into_open_order(order: Order) -> Order | None:
    """Merge ``order`` into a matching open order; return the target, or None when none matches.

    The later order's row stays (status "merged", merged_into_id set) so the Wix order is still
    known and never imported twice; its lines move to the target, remembering their Wix order.
    """
    found = find_merge_target(order)
    if found is None:
        return None
    target, why = found
    for line in list(order.lines):
        line.external_order_id = order.external_id or ""
        line.order = target  # moves it between the two orders' line lists
    for money in ("subtotal", "shipping_total", "tax_total", "discount_total", "total"):
        setattr(target, money, getattr(target, money) + getattr(order, money))
    note = (
        f"Merged Wix order #{order.number} into this order ({why}) "
        f"on {utcnow():%Y-%m-%d %H:%M} UTC."
    )
    target.merge_note = f"{target.merge_note}\n{note}".strip()
    apply_state(order, "merged")
    order.merged_into_id = target.id
    order.merge_note = f"Merged into order #{target.number} ({why})."
    db.session.flush()
    return target

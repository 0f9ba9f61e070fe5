"""Stock truth: available to sell = on hand − allocated, per warehouse (ARCHITECTURE §5).

Allocated is computed, never stored: the unshipped quantity of the lines of open orders. So an
import allocates (the order exists), a cancel in Wix or in the OMS releases (the order is no
longer open) and a shipment consumes (it takes its units off on hand and out of allocated) with
no counter to keep in step. One grouped query over the open orders — their number, not the
catalog's size, sets its cost.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from sqlalchemy import and_, case, func, or_, select

from wixoms.extensions import db
from wixoms.models import InventoryLevel, Order, OrderLine, Shipment, ShipmentLine, Variant

# Orders whose lines hold stock until shipped: held ones too, and those awaiting payment in Wix
# (selling their units again could oversell; a cancel releases them).
ALLOCATING_STATUSES = ("open", "on_hold", "partially_shipped", "awaiting_payment")


def channel_quantity(available: int, stock_buffer: int, max_stock_level: int | None) -> int:
    """What Wix should show: available − Stock Buffer, capped at Max Stock Level, never < 0."""
    quantity = available - (stock_buffer or 0)
    if max_stock_level is not None:
        quantity = min(quantity, max_stock_level)
    return max(0, quantity)


def allocated(
    account_id: int, variant_ids: Iterable[int] | None = None
) -> dict[tuple[int, int | None], int]:
    """Unshipped units of open orders per (variant, warehouse); warehouse None: not assigned."""
    shipped = (
        select(ShipmentLine.order_line_id, func.sum(ShipmentLine.quantity).label("quantity"))
        .join(Shipment, Shipment.id == ShipmentLine.shipment_id)
        .join(Order, Order.id == Shipment.order_id)
        .where(Order.account_id == account_id, Order.status.in_(ALLOCATING_STATUSES))
        .group_by(ShipmentLine.order_line_id)
        .subquery()
    )
    left = OrderLine.quantity - func.coalesce(shipped.c.quantity, 0)
    stmt = (
        select(OrderLine.variant_id, Order.warehouse_id, func.sum(case((left > 0, left), else_=0)))
        .join(Order, Order.id == OrderLine.order_id)
        .outerjoin(shipped, shipped.c.order_line_id == OrderLine.id)
        .where(Order.account_id == account_id, Order.status.in_(ALLOCATING_STATUSES))
        .where(OrderLine.variant_id.is_not(None))
        .group_by(OrderLine.variant_id, Order.warehouse_id)
    )
    if variant_ids is not None:
        stmt = stmt.where(OrderLine.variant_id.in_(list(variant_ids)))
    return {(v, w): int(n) for v, w, n in db.session.execute(stmt) if n}


def available_by_variant(account_id: int, warehouse_ids: list[int]) -> dict[int, int]:
    """Available to sell per OMS variant over the given warehouses (Wix has no locations).

    Allocations of orders without a warehouse count against every channel's total: they will
    ship from somewhere, so selling those units again would oversell.
    """
    level = InventoryLevel
    rows = db.session.execute(
        select(Variant.id, func.coalesce(func.sum(level.on_hand), 0))
        .select_from(Variant)
        .outerjoin(
            level, and_(level.variant_id == Variant.id, level.warehouse_id.in_(warehouse_ids))
        )
        .where(Variant.account_id == account_id)
        .group_by(Variant.id)
    )
    available = {variant_id: int(total) for variant_id, total in rows}
    wanted = set(warehouse_ids)
    for (variant_id, warehouse_id), units in allocated(account_id).items():
        if variant_id in available and (warehouse_id is None or warehouse_id in wanted):
            available[variant_id] -= units
    return available


def counted_variants(account_id: int, warehouse_ids: list[int]) -> set[int]:
    """Variants with a stock count (a level row) in any of these warehouses."""
    return set(
        db.session.scalars(
            select(InventoryLevel.variant_id)
            .join(Variant, Variant.id == InventoryLevel.variant_id)
            .where(Variant.account_id == account_id)
            .where(or_(InventoryLevel.warehouse_id.in_(warehouse_ids)))
            .distinct()
        )
    )


def consume_shipment(shipment: Shipment) -> None:
    """Shipped units leave on hand in the order's warehouse (their allocation ends with them)."""
    warehouse_id = shipment.order.warehouse_id
    if warehouse_id is None:
        return
    units: dict[int, int] = defaultdict(int)
    for line in shipment.lines:
        if line.order_line.variant_id is not None:
            units[line.order_line.variant_id] += line.quantity
    for variant_id, quantity in units.items():
        level = db.session.get(InventoryLevel, (variant_id, warehouse_id))
        if level is None:
            level = InventoryLevel(variant_id=variant_id, warehouse_id=warehouse_id, on_hand=0)
            db.session.add(level)
        level.on_hand = (level.on_hand or 0) - quantity

"""The Orders list's pages: newest placed first by default, keyset-paged on (placed, id).

Keyset pages stay stable while new orders arrive (no OFFSET): a page link names the last order
it showed ("after") or the first ("before"), as placed-time and id.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import Select, and_, or_

from wixoms.extensions import db
from wixoms.ids import bounded_int
from wixoms.models import Order

SORTS = {"newest": "Newest placed first", "oldest": "Oldest placed first"}
DEFAULT_SORT = "newest"
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MICROSECOND = timedelta(microseconds=1)
LATEST_US = (datetime(9999, 12, 31, tzinfo=UTC) - EPOCH) // MICROSECOND


@dataclass(frozen=True)
class Cursor:
    """A position in the list: an order's placed time (µs since the epoch) and id."""

    placed_us: int
    id: int

    @classmethod
    def of(cls, order: Order) -> Cursor:
        return cls((order.placed_at - EPOCH) // MICROSECOND, order.id)

    @classmethod
    def parse(cls, raw: str | None) -> Cursor | None:
        """'1732900000000000.42' → Cursor; anything else → None (the first page)."""
        placed, _, ident = (raw or "").partition(".")
        if not (placed.isdigit() and ident.isdigit()) or len(placed) + len(ident) > 40:
            return None
        order_id = bounded_int(ident)
        if int(placed) > LATEST_US or order_id is None:
            return None
        return cls(int(placed), order_id)

    def __str__(self) -> str:
        return f"{self.placed_us}.{self.id}"

    @property
    def placed_at(self) -> datetime:
        return EPOCH + self.placed_us * MICROSECOND


@dataclass
class OrderPage:
    orders: list[Order]
    newer: Cursor | None  # a link to the page before this one in the sort order
    older: Cursor | None  # a link to the page after it


def _beyond(cursor: Cursor, forward: bool, descending: bool):
    """Orders after the cursor in the walk's direction (ties on placed time broken by id)."""
    later = forward != descending
    placed, ident = Order.placed_at, Order.id
    if later:
        return or_(placed > cursor.placed_at, and_(placed == cursor.placed_at, ident > cursor.id))
    return or_(placed < cursor.placed_at, and_(placed == cursor.placed_at, ident < cursor.id))


def _ordered(stmt: Select, ascending: bool) -> Select:
    if ascending:
        return stmt.order_by(Order.placed_at.asc(), Order.id.asc())
    return stmt.order_by(Order.placed_at.desc(), Order.id.desc())


def order_page(
    stmt: Select, sort: str, size: int, after: Cursor | None, before: Cursor | None
) -> OrderPage:
    """One page of ``stmt``'s orders in ``sort`` order, after or before a cursor."""
    descending = sort != "oldest"
    if before is not None:
        rows = db.session.scalars(
            _ordered(stmt.where(_beyond(before, False, descending)), descending).limit(size)
        ).all()[::-1]
    else:
        paged = stmt.where(_beyond(after, True, descending)) if after is not None else stmt
        rows = db.session.scalars(_ordered(paged, not descending).limit(size)).all()
    newer = older = None
    if rows:
        first, last = Cursor.of(rows[0]), Cursor.of(rows[-1])
        newer = first if _exists(stmt.where(_beyond(first, False, descending))) else None
        older = last if _exists(stmt.where(_beyond(last, True, descending))) else None
    return OrderPage(list(rows), newer, older)


def _exists(stmt: Select) -> bool:
    return db.session.scalar(db.select(stmt.exists())) is True

"""The one place an OMS order changes status.

Every transition goes through ``apply_state``: an import (created open, on hold, awaiting
payment or cancelled), a Wix update (cancelled, paid), a hold and its release, a merge, a
shipment. Stock allocation follows from the status alone (``sync/stock.py`` reads the open,
unshipped lines), so it needs no hook; a shipment's units leave on hand where it is created.
"""

from __future__ import annotations

from wixoms.models import ORDER_STATUSES, Order

# Statuses whose order may be shipped (the Ship form, the fulfillment push).
SHIPPABLE = ("open", "partially_shipped")
# Statuses that end an order: nothing changes it any more but a Wix cancel of a merged order.
FINAL = ("shipped", "cancelled", "merged")


def apply_state(order: Order, new_state: str, *, hold_reason: str | None = None) -> str:
    """Set ``order``'s status (and its hold reason); return the previous status.

    The previous status is "" for an order not yet given one (a new order). ``hold_reason`` is
    kept only with "on_hold"; any other status clears it.
    """
    if new_state not in ORDER_STATUSES:
        raise ValueError(f"unknown order status {new_state!r}; one of {ORDER_STATUSES}")
    old = order.status or ""
    order.status = new_state
    order.hold_reason = (hold_reason or order.hold_reason) if new_state == "on_hold" else None
    return old

"""Order truth: the OMS orders of a channel against Wix's orders that match its filter.

For benchmarks and soak tests: ``compare_with_wix(channel_id, wix_orders)`` counts the Wix
orders the OMS is missing, those it holds twice, and those in the wrong state.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from wixoms.extensions import db
from wixoms.models import Channel, Order
from wixoms.sync.orders.rules import OrderRules, skip_reason, unheld_state
from wixoms.wix import Order as WixOrder

# OMS statuses that agree with each status unheld_state gives a Wix order.
AGREEING = {
    "cancelled": {"cancelled", "merged"},
    "awaiting_payment": {"awaiting_payment", "on_hold", "merged"},
    "open": {"open", "on_hold", "partially_shipped", "shipped", "merged"},
}


def compare_with_wix(
    channel_id: int, wix_orders: Iterable[WixOrder | Mapping[str, Any]]
) -> dict[str, int]:
    """{"orders_missing", "orders_duplicated", "orders_wrong_state"} for one channel.

    ``wix_orders``: every order of the channel's Wix site (parsed, or as the API renders
    them). Those the channel's filter lets in must each be in the OMS, and no Wix order twice;
    every Wix order the OMS holds must carry Wix's status and an OMS status that agrees with
    it (cancelled, awaiting payment, open — or on hold, merged, shipped where that fits).
    """
    channel = db.session.get(Channel, channel_id)
    start = OrderRules.load(channel).start
    parsed = {
        o.id: o
        for o in (o if isinstance(o, WixOrder) else WixOrder.from_wix(o) for o in wix_orders)
    }
    wanted = {i for i, o in parsed.items() if skip_reason(channel, o, start) is None}
    held: dict[str, list[Order]] = {}
    ids = list(parsed)
    for chunk in range(0, len(ids), 500):
        for order in db.session.scalars(
            db.select(Order).where(
                Order.account_id == channel.account_id,
                Order.external_id.in_(ids[chunk : chunk + 500]),
            )
        ):
            held.setdefault(order.external_id or "", []).append(order)
    wrong = 0
    for wix_id, rows in held.items():
        wix = parsed[wix_id]
        status = rows[0].status
        if rows[0].channel_status != wix.status or status not in AGREEING[unheld_state(wix.status)]:
            wrong += 1
    return {
        "orders_missing": sum(1 for wix_id in wanted if wix_id not in held),
        "orders_duplicated": sum(len(rows) - 1 for rows in held.values()),
        "orders_wrong_state": wrong,
    }

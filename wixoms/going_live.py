"""Going live: what a channel needs before Is Active may be switched on.

The Warehouse Mappings tab says "Map warehouses before you sync orders": orders are received
into the mapped warehouse and stock is pushed only when one is mapped. The Channel settings tab
says which Wix order statuses are downloaded; without one, nothing ever arrives. A channel whose
tokens Wix refuses cannot sync at all.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from wixoms.extensions import db
from wixoms.models import Channel, WarehouseMapping

SEARCHABLE_STATUSES = ("APPROVED", "PENDING", "CANCELED", "REJECTED")


@dataclass(frozen=True)
class Missing:
    """One prerequisite not met: what to do, and the channel page tab where it is done."""

    what: str
    tab: str
    why: str


def missing_to_go_live(channel: Channel, values: Mapping[str, Any] | None = None) -> list[Missing]:
    """What stops the channel from going live, first things first (empty: ready).

    ``values``: settings about to be saved (the page's form), else the channel's own.
    """
    values = values or {}
    statuses = values.get("order_statuses", channel.order_statuses) or []
    mode = values.get("channel_mode", channel.channel_mode)
    missing = []
    if channel.needs_reconnect:
        missing.append(
            Missing("Reconnect to Wix", "reconnect", "Wix no longer accepts the channel's tokens.")
        )
    has_warehouse = db.session.scalar(
        db.select(WarehouseMapping.id).where(WarehouseMapping.channel_id == channel.id).limit(1)
    )
    if not has_warehouse:
        missing.append(
            Missing(
                "Map a warehouse",
                "warehouses",
                "Orders from Wix are received into the mapped warehouse, and stock is only "
                "pushed when one is mapped.",
            )
        )
    searchable = [s for s in statuses if s in SEARCHABLE_STATUSES]
    if not statuses or (mode != "webhooks" and not searchable):
        missing.append(
            Missing(
                "Choose the order statuses to download",
                "channel",
                "Without Approved, Pending, Canceled or Rejected no order is downloaded "
                "(Initialized orders arrive by webhook only).",
            )
        )
    return missing

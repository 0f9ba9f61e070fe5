"""Orders download: Wix orders into the OMS, by the channel's rules (ARCHITECTURE §1.3).

Rules, each findable by its words: only statuses in the channel's list; pickup orders only when
Process Pickup Orders is yes; from the Order Importing Type start point; payment filter and
skip fulfilled; idempotent upsert on (account, Wix order id) — status changes in Wix update the
OMS order; carrier mapping by Wix shipping title; SKU mapping then exact OMS SKU match; an
unknown SKU puts the order on hold with the reason and lists the SKU as unmapped — never drops
the order; warehouse from the warehouse mappings; Use Channel Names; Auto Merge Orders.

Split by job: ``rules`` (which orders qualify, line → variant), ``apply`` (create or update one
order; every OMS status change goes through ``apply.apply_state``), ``holds`` (hold reasons and
release) and ``download`` (the paged ``orders`` sync kind).
"""

from wixoms.sync.orders.apply import (
    CREATED,
    HELD,
    MERGED,
    SKIPPED,
    UNCHANGED,
    UPDATED,
    import_order,
)
from wixoms.sync.orders.download import download_orders, import_page
from wixoms.sync.orders.rules import CANCELLED_IN_WIX, OrderRules, import_start, skip_reason

__all__ = [
    "CANCELLED_IN_WIX",
    "CREATED",
    "HELD",
    "MERGED",
    "SKIPPED",
    "UNCHANGED",
    "UPDATED",
    "OrderRules",
    "download_orders",
    "import_order",
    "import_page",
    "import_start",
    "skip_reason",
]

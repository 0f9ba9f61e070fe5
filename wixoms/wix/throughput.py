"""Throughput plans: the one table of request rates and batch sizes used with Wix.

Where the figures come from (wix-api.md):

- §2: Wix allows **200 requests per minute per app instance**; above that it answers 429.
  Every job of a channel (orders, inventory, products, fulfillments, webhooks' order fetches)
  shares one token bucket per instance id, so a plan is the channel's whole budget. A token
  bucket lets ``burst`` requests through at once and then ``requests_per_minute``; in any
  60-second window at most ``requests_per_minute + burst`` requests pass, and every plan keeps
  that sum ≤ 200 so even the worst minute stays under Wix's limit.
- §8/§9: orders search pages hold at most 100 orders; using the maximum minimises calls.
- §6: catalog v1 product queries take ``limit`` ≤ 100; inventory increment/decrement take up to
  300 variants across products per call.
- §10: catalog v3 Bulk Update Inventory Items takes 1–1000 items (``@wix/auto_sdk_stores_
  inventory-items-v-3`` typings: ``inventoryItems`` @maxSize 1000) and its query pages hold up
  to 1000 items; bulk product deletes take 1–100.
"""

from __future__ import annotations

from dataclasses import dataclass

WIX_REQUESTS_PER_MINUTE = 200
WIX_MAX_PAGE_SIZE = 100
WIX_V1_INVENTORY_BATCH_MAX = 300
WIX_V3_INVENTORY_BULK_MAX = 1000
WIX_V3_INVENTORY_PAGE_MAX = 1000


@dataclass(frozen=True)
class ThroughputPlan:
    """Request rate (per app instance, shared by all jobs) and batch sizes of one plan."""

    key: str
    label: str
    requests_per_minute: int
    burst: int
    orders_page_size: int = WIX_MAX_PAGE_SIZE
    inventory_batch_v3: int = WIX_V3_INVENTORY_BULK_MAX
    inventory_batch_v1: int = WIX_V1_INVENTORY_BATCH_MAX
    products_page_size: int = WIX_MAX_PAGE_SIZE

    def __post_init__(self) -> None:
        if self.requests_per_minute + self.burst > WIX_REQUESTS_PER_MINUTE:
            raise ValueError(f"plan {self.key} exceeds Wix's 200 requests/minute per instance")
        if not 1 <= self.orders_page_size <= WIX_MAX_PAGE_SIZE:
            raise ValueError("orders_page_size must be 1..100")
        if not 1 <= self.products_page_size <= WIX_MAX_PAGE_SIZE:
            raise ValueError("products_page_size must be 1..100")
        if not 1 <= self.inventory_batch_v1 <= WIX_V1_INVENTORY_BATCH_MAX:
            raise ValueError("inventory_batch_v1 must be 1..300")
        if not 1 <= self.inventory_batch_v3 <= WIX_V3_INVENTORY_BULK_MAX:
            raise ValueError("inventory_batch_v3 must be 1..1000")

    @property
    def requests_per_second(self) -> float:
        return self.requests_per_minute / 60.0


PLANS: dict[str, ThroughputPlan] = {
    p.key: p
    for p in (
        # A third of Wix's budget: leaves room for other apps' tools and manual use.
        ThroughputPlan("starter", "Starter — 60 requests/min", requests_per_minute=60, burst=10),
        ThroughputPlan(
            "standard", "Standard — 120 requests/min", requests_per_minute=120, burst=20
        ),
        # rate + burst = 200: the whole per-instance budget, never above it.
        ThroughputPlan("pro", "Pro — 180 requests/min", requests_per_minute=180, burst=20),
    )
}

DEFAULT_PLAN = "standard"


def resolve_plan(plan: ThroughputPlan | str | None) -> ThroughputPlan:
    """Return the plan object for a plan or plan key (None → the default plan)."""
    if isinstance(plan, ThroughputPlan):
        return plan
    key = plan or DEFAULT_PLAN
    try:
        return PLANS[key]
    except KeyError:
        raise ValueError(
            f"unknown throughput plan {key!r}; choose one of {sorted(PLANS)}"
        ) from None

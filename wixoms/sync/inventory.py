"""Inventory push: OMS stock of the mapped warehouses → Wix quantities, only what changed.

Rules (techOMS guide, ARCHITECTURE §1.3): stock is grouped by SKU and summed over the mapped
warehouses, because Wix has no stock by location; Stock Buffer is subtracted, Max Stock Level
caps it, a negative result is sent as 0; nothing is sent without a warehouse mapping.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from sqlalchemy import and_, func, select

from wixoms.extensions import db
from wixoms.models import (
    Channel,
    InventoryLevel,
    InventoryPushState,
    Order,
    OrderLine,
    SkuMapping,
    Variant,
)
from wixoms.models._base import utcnow
from wixoms.sync.runs import RunContext, sync_kind
from wixoms.wix import (
    CatalogGateway,
    CatalogVersion,
    InventoryResult,
    VariantRef,
    WixConflict,
    WixNotFound,
    WixValidationError,
)
from wixoms.wix.throughput import ThroughputPlan

# Errors about the data of one product: retry product by product so one bad item fails alone.
ITEM_ERRORS = (WixNotFound, WixValidationError, WixConflict)
V3_QUERY_PRODUCTS = 100  # products per inventory-items query of the v3 client


def channel_quantity(available: int, stock_buffer: int, max_stock_level: int | None) -> int:
    """What Wix should show: available − Stock Buffer, capped at Max Stock Level, never < 0."""
    quantity = available - (stock_buffer or 0)
    if max_stock_level is not None:
        quantity = min(quantity, max_stock_level)
    return max(0, quantity)


def catalog_version(channel: Channel) -> CatalogVersion:
    """The channel's remembered catalog version (no Wix call)."""
    return CatalogVersion.V1 if channel.catalog_version == "v1" else CatalogVersion.V3


@dataclass
class Target:
    """One Wix variant to keep in step with one OMS variant; ``sku`` is the SKU in Wix."""

    sku: str
    variant_id: int
    quantity: int
    ref: VariantRef | None
    state: InventoryPushState | None
    last_known: int | None = None  # Wix's quantity, when we know it (v1 deltas)

    @property
    def changed(self) -> bool:
        s = self.state
        if s is None or s.quantity != self.quantity or (s.extra or {}).get("uncertain"):
            return True
        return self.ref is not None and (s.wix_product_id, s.wix_variant_id) != (
            self.ref.product_id,
            self.ref.variant_id,
        )


def available_by_variant(channel: Channel, warehouse_ids: list[int]) -> dict[int, int]:
    """Available (on hand − reserved) per OMS variant, summed over the given warehouses."""
    level = InventoryLevel
    rows = db.session.execute(
        select(Variant.id, func.coalesce(func.sum(level.on_hand - level.reserved), 0))
        .select_from(Variant)
        .outerjoin(
            level, and_(level.variant_id == Variant.id, level.warehouse_id.in_(warehouse_ids))
        )
        .where(Variant.account_id == channel.account_id)
        .group_by(Variant.id)
    )
    return {variant_id: int(total) for variant_id, total in rows}


def build_targets(channel: Channel, warehouse_ids: list[int]) -> list[Target]:
    """Every Wix target with its wanted quantity: mapped SKUs, else the OMS SKU itself."""
    available = available_by_variant(channel, warehouse_ids)
    states = {
        s.sku: s
        for s in db.session.scalars(
            select(InventoryPushState).where(InventoryPushState.channel_id == channel.id)
        )
    }
    mappings: dict[int, list[SkuMapping]] = defaultdict(list)
    for m in db.session.scalars(select(SkuMapping).where(SkuMapping.channel_id == channel.id)):
        mappings[m.variant_id].append(m)
    skus = dict(
        db.session.execute(
            select(Variant.id, Variant.sku).where(Variant.account_id == channel.account_id)
        ).all()
    )
    targets = []
    for variant_id, total in available.items():
        quantity = channel_quantity(total, channel.stock_buffer, channel.max_stock_level)
        for sku, ref in _wix_refs(skus[variant_id], mappings.get(variant_id, []), states):
            targets.append(Target(sku, variant_id, quantity, ref, states.get(sku)))
    return targets


def _wix_refs(
    oms_sku: str, mappings: list[SkuMapping], states: dict[str, InventoryPushState]
) -> Iterator[tuple[str, VariantRef | None]]:
    """Where an OMS variant lives in Wix: its SKU mappings, else a Wix variant with its SKU."""
    for m in mappings or [None]:
        sku = m.wix_sku if m is not None else oms_sku
        if m is not None and m.wix_product_id and m.wix_variant_id:
            yield sku, VariantRef(m.wix_product_id, m.wix_variant_id)
            continue
        state = states.get(sku)
        if state is not None and state.wix_product_id and state.wix_variant_id:
            yield sku, VariantRef(state.wix_product_id, state.wix_variant_id)
        else:
            yield sku, None


def moved_in_wix_since(channel: Channel, targets: Iterable[Target]) -> set[int]:
    """OMS variants sold through this channel since their last push.

    Wix lowers tracked quantities itself on purchase, so for these the last quantity we sent
    is no longer Wix's: they must be set absolutely, never by a delta.
    """
    pushed = [t.state.pushed_at for t in targets if t.state is not None and t.state.pushed_at]
    if not pushed:
        return set()
    since = min(_aware(p) for p in pushed)
    rows = db.session.execute(
        select(OrderLine.variant_id, func.max(Order.updated_at))
        .join(Order, Order.id == OrderLine.order_id)
        .where(Order.channel_id == channel.id, Order.updated_at > since)
        .where(OrderLine.variant_id.is_not(None))
        .group_by(OrderLine.variant_id)
    )
    latest = {variant_id: _aware(at) for variant_id, at in rows}
    return {
        t.variant_id
        for t in targets
        if t.variant_id in latest
        and t.state is not None
        and latest[t.variant_id] > _aware(t.state.pushed_at)
    }


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def chunks_by_product(
    targets: list[Target], version: CatalogVersion, plan: ThroughputPlan
) -> Iterator[list[Target]]:
    """Groups of whole products whose Wix calls fit about a minute of the plan's rate.

    Each group is committed before the next is sent, so progress survives a failure and the
    run's lease is renewed in time; groups are as large as that allows so batches stay full.
    """
    budget = max(1, plan.requests_per_minute)
    by_product: dict[str, list[Target]] = defaultdict(list)
    for t in targets:
        by_product[t.ref.product_id].append(t)  # type: ignore[union-attr]
    chunk: list[Target] = []
    calls = CallEstimate(version, plan)
    for group in by_product.values():
        if chunk and calls.plus(group) > budget:
            yield chunk
            chunk, calls = [], CallEstimate(version, plan)
        calls.add(group)
        chunk.extend(group)
    if chunk:
        yield chunk


@dataclass
class CallEstimate:
    """Wix calls set_inventory needs for some products (§9: v1 picks the cheaper strategy)."""

    version: CatalogVersion
    plan: ThroughputPlan
    products: int = 0
    refs: int = 0
    absolute_products: int = 0  # v1: products with a variant whose Wix quantity is unknown
    increments: int = 0
    decrements: int = 0

    def add(self, group: list[Target]) -> None:
        self.products += 1
        self.refs += len(group)
        if any(t.last_known is None for t in group):
            self.absolute_products += 1
            return
        self.increments += sum(1 for t in group if t.quantity > t.last_known)  # type: ignore[operator]
        self.decrements += sum(1 for t in group if t.quantity < t.last_known)  # type: ignore[operator]

    def plus(self, group: list[Target]) -> int:
        other = replace(self)
        other.add(group)
        return other.calls

    @property
    def calls(self) -> int:
        if self.version is CatalogVersion.V1:
            batch = self.plan.inventory_batch_v1
            deltas = (
                self.absolute_products
                + math.ceil(self.increments / batch)
                + math.ceil(self.decrements / batch)
            )
            return (
                min(self.products, deltas) if self.increments + self.decrements else self.products
            )
        return math.ceil(self.refs / self.plan.inventory_batch_v3) + math.ceil(
            self.products / V3_QUERY_PRODUCTS
        )


def set_last_known(targets: list[Target], moved: set[int]) -> None:
    """v1 deltas need Wix's current quantity: what we last sent, unless it may have moved."""
    for t in targets:
        s = t.state
        if (
            s is not None
            and t.ref is not None
            and not (s.extra or {}).get("uncertain")
            and t.variant_id not in moved
            and (s.wix_product_id, s.wix_variant_id) == (t.ref.product_id, t.ref.variant_id)
        ):
            t.last_known = s.quantity


@sync_kind("inventory")
def push_inventory(ctx: RunContext) -> None:
    """Send Wix the stock of every SKU whose computed quantity changed since the last push."""
    channel = ctx.channel
    warehouse_ids = [m.warehouse_id for m in channel.warehouse_mappings]
    if not warehouse_ids:
        ctx.skip(
            "Inventory was not pushed: no warehouse is mapped to this channel. Map at least one "
            "warehouse in the Warehouse Mappings tab; only mapped warehouses' stock is sent."
        )
    targets = build_targets(channel, warehouse_ids)
    changed = [t for t in targets if t.changed]
    ctx.count("seen", len(targets))
    ctx.count("skipped", len(targets) - len(changed))
    ctx.set_total(len(targets))
    if not changed:
        ctx.log("info", f"All {len(targets)} SKU(s) already match Wix: nothing to send.")
        return
    version = catalog_version(channel)
    catalog = ctx.client.catalog(version)
    _resolve_missing(ctx, catalog, changed)
    sendable = [t for t in changed if t.ref is not None]
    if ctx.dry_run:
        for t in sendable:
            ctx.log("info", f"Would set {t.sku} to {t.quantity} (was {_was(t)}).", t.sku)
        ctx.count("updated", len(sendable))
        return
    if version is CatalogVersion.V1:
        set_last_known(sendable, moved_in_wix_since(channel, sendable))
    strategies: dict[str, int] = defaultdict(int)
    for chunk in chunks_by_product(sendable, version, catalog.plan):  # type: ignore[attr-defined]
        _send_chunk(ctx, catalog, chunk, strategies)
    if version is CatalogVersion.V1:
        used = ", ".join(f"{name} ({calls} calls)" for name, calls in strategies.items())
        ctx.log("info", f"Catalog v1 inventory strategy: {used or 'none'}.")


def _was(t: Target) -> str:
    return "never sent" if t.state is None else str(t.state.quantity)


def _resolve_missing(ctx: RunContext, catalog: CatalogGateway, changed: list[Target]) -> None:
    """Find Wix variants for SKUs without a known one; remember those Wix does not have."""
    missing = [t for t in changed if t.ref is None]
    if not missing:
        return
    found = catalog.find_variants_by_sku({t.sku for t in missing})
    for t in missing:
        t.ref = found.get(t.sku)
        if t.ref is None:
            ctx.log("warning", f"{t.sku} is not in Wix: its stock was not sent.", t.sku)
            ctx.count("skipped")
            if not ctx.dry_run:
                # Remembered so an unchanged SKU costs no Wix lookup next time.
                _save_state(ctx.channel, t, None, extra={"not_in_wix": True})
    ctx.commit()


def _send_chunk(
    ctx: RunContext,
    catalog: CatalogGateway,
    chunk: list[Target],
    strategies: dict[str, int],
) -> None:
    levels = {t.ref: t.quantity for t in chunk}
    last_known = {t.ref: t.last_known for t in chunk if t.last_known is not None}
    try:
        result = catalog.set_inventory(levels, last_known=last_known)  # type: ignore[arg-type]
    except ITEM_ERRORS:
        result = _send_product_by_product(ctx, catalog, chunk)
    except Exception:
        # Outcome unknown (a delta may have been applied): the next run sets these absolutely.
        for t in chunk:
            _save_state(ctx.channel, t, None, extra={"uncertain": True}, merge=True)
        ctx.commit()
        raise
    strategies[result.strategy] += result.calls
    _record(ctx, chunk, result)
    ctx.commit()


def _send_product_by_product(
    ctx: RunContext, catalog: CatalogGateway, chunk: list[Target]
) -> InventoryResult:
    """Absolute quantities, one product at a time, so a bad product fails on its own."""
    total = InventoryResult(strategy="per_product_after_error")
    by_product: dict[str, list[Target]] = defaultdict(list)
    for t in chunk:
        by_product[t.ref.product_id].append(t)  # type: ignore[union-attr]
    for targets in by_product.values():
        levels = {t.ref: t.quantity for t in targets}
        try:
            result = catalog.set_inventory(levels)  # type: ignore[arg-type]
        except ITEM_ERRORS as exc:
            total.failed.update({t.ref: exc.user_message for t in targets})  # type: ignore[misc]
            continue
        total.calls += result.calls
        total.updated.extend(result.updated)
        total.failed.update(result.failed)
    return total


def _record(ctx: RunContext, chunk: list[Target], result: InventoryResult) -> None:
    """Remember what Wix now has; log each SKU's outcome."""
    for t in chunk:
        error = result.failed.get(t.ref)  # type: ignore[arg-type]
        if error is not None:
            # State left as it was: the next run tries this SKU again.
            ctx.log("error", f"{t.sku}: Wix refused the stock update: {error}", t.sku)
            ctx.count("failed")
            continue
        ctx.log("info", f"{t.sku}: {_was(t)} → {t.quantity}", t.sku)
        ctx.count("updated")
        _save_state(ctx.channel, t, t.ref)


def _save_state(
    channel: Channel,
    t: Target,
    ref: VariantRef | None,
    *,
    extra: dict | None = None,
    merge: bool = False,
) -> None:
    """Record what Wix has for this SKU (``merge`` keeps the last sent quantity and ids)."""
    state = t.state
    if state is None:
        state = db.session.scalar(
            select(InventoryPushState).where(
                InventoryPushState.channel_id == channel.id, InventoryPushState.sku == t.sku
            )
        )
    if state is None:
        state = InventoryPushState(channel_id=channel.id, sku=t.sku, quantity=-1)
        db.session.add(state)
        t.state = state
    if not merge:
        state.quantity = t.quantity
        state.wix_product_id = ref.product_id if ref else ""
        state.wix_variant_id = ref.variant_id if ref else ""
        state.pushed_at = utcnow()
    state.extra = dict(extra or {})

"""Inventory push: available to sell in the mapped warehouses → Wix quantities, absolutely.

What Wix should show comes from ``inventory_targets`` (available after buffer and cap, ≥ 0).
Only what changed since the last push is sent, except when Wix is read back: on the
reconciliation schedule (``INVENTORY_RECONCILE_HOURS``) and before any Catalog v1 delta, every
Wix quantity that differs is set, and each drift is named in the sync log. Nothing is sent
without a warehouse mapping. No write transaction is open while Wix is called.
"""

from __future__ import annotations

import math
from collections import defaultdict
from datetime import timedelta

from sqlalchemy import insert, update

from wixoms.extensions import db
from wixoms.models import Channel, InventoryPushState, SyncCheckpoint
from wixoms.models._base import utcnow
from wixoms.sync.inventory_targets import Target, build_targets, compare_with_wix, to_send
from wixoms.sync.runs import RunContext, aware, sync_kind
from wixoms.wix import (
    CatalogGateway,
    CatalogVersion,
    InventoryResult,
    VariantRef,
    WixConflict,
    WixNotFound,
    WixValidationError,
)
from wixoms.wix.inventory_calls import CallEstimate
from wixoms.wix.throughput import ThroughputPlan
from wixoms.wording import plural

# Errors about the data of one product: retry product by product so one bad item fails alone.
ITEM_ERRORS = (WixNotFound, WixValidationError, WixConflict)
# SKUs recorded per transaction: on SQLite a commit of thousands of rows holds the one write
# lock long enough to delay webhook intake; short commits let it in between.
RECORD_BATCH = 100


def catalog_version(channel: Channel) -> CatalogVersion:
    """The channel's remembered catalog version (no Wix call)."""
    return CatalogVersion.V1 if channel.catalog_version == "v1" else CatalogVersion.V3


def chunks_by_product(
    targets: list[Target], version: CatalogVersion, plan: ThroughputPlan
) -> list[list[Target]]:
    """Groups of whole products whose Wix calls fit about a minute of the plan's rate.

    Each group is committed before the next is sent, so progress survives a failure and the
    run's lease is renewed in time; groups are as large as that allows so batches stay full.
    """
    budget = max(1, plan.requests_per_minute)
    groups: dict[str, list[Target]] = defaultdict(list)
    for t in targets:
        groups[t.ref.product_id].append(t)  # type: ignore[union-attr]
    chunks: list[list[Target]] = []
    chunk: list[Target] = []
    calls = CallEstimate(version, plan)
    for group in groups.values():
        levels, known = _levels(group)
        if chunk and calls.plus(levels, known) > budget:
            chunks.append(chunk)
            chunk, calls = [], CallEstimate(version, plan)
        calls.add(levels, known)
        chunk.extend(group)
    if chunk:
        chunks.append(chunk)
    return chunks


def _levels(targets: list[Target]) -> tuple[dict[VariantRef, int], dict[VariantRef, int]]:
    levels = {t.ref: t.quantity for t in targets}
    known = {t.ref: t.last_known for t in targets if t.last_known is not None}
    return levels, known  # type: ignore[return-value]


def reconcile_due(ctx: RunContext) -> bool:
    """Wix's quantities are read back every INVENTORY_RECONCILE_HOURS (0: on every push)."""
    hours = float(ctx.config.get("INVENTORY_RECONCILE_HOURS", 24))
    cp = db.session.get(SyncCheckpoint, (ctx.channel.id, ctx.run.kind))
    last = aware(cp.updated_since) if cp is not None else None
    return last is None or utcnow() - last >= timedelta(hours=max(hours, 0))


def read_pays_off(targets: list[Target], changed: list[Target], plan: ThroughputPlan) -> bool:
    """v1 deltas need Wix's current quantities: worth a full read only when read + deltas
    cost fewer calls than one PATCH per changed product."""
    patches = len({t.ref.product_id for t in changed if t.ref is not None})
    products = len({t.ref.product_id for t in targets if t.ref is not None})
    reads = math.ceil(products / max(1, plan.products_page_size))
    deltas = 2 * math.ceil(len(changed) / max(1, plan.inventory_batch_v1))
    return reads + deltas < patches


@sync_kind("inventory")
def push_inventory(ctx: RunContext) -> None:
    """Send Wix the stock of every SKU whose quantity changed, or differs in Wix when read."""
    channel = ctx.channel
    warehouse_ids = [m.warehouse_id for m in channel.warehouse_mappings]
    if not warehouse_ids:
        ctx.skip(
            "Inventory was not pushed: no warehouse is mapped to this channel. Map at least one "
            "warehouse in the Warehouse Mappings tab; only mapped warehouses' stock is sent."
        )
    targets = build_targets(channel, warehouse_ids)
    changed = [t for t in targets if t.changed]
    due = reconcile_due(ctx)
    ctx.count("seen", len(targets))
    ctx.set_total(len(targets))
    ctx.commit()  # nothing may be pending while Wix is called
    if not changed and not due:
        ctx.count("skipped", len(targets))
        ctx.log("info", f"All {plural(len(targets), 'SKU')} already match Wix: nothing to send.")
        return
    version = catalog_version(channel)
    catalog = ctx.client.catalog(version)
    _resolve_missing(ctx, catalog, changed)
    plan: ThroughputPlan = catalog.plan  # type: ignore[attr-defined]
    read = due or (version is CatalogVersion.V1 and read_pays_off(targets, changed, plan))
    if read:
        _reconcile(ctx, catalog, targets, record_time=due)
    sendable = to_send(targets, read=read)
    ctx.count("skipped", len(targets) - len(sendable))
    if ctx.dry_run:
        for t in sendable:
            ctx.log("info", f"Would set {t.sku} to {t.quantity} (was {_was(t)}).", t.sku)
        ctx.count("updated", len(sendable))
        return
    strategies: dict[str, int] = defaultdict(int)
    for chunk in chunks_by_product(sendable, version, plan):
        _send_chunk(ctx, catalog, chunk, strategies)
    if version is CatalogVersion.V1:
        used = ", ".join(f"{name} ({calls} calls)" for name, calls in strategies.items())
        ctx.log("info", f"Catalog v1 inventory strategy: {used or 'none'}.")


def _reconcile(
    ctx: RunContext, catalog: CatalogGateway, targets: list[Target], *, record_time: bool
) -> None:
    """Read Wix's quantities; name each drift; drifted variants are then set absolutely."""
    started = utcnow()
    wix = catalog.inventory_levels()
    drifted = compare_with_wix(targets, wix)
    for t in drifted:
        seen = "not tracked" if t.seen_in_wix is None else str(t.seen_in_wix)
        fix = "would be set" if ctx.dry_run else "set"
        ctx.log(
            "warning",
            f"{t.sku}: drift — Wix had {seen}, wixoms last sent {t.sent}; {fix} to {t.quantity}.",
            t.sku,
        )
        t.last_known = None  # absolute, never a delta from a quantity that moves on its own
    ctx.log(
        "info",
        f"Read {plural(len(wix), 'quantity', 'quantities')} back from Wix: "
        f"{plural(len(drifted), 'drift')} found.",
    )
    if ctx.dry_run:
        return
    right = [t for t in targets if t.ref is not None and t.changed and t.last_known == t.quantity]
    _save_states(ctx.channel, right, {t.sku: t.ref for t in right})  # nothing to send for these
    if record_time:
        ctx.save_checkpoint(updated_since=started, commit=False)
    ctx.commit()


def _was(t: Target) -> str:
    if t.seen_in_wix is not None:
        return str(t.seen_in_wix)
    return "never sent" if t.sent is None else str(t.sent)


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
            if not ctx.dry_run:
                # Remembered so an unchanged SKU costs no Wix lookup next time.
                _save_states(ctx.channel, [t], {t.sku: None}, extra={"not_in_wix": True})
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
        _save_states(ctx.channel, chunk, {}, extra={"uncertain": True}, merge=True)
        ctx.commit()
        raise
    strategies[result.strategy] += result.calls
    for start in range(0, len(chunk), RECORD_BATCH):
        _record(ctx, chunk[start : start + RECORD_BATCH], result)
        ctx.commit()


def _send_product_by_product(
    ctx: RunContext, catalog: CatalogGateway, chunk: list[Target]
) -> InventoryResult:
    """Absolute quantities, one product at a time, so a bad product fails on its own."""
    total = InventoryResult(strategy="per_product_after_error")
    groups: dict[str, list[Target]] = defaultdict(list)
    for t in chunk:
        groups[t.ref.product_id].append(t)  # type: ignore[union-attr]
    for targets in groups.values():
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
    sent = []
    for t in chunk:
        error = result.failed.get(t.ref)  # type: ignore[arg-type]
        if error is not None:
            # State left as it was: the next run tries this SKU again.
            ctx.log("error", f"{t.sku}: Wix refused the stock update: {error}", t.sku)
            ctx.count("failed")
            continue
        ctx.log("info", f"{t.sku}: {_was(t)} → {t.quantity}", t.sku)
        ctx.count("updated")
        sent.append(t)
    _save_states(ctx.channel, sent, {t.sku: t.ref for t in sent})


def _save_states(
    channel: Channel,
    targets: list[Target],
    refs: dict[str, VariantRef | None],
    *,
    extra: dict | None = None,
    merge: bool = False,
) -> None:
    """Record what Wix has for these SKUs (``merge`` keeps the last sent quantity and ids),
    in two statements: one update of the known rows, one insert of the new ones."""
    now = utcnow()
    updates, inserts = [], []
    for t in targets:
        values: dict = {"extra": dict(extra or {})}
        if not merge:
            ref = refs.get(t.sku)
            values.update(
                quantity=t.quantity,
                wix_product_id=ref.product_id if ref else "",
                wix_variant_id=ref.variant_id if ref else "",
                pushed_at=now,
            )
        if t.state is not None:
            updates.append({"id": t.state.id, **values})
        else:
            inserts.append({"channel_id": channel.id, "sku": t.sku, "quantity": -1, **values})
    if updates:
        db.session.execute(update(InventoryPushState), updates)
    if inserts:
        db.session.execute(insert(InventoryPushState), inserts)

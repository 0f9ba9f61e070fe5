"""Apply one Wix order to the OMS: create it, or update it from a newer Wix version."""

from __future__ import annotations

from sqlalchemy import or_, update

from wixoms.extensions import db
from wixoms.models import Channel, Order, OrderLine
from wixoms.order_state import apply_state
from wixoms.sync.merge import merge_into_open_order
from wixoms.sync.orders.holds import Problem, hold, release_if_mapped
from wixoms.sync.orders.rules import NO_SKU, OrderRules, skip_reason, unheld_state
from wixoms.sync.runs import RunContext, aware
from wixoms.wix import Order as WixOrder
from wixoms.wording import plural, wix_order_status

# Outcomes of import_order.
CREATED, HELD, MERGED, UPDATED, UNCHANGED, SKIPPED = (
    "created", "held", "merged", "updated", "unchanged", "skipped",
)  # fmt: skip


def _target(ctx_or_channel: RunContext | Channel) -> tuple[RunContext | None, Channel]:
    if isinstance(ctx_or_channel, RunContext):
        return ctx_or_channel, ctx_or_channel.channel
    return None, ctx_or_channel


def _log(ctx: RunContext | None, level: str, message: str, order: WixOrder) -> None:
    if ctx is not None:
        ctx.log(level, message, f"#{order.number}")


def import_order(
    ctx_or_channel: RunContext | Channel,
    wix_order: WixOrder,
    *,
    rules: OrderRules | None = None,
    existing: Order | None = None,
    lookup: bool = True,
) -> str:
    """Create or update the OMS order for one Wix order; return the outcome.

    Outcomes: created, held (created on hold), merged (created, then merged into an open order),
    updated, unchanged, skipped. Nothing is committed: the caller commits (the orders download
    once per page; the webhook worker with its event). If the commit hits the unique constraint
    (another process imported the same order meanwhile), roll back and call again: it updates.
    In dry-run mode (a RunContext whose channel is in dry-run) nothing is written.
    """
    ctx, channel = _target(ctx_or_channel)
    rules = rules or OrderRules.load(channel)
    dry_run = bool(ctx.dry_run) if ctx is not None else False
    if ctx is not None:
        buyer = wix_order.buyer
        ctx.mark_pii(buyer.email, buyer.phone, buyer.first_name, buyer.last_name, replace=True)
    if existing is None and lookup:
        existing = db.session.scalar(
            db.select(Order).where(
                Order.account_id == channel.account_id, Order.external_id == wix_order.id
            )
        )
    if existing is not None:
        return _update_order(ctx, existing, wix_order, rules, dry_run)
    reason = skip_reason(channel, wix_order, rules.start)
    if reason:
        _log(ctx, "info", f"Order #{wix_order.number} not imported: {reason}.", wix_order)
        return SKIPPED
    if dry_run:
        _log(ctx, "info", f"Dry run: order #{wix_order.number} would be imported.", wix_order)
        return CREATED
    order = _new_order(channel, wix_order, rules)
    db.session.add(order)
    problems = _add_lines(order, wix_order, rules)
    state = unheld_state(wix_order.status)
    if state == "cancelled":
        # First seen cancelled or rejected: kept so it is known, never shippable.
        apply_state(order, "cancelled")
        status = wix_order_status(wix_order.status)
        _log(
            ctx,
            "info",
            f"Order #{order.number} imported as cancelled ({status} in Wix).",
            wix_order,
        )
        return CREATED
    if problems:
        hold(order, wix_order.number, problems)
        _log(
            ctx,
            "warning",
            f"Order #{order.number} imported and put on hold: {order.hold_reason}",
            wix_order,
        )
        return HELD
    apply_state(order, state)
    if state == "awaiting_payment":
        _log(
            ctx,
            "info",
            f"Order #{order.number} imported, awaiting payment in Wix: not shippable yet.",
            wix_order,
        )
        return CREATED
    # No flush per order otherwise: the page is flushed in bulk at its commit.
    if channel.auto_merge_orders:
        db.session.flush()  # the merge search must know this order's id
        target = merge_into_open_order(order)
        if target is not None:
            _log(ctx, "info", f"Order #{order.number} merged into #{target.number}.", wix_order)
            return MERGED
    lines = plural(len(order.lines), "line")
    _log(ctx, "info", f"Order #{order.number} imported ({lines}).", wix_order)
    return CREATED


def _new_order(channel: Channel, wix_order: WixOrder, rules: OrderRules) -> Order:
    buyer = wix_order.buyer
    address = wix_order.shipping_address
    contact = wix_order.shipping_contact
    totals = wix_order.totals
    return Order(
        account_id=channel.account_id,
        channel_id=channel.id,
        source_channel_name=channel.name,
        external_id=wix_order.id,
        number=wix_order.number[:40],
        channel_status=wix_order.status,
        payment_status=wix_order.payment_status or "",
        fulfillment_status=wix_order.fulfillment_status or "NOT_FULFILLED",
        is_pickup=wix_order.is_pickup,
        buyer_name=_name(buyer.first_name, buyer.last_name),
        buyer_email=(buyer.email or "")[:254],
        buyer_phone=(buyer.phone or "")[:40],
        ship_name=_name(contact.first_name, contact.last_name) if contact else "",
        ship_company=((contact.company if contact else None) or "")[:160],
        ship_address1=((address.address_line1 if address else None) or "")[:255],
        ship_address2=((address.address_line2 if address else None) or "")[:255],
        ship_city=((address.city if address else None) or "")[:120],
        ship_region=((address.subdivision if address else None) or "")[:120],
        ship_postcode=((address.postal_code if address else None) or "")[:20],
        ship_country=((address.country if address else None) or "")[:2],
        shipping_method=(wix_order.shipping_title or "")[:120],
        buyer_note=wix_order.buyer_note or "",
        carrier_id=rules.carrier_for(wix_order.shipping_title),
        warehouse_id=rules.warehouse_id,
        currency=(wix_order.currency or "USD")[:3],
        subtotal=totals.subtotal,
        shipping_total=totals.shipping,
        tax_total=totals.tax,
        discount_total=totals.discount,
        total=totals.total,
        placed_at=wix_order.created_date,
        external_updated_at=wix_order.updated_date,
    )


def _name(first: str | None, last: str | None) -> str:
    return " ".join(p for p in (first, last) if p)[:160]


def _add_lines(order: Order, wix_order: WixOrder, rules: OrderRules) -> list[Problem]:
    """Add the order's lines; return the lines the OMS cannot bind to a variant, and why."""
    problems: list[Problem] = []
    for item in wix_order.line_items:
        binding = rules.bind(item.sku, item.product_id, item.variant_id)
        variant_id = binding.variant_id
        name = item.name
        if binding.problem == NO_SKU and item.options:  # the variant is told only by its choices
            name = f"{name} ({', '.join(f'{k}: {v}' for k, v in item.options.items())})"
        if variant_id is None:
            problems.append(Problem(item.sku or "", name, binding))
        use_wix_name = rules.channel.use_channel_names or variant_id is None
        order.lines.append(
            OrderLine(
                variant_id=variant_id,
                external_line_id=item.id,
                sku=(item.sku or "")[:64],
                wix_product_id=(item.product_id or "")[:64],
                wix_variant_id=(item.variant_id or "")[:64],
                name=(name if use_wix_name else rules.title_for(variant_id) or name)[:255],
                quantity=item.quantity,
                unit_price=item.price,
            )
        )
    return problems


def _update_order(
    ctx: RunContext | None, order: Order, wix_order: WixOrder, rules: OrderRules, dry_run: bool
) -> str:
    """Wix is the truth for its own statuses; an older or equal version changes nothing.

    Versions are compared in the database (compare-and-set on the stored Wix updatedDate), so
    of two processes applying two versions of the same order, the older never overwrites the
    newer whatever the order they commit in.
    """
    known = aware(order.external_updated_at)
    if known is not None and wix_order.updated_date <= known:
        return UNCHANGED
    changes = {
        "channel_status": wix_order.status,
        "payment_status": wix_order.payment_status or "",
        "fulfillment_status": wix_order.fulfillment_status or order.fulfillment_status,
    }
    if dry_run:
        if any(getattr(order, k) != v for k, v in changes.items()):
            _log(ctx, "info", f"Dry run: order #{order.number} would be updated.", wix_order)
            return UPDATED
        return UNCHANGED
    if not _claim_version(order, wix_order):
        return UNCHANGED
    changed = [k for k, v in changes.items() if getattr(order, k) != v]
    for key in changed:
        setattr(order, key, changes[key])
    target = unheld_state(wix_order.status)
    if target == "cancelled" and order.status in ("open", "on_hold", "awaiting_payment"):
        apply_state(order, "cancelled")
        changed.append("status")
    elif target == "cancelled" and order.status == "merged":
        _log(
            ctx, "warning", f"Order #{order.number} was cancelled in Wix but is merged.", wix_order
        )
    elif order.status == "awaiting_payment" and target == "open":
        apply_state(order, "open")
        changed.append("status")
    if order.status == "on_hold" and not release_if_mapped(order, rules):
        changed.append("hold released")
    if not changed:
        return UNCHANGED
    what = ", ".join(c.replace("_", " ") for c in changed)
    _log(ctx, "info", f"Order #{order.number} updated from Wix ({what}).", wix_order)
    return UPDATED


def _claim_version(order: Order, wix_order: WixOrder) -> bool:
    """Store this Wix version on the order only if it is newer than the stored one; reload the
    order's state under that row lock. False: a newer version is already there."""
    newer = wix_order.updated_date
    won = db.session.execute(
        update(Order)
        .where(
            Order.id == order.id,
            or_(Order.external_updated_at.is_(None), Order.external_updated_at < newer),
        )
        .values(external_updated_at=newer)
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.refresh(order)
    return bool(won)

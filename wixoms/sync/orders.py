"""Orders download: Wix orders into the OMS, by the channel's rules (ARCHITECTURE §1.3).

Rules, each findable by its words: only statuses in the channel's list; pickup orders only when
Process Pickup Orders is yes; from the Order Importing Type start point; payment filter and
skip fulfilled; idempotent upsert on (account, Wix order id) — status changes in Wix update the
OMS order; carrier mapping by Wix shipping title; SKU mapping then exact OMS SKU match; an
unknown SKU puts the order on hold with the reason and lists the SKU as unmapped — never drops
the order; warehouse from the warehouse mappings; Use Channel Names; Auto Merge Orders.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy.exc import IntegrityError

from wixoms.extensions import db
from wixoms.models import (
    CarrierMapping,
    Channel,
    Order,
    OrderLine,
    SkuMapping,
    UnmappedSku,
    Variant,
    WarehouseMapping,
)
from wixoms.models._base import utcnow
from wixoms.sync.merge import merge_into_open_order
from wixoms.sync.privacy import mask_personal_data
from wixoms.sync.runs import RunContext, aware, sync_kind
from wixoms.wix import Order as WixOrder
from wixoms.wix import WixValidationError
from wixoms.wix.models import LineItem

# Outcomes of import_order.
CREATED, HELD, MERGED, UPDATED, UNCHANGED, SKIPPED = (
    "created", "held", "merged", "updated", "unchanged", "skipped",
)  # fmt: skip
CANCELLED_IN_WIX = ("CANCELED", "REJECTED")


def import_start(channel: Channel) -> datetime:
    """The Order Importing Type start point: orders placed before it are not imported.

    from_now counts from when the channel was set up (so nothing placed between setup and the
    first run is missed); last_days counts back from that same moment, so it does not slide.
    """
    created = aware(channel.created_at) or utcnow()
    if channel.import_type == "from_date" and channel.import_from_date:
        return aware(channel.import_from_date)
    if channel.import_type == "last_days":
        return created - timedelta(days=max(channel.import_last_days or 0, 0))
    return created


@dataclass
class OrderRules:
    """A channel's mappings, read once per run (or per webhook) and cached."""

    channel: Channel
    carriers: dict[str, int] = field(default_factory=dict)
    sku_mappings: dict[str, int] = field(default_factory=dict)
    ref_mappings: dict[tuple[str, str], int] = field(default_factory=dict)
    variants: dict[str, tuple[int, str] | None] = field(default_factory=dict)
    titles: dict[int, str] = field(default_factory=dict)
    warehouse_id: int | None = None
    start: datetime | None = None

    @classmethod
    def load(cls, channel: Channel) -> OrderRules:
        rules = cls(channel=channel, start=import_start(channel))
        for m in db.session.scalars(
            db.select(CarrierMapping).where(CarrierMapping.channel_id == channel.id)
        ):
            rules.carriers[_key(m.wix_shipping_title)] = m.carrier_id
        for m in db.session.scalars(
            db.select(SkuMapping).where(SkuMapping.channel_id == channel.id)
        ):
            rules.sku_mappings[m.wix_sku] = m.variant_id
            if m.wix_product_id:
                rules.ref_mappings[(m.wix_product_id, m.wix_variant_id or "")] = m.variant_id
        rules.warehouse_id = db.session.scalar(
            db.select(WarehouseMapping.warehouse_id)
            .where(WarehouseMapping.channel_id == channel.id)
            .order_by(WarehouseMapping.id)
            .limit(1)
        )
        return rules

    def carrier_for(self, title: str | None) -> int | None:
        return self.carriers.get(_key(title or ""))

    def variant_for(self, line: LineItem) -> int | None:
        """SKU mapping first, then the Wix product/variant mapping, then an exact OMS SKU."""
        if line.sku and line.sku in self.sku_mappings:
            return self.sku_mappings[line.sku]
        if line.product_id:
            ref = self.ref_mappings.get((line.product_id, line.variant_id or ""))
            if ref is not None:
                return ref
        if not line.sku:
            return None
        if line.sku not in self.variants:
            row = db.session.execute(
                db.select(Variant.id, Variant.sku).where(
                    Variant.account_id == self.channel.account_id, Variant.sku == line.sku
                )
            ).first()
            self.variants[line.sku] = (row.id, row.sku) if row else None
        found = self.variants[line.sku]
        return found[0] if found else None

    def title_for(self, variant_id: int) -> str:
        if variant_id not in self.titles:
            variant = db.session.get(Variant, variant_id)
            self.titles[variant_id] = variant.title if variant else ""
        return self.titles[variant_id]


def _key(title: str) -> str:
    return " ".join(title.split()).casefold()


def _target(ctx_or_channel: RunContext | Channel) -> tuple[RunContext | None, Channel]:
    if isinstance(ctx_or_channel, RunContext):
        return ctx_or_channel, ctx_or_channel.channel
    return None, ctx_or_channel


def _log(ctx: RunContext | None, level: str, message: str, order: WixOrder) -> None:
    if ctx is not None:
        ctx.log(level, message, f"#{order.number}")


def skip_reason(channel: Channel, wix_order: WixOrder, start: datetime | None) -> str | None:
    """Why a Wix order the OMS does not have yet is not imported, or None to import it."""
    if wix_order.status not in (channel.order_statuses or []):
        return f"status {wix_order.status} is not in Download Orders with Order Status"
    if wix_order.is_pickup and not channel.process_pickup_orders:
        return "pickup order, and Process Pickup Orders is No"
    if channel.payment_filter == "paid" and wix_order.payment_status != "PAID":
        return f"payment status {wix_order.payment_status or 'unknown'}, and only paid are imported"
    if channel.skip_fulfilled and wix_order.fulfillment_status == "FULFILLED":
        return "already fulfilled in Wix, and Skip fulfilled orders is on"
    if start is not None and wix_order.created_date < start:
        return f"placed before the import start point ({start:%Y-%m-%d %H:%M} UTC)"
    return None


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
    missing = _add_lines(order, wix_order, rules)
    if missing:
        _hold(order, wix_order, missing)
        _log(
            ctx,
            "warning",
            f"Order #{order.number} imported on hold: {order.hold_reason}",
            wix_order,
        )
        return HELD
    # No flush per order otherwise: the page is flushed in bulk at its commit.
    if channel.auto_merge_orders:
        db.session.flush()  # the merge search must know this order's id
        target = merge_into_open_order(order)
        if target is not None:
            _log(ctx, "info", f"Order #{order.number} merged into #{target.number}.", wix_order)
            return MERGED
    _log(ctx, "info", f"Order #{order.number} imported ({len(order.lines)} lines).", wix_order)
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
        status="open",
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


def _add_lines(order: Order, wix_order: WixOrder, rules: OrderRules) -> list[LineItem]:
    """Add the order's lines; return the Wix lines whose SKU the OMS does not know."""
    missing: list[LineItem] = []
    for item in wix_order.line_items:
        variant_id = rules.variant_for(item)
        if variant_id is None:
            missing.append(item)
        use_wix_name = rules.channel.use_channel_names or variant_id is None
        order.lines.append(
            OrderLine(
                variant_id=variant_id,
                external_line_id=item.id,
                sku=(item.sku or "")[:64],
                name=(item.name if use_wix_name else rules.title_for(variant_id) or item.name)[
                    :255
                ],
                quantity=item.quantity,
                unit_price=item.price,
            )
        )
    return missing


def _hold(order: Order, wix_order: WixOrder, missing: Iterable[LineItem]) -> None:
    """On hold, never dropped: the reason names each unknown SKU; SKUs join the unmapped list."""
    parts = []
    for item in missing:
        if item.sku:
            parts.append(f"unknown SKU {item.sku} ({item.name})")
            _note_unmapped(order.channel_id, item, wix_order.number)
        else:
            parts.append(f"a line without SKU in Wix ({item.name})")
    order.status = "on_hold"
    order.hold_reason = (
        "Order on hold: "
        + "; ".join(parts)
        + ". Map the SKU under SKU Mappings (or add it to the catalog), then release the hold."
    )


def _note_unmapped(channel_id: int, item: LineItem, order_number: str) -> None:
    sku = item.sku[:64]
    row = db.session.scalar(
        db.select(UnmappedSku).where(
            UnmappedSku.channel_id == channel_id, UnmappedSku.wix_sku == sku
        )
    )
    now = utcnow()
    if row is None:
        row = UnmappedSku(channel_id=channel_id, wix_sku=sku, times_seen=0, first_seen_at=now)
        db.session.add(row)
    row.product_name = item.name[:255]
    row.times_seen = (row.times_seen or 0) + 1
    row.last_seen_at = now
    row.last_order_number = order_number[:40]


def _update_order(
    ctx: RunContext | None, order: Order, wix_order: WixOrder, rules: OrderRules, dry_run: bool
) -> str:
    """Wix is the truth for its own statuses; an older or equal version changes nothing."""
    known = aware(order.external_updated_at)
    if known is not None and wix_order.updated_date <= known:
        return UNCHANGED
    changes = {
        "channel_status": wix_order.status,
        "payment_status": wix_order.payment_status or "",
        "fulfillment_status": wix_order.fulfillment_status or order.fulfillment_status,
    }
    changed = [k for k, v in changes.items() if getattr(order, k) != v]
    if dry_run:
        if changed:
            _log(ctx, "info", f"Dry run: order #{order.number} would be updated.", wix_order)
        return UPDATED if changed else UNCHANGED
    order.external_updated_at = wix_order.updated_date
    for key in changed:
        setattr(order, key, changes[key])
    if wix_order.status in CANCELLED_IN_WIX and order.status in ("open", "on_hold"):
        order.status = "cancelled"
        changed.append("status")
    elif order.status == "merged" and wix_order.status in CANCELLED_IN_WIX:
        _log(
            ctx, "warning", f"Order #{order.number} was cancelled in Wix but is merged.", wix_order
        )
    if order.status == "on_hold" and _release_if_mapped(order, rules):
        changed.append("hold released")
    if not changed:
        return UNCHANGED
    what = ", ".join(c.replace("_", " ") for c in changed)
    _log(ctx, "info", f"Order #{order.number} updated from Wix ({what}).", wix_order)
    return UPDATED


def _release_if_mapped(order: Order, rules: OrderRules) -> bool:
    """A held order whose unknown SKUs have since been mapped is released."""
    lines = [line for line in order.lines if line.variant_id is None]
    for line in lines:
        if not line.sku:
            return False
        probe = LineItem(line.external_line_id, None, None, {}, line.sku, line.name, 1, 0)
        variant_id = rules.variant_for(probe)
        if variant_id is None:
            return False
        line.variant_id = variant_id
    order.status, order.hold_reason = "open", None
    return True


def import_page(ctx: RunContext, orders: list[WixOrder], rules: OrderRules) -> None:
    """Import one page of orders, looking up the existing ones in one query, and count."""
    ids = [o.id for o in orders]
    existing = {
        o.external_id: o
        for o in db.session.scalars(
            db.select(Order).where(
                Order.account_id == ctx.channel.account_id, Order.external_id.in_(ids)
            )
        )
    }
    for wix_order in orders:
        ctx.count("seen")
        outcome = import_order(
            ctx, wix_order, rules=rules, existing=existing.get(wix_order.id), lookup=False
        )
        if outcome in (CREATED, HELD, MERGED):
            ctx.count("created")
        if outcome == HELD:
            ctx.count("held")
        elif outcome in (UPDATED, SKIPPED):
            ctx.count(outcome)


@sync_kind("orders")
def download_orders(ctx: RunContext) -> None:
    """Download orders page by page; the checkpoint moves with each committed page."""
    channel = ctx.channel
    # Wix search never returns INITIALIZED orders; the webhook path reads those by id.
    statuses = [s for s in channel.order_statuses or [] if s != "INITIALIZED"]
    if not statuses:
        ctx.skip(
            "No order status to download: choose at least one of Approved, Pending, Canceled or "
            "Rejected under Download Orders with Order Status (Initialized orders arrive only "
            "by webhook)."
        )
    rules = OrderRules.load(channel)
    cp = ctx.get_checkpoint()
    since = aware(cp.updated_since) or rules.start
    cursor = cp.cursor
    if cp.updated_since is None and not ctx.dry_run:
        ctx.save_checkpoint(cursor=None, updated_since=since)
    ctx.log(
        "info",
        f"Downloading {', '.join(statuses)} orders updated since {since:%Y-%m-%d %H:%M} UTC.",
    )
    try:
        _download(ctx, rules, statuses, since, cursor)
    except WixValidationError:
        if not cursor:
            raise
        ctx.log("warning", "Wix refused the saved cursor (expired); resuming from the last date.")
        _download(ctx, rules, statuses, since, None)
    masked = mask_personal_data(channel) if not ctx.dry_run else 0
    if masked:
        ctx.log("info", f"Buyer personal data masked on {masked} order(s) older than the limit.")


def _download(
    ctx: RunContext, rules: OrderRules, statuses: list[str], since: datetime, cursor: str | None
) -> None:
    pages = ctx.client.orders.iter_pages(statuses=statuses, updated_since=since, cursor=cursor)
    for page in pages:
        newest = max((o.updated_date for o in page.orders), default=None)
        try:
            import_page(ctx, page.orders, rules)
            ctx.save_checkpoint(
                cursor=page.next_cursor if page.has_next else None, updated_since=newest
            )
        except IntegrityError:
            # Another process (the webhook worker) imported one of these orders meanwhile:
            # roll the page back and import it again — those orders are now updates.
            db.session.rollback()
            import_page(ctx, page.orders, rules)
            ctx.save_checkpoint(
                cursor=page.next_cursor if page.has_next else None, updated_since=newest
            )

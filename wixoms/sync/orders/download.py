"""The orders download: Wix orders page by page; the checkpoint moves with each committed page."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from wixoms.extensions import db
from wixoms.models import Channel, Order, SyncCheckpoint
from wixoms.sync.orders.apply import CREATED, HELD, MERGED, SKIPPED, UPDATED, import_order
from wixoms.sync.orders.rules import OrderRules
from wixoms.sync.privacy import mask_personal_data
from wixoms.sync.runs import RunContext, aware, sync_kind
from wixoms.wix import Order as WixOrder
from wixoms.wix import OrderPage, WixValidationError
from wixoms.wix.orders import SEARCHABLE_STATUSES
from wixoms.wording import either_of, plural, wix_order_status


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


# The settings that decide which Wix orders qualify: changing one rewinds the download.
ORDER_FILTER_SETTINGS = (
    "order_statuses",
    "process_pickup_orders",
    "import_type",
    "import_from_date",
    "import_last_days",
    "payment_filter",
    "skip_fulfilled",
)


def filter_changed(channel: Channel, values: dict) -> bool:
    """Whether saving ``values`` changes which Wix orders qualify for import."""
    return any(
        name in values and _same(getattr(channel, name)) != _same(values[name])
        for name in ORDER_FILTER_SETTINGS
    )


def _same(value: object) -> object:
    if isinstance(value, list | tuple | set):
        return sorted(value)
    if isinstance(value, datetime):
        return aware(value)
    return value


def rewind_checkpoint(channel_id: int) -> None:
    """The next orders download starts again from the import start point, so older orders that
    now qualify (a status added, pickup switched on, an earlier start) are imported; those
    already in the OMS are unchanged. Not committed: the settings Save commits it."""
    db.session.execute(
        update(SyncCheckpoint)
        .where(SyncCheckpoint.channel_id == channel_id, SyncCheckpoint.kind == "orders")
        .values(cursor=None, updated_since=None)
        .execution_options(synchronize_session=False)
    )


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
        f"Downloading orders that are {either_of(map(wix_order_status, statuses))}, "
        f"changed since {since:%Y-%m-%d %H:%M} UTC.",
    )
    searched = search_statuses(statuses)
    if set(searched) != set(statuses):
        ctx.log("info", COHERENCE_NOTE)
    try:
        _download(ctx, rules, searched, since, cursor)
    except WixValidationError:
        if not cursor:
            raise
        ctx.log("warning", "Wix refused the saved cursor (expired); resuming from the last date.")
        _download(ctx, rules, searched, since, None)
    masked = mask_personal_data(channel) if not ctx.dry_run else 0
    if masked:
        ctx.log(
            "info",
            f"Buyer personal data masked on {plural(masked, 'order')} older than the limit.",
        )


# Status coherence: an imported order whose status then leaves the filter (say APPROVED →
# CANCELED while only Approved is downloaded) must still be updated. One search over every
# searchable status costs ceil((in + out) / page) calls; the filter's search plus a second one
# for the other statuses costs ceil(in / page) + ceil(out / page) ≥ that, and at least one call
# more. So the download searches every status once and applies the others to known orders.
COHERENCE_NOTE = (
    "Searching every status Wix's search returns in one query, so that orders already in the "
    "OMS whose status left the list (cancelled or rejected in Wix) are updated too; one query "
    "costs no more calls than a second search for them would. New orders outside the list are "
    "not imported."
)


def search_statuses(statuses: list[str]) -> list[str]:
    """The statuses to search: every searchable one (see COHERENCE_NOTE)."""
    return sorted(set(statuses) | set(SEARCHABLE_STATUSES)) if statuses else []


def _download(
    ctx: RunContext, rules: OrderRules, searched: list[str], since: datetime, cursor: str | None
) -> None:
    pages = ctx.client.orders.iter_pages(statuses=searched, updated_since=since, cursor=cursor)
    for page in pages:
        try:
            import_page(ctx, page.orders, rules)
            stop = _save_page_checkpoint(ctx, page)
        except IntegrityError:
            # Another process (the webhook worker) imported one of these orders meanwhile:
            # roll the page back and import it again — those orders are now updates.
            db.session.rollback()
            import_page(ctx, page.orders, rules)
            stop = _save_page_checkpoint(ctx, page)
        if stop:
            return


def _save_page_checkpoint(ctx: RunContext, page: OrderPage) -> bool:
    """Commit the page with the checkpoint moved past it; True when the run must stop because
    the settings rewound the checkpoint meanwhile (the next run starts from the start point)."""
    if _rewound(ctx.channel.id):
        ctx.log(
            "info",
            "The order filter changed during this download: the next run starts again from "
            "the import start point.",
        )
        ctx.commit()
        return True
    newest = max((o.updated_date for o in page.orders), default=None)
    ctx.save_checkpoint(cursor=page.next_cursor if page.has_next else None, updated_since=newest)
    return False


def _rewound(channel_id: int) -> bool:
    """A saved checkpoint without a date was rewound by rewind_checkpoint (a run always
    stores a date first)."""
    row = db.session.execute(
        select(SyncCheckpoint.updated_since).where(
            SyncCheckpoint.channel_id == channel_id, SyncCheckpoint.kind == "orders"
        )
    ).first()
    return row is not None and row.updated_since is None

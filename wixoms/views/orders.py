"""Orders: the list (newest placed first, filters, bulk release), detail, shipments, holds."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from sqlalchemy import or_

from wixoms.extensions import db, htmx
from wixoms.forms.common import contains_pattern
from wixoms.forms.orders import ConfirmForm, MapLineForm, ShipmentForm
from wixoms.ids import bounded_int
from wixoms.models import ORDER_STATUSES, Carrier, Channel, Order, OrderLine
from wixoms.views.access import admin_required, current_account, get_scoped_or_404
from wixoms.views.order_actions import (
    add_shipment,
    carrier_choices,
    map_line_item,
    ready_to_release,
    release_hold,
    release_holds,
    remaining_quantities,
)
from wixoms.views.order_list import DEFAULT_SORT, SORTS, Cursor, order_page
from wixoms.wording import plural

bp = Blueprint("orders", __name__, url_prefix="/orders")

STATUS_LABELS = {
    "open": ("Open", "info"),
    "awaiting_payment": ("Awaiting payment", "warn"),
    "on_hold": ("On hold", "warn"),
    "partially_shipped": ("Partially shipped", "info"),
    "shipped": ("Shipped", "ok"),
    "cancelled": ("Cancelled", "bad"),
    "merged": ("Merged", ""),
}


@bp.app_context_processor
def _labels() -> dict:
    return {"order_status_labels": STATUS_LABELS}


@bp.get("/")
def index():
    account = current_account()
    channels = db.session.scalars(
        db.select(Channel).where(Channel.account_id == account.id).order_by(Channel.name)
    ).all()
    filters = _filters(channels)
    new_after = bounded_int(request.args.get("new_after"))
    if htmx and new_after is not None:
        return _new_orders(account.id, filters, new_after)
    size = current_app.config.get("OMS_PAGE_SIZE", 50)
    page = order_page(
        _filtered(account.id, filters),
        filters["sort"],
        size,
        after=Cursor.parse(request.args.get("after")),
        before=Cursor.parse(request.args.get("before")),
    )
    context = {
        "orders": page.orders,
        "filters": filters,
        "channels": channels,
        "statuses": ORDER_STATUSES,
        "sorts": SORTS,
        "newer": page.newer,
        "older": page.older,
        "ready": ready_to_release([o for o in page.orders if o.on_hold]),
        **_live(account.id, filters, request.args),
    }
    if htmx and htmx.target == "results":
        return render_template("orders/_results.html", **context)
    return render_template("orders/index.html", **context)


def _live(account_id: int, filters: dict, args) -> dict:
    """The first page in the default order updates itself: it asks for orders that arrived
    (by id: imported later) since it was shown. Other pages and sorts stay still."""
    first_page = not (args.get("after") or args.get("before")) and filters["sort"] == DEFAULT_SORT
    newest = db.session.scalar(
        db.select(db.func.max(Order.id)).where(Order.account_id == account_id)
    )
    return {
        "live": first_page,
        "live_after": newest or 0,
        "live_seconds": int(current_app.config["ORDERS_LIVE_SECONDS"]),
    }


def _new_orders(account_id: int, filters: dict, new_after: int):
    """Rows of the orders that arrived after ``new_after`` and match the filters (204: none)."""
    rows = list(
        db.session.scalars(
            _filtered(account_id, filters)
            .where(Order.id > new_after)
            .order_by(Order.placed_at.desc(), Order.id.desc())
            .limit(current_app.config.get("OMS_PAGE_SIZE", 50))
        )
    )
    if not rows:
        return "", 204
    context = {
        "orders": rows,
        "filters": filters,
        "ready": ready_to_release([o for o in rows if o.on_hold]),
        "live": True,
        "live_after": max(o.id for o in rows),
        "live_seconds": int(current_app.config["ORDERS_LIVE_SECONDS"]),
        "arrived": len(rows),
    }
    template = "orders/_results.html" if htmx.target == "results" else "orders/_new_rows.html"
    if template == "orders/_results.html":
        context.update(sorts=SORTS, newer=None, older=None)
    return render_template(template, **context)


@bp.post("/release")
@admin_required
def release_many():
    """Bulk release: the orders ticked, or every held order whose SKUs are now known."""
    form = ConfirmForm()
    if not form.validate_on_submit():
        flash("Reload the page and try again.", "error")
        return redirect(url_for("orders.index", hold="1"))
    account = current_account()
    ids = (
        None
        if request.form.get("ready")
        else [i for i in map(bounded_int, request.form.getlist("order_id")) if i is not None]
    )
    if ids == []:
        flash("Tick the orders to release first.", "error")
        return redirect(url_for("orders.index", hold="1"))
    released, still_held = release_holds(account.id, ids)
    if released:
        numbers = ", ".join(f"#{o.number}" for o in released[:10])
        more = f" and {len(released) - 10} more" if len(released) > 10 else ""
        flash(f"Released {plural(len(released), 'order')} from hold: {numbers}{more}.", "success")
    for order, unknown in still_held[:10]:
        flash(f"#{order.number} stays on hold: {', '.join(unknown)} still unknown.", "error")
    if not released and not still_held:
        flash("No held order is ready to release.", "error")
    return redirect(url_for("orders.index", hold="1" if still_held else None))


@bp.get("/<int:order_id>")
def show(order_id: int):
    order = get_scoped_or_404(Order, order_id)
    form = ShipmentForm()
    form.carrier_id.choices = carrier_choices(order.account_id)
    return _detail(order, form)


@bp.post("/<int:order_id>/shipments")
@admin_required
def create_shipment(order_id: int):
    order = get_scoped_or_404(Order, order_id)
    form = ShipmentForm()
    form.carrier_id.choices = carrier_choices(order.account_id)
    problems: dict = {}
    if form.validate_on_submit():
        shipment, problems = add_shipment(order, form, request.form)
        if shipment is not None:
            order_push.push_after_shipment(order)
            flash(f"Shipment {shipment.tracking_number} added.", "success")
            return redirect(url_for("orders.show", order_id=order.id))
    return _detail(order, form, problems, 422)


@bp.post("/<int:order_id>/release")
@admin_required
def release(order_id: int):
    order = get_scoped_or_404(Order, order_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        unknown = release_hold(order)
        if not unknown:
            flash(f"Order {order.number} released from hold.", "success")
            return redirect(url_for("orders.show", order_id=order.id))
        message = (
            f"Still unknown: {', '.join(unknown)}. Create the SKU under Products "
            "(or map it in the channel's SKU mappings), then release again."
        )
    else:
        message = "Reload the page and try again."
    shipment_form = ShipmentForm(formdata=None)
    shipment_form.carrier_id.choices = carrier_choices(order.account_id)
    return _detail(order, shipment_form, {"release": message}, 422)


@bp.post("/<int:order_id>/lines/<int:line_id>/map")
@admin_required
def map_line(order_id: int, line_id: int):
    """A held line without SKU: map its Wix product to an OMS SKU, then release the hold."""
    order = get_scoped_or_404(Order, order_id)
    line = db.session.get(OrderLine, line_id)
    if line is None or line.order_id != order.id:
        abort(404)
    form = MapLineForm(prefix=f"map-{line.id}")
    if not form.validate_on_submit():
        problem = next(iter(form.errors.values()), ["Reload the page and try again."])[0]
    else:
        problem = map_line_item(order, line, form.oms_sku.data)
    if problem is None:
        sku = form.oms_sku.data
        left = release_hold(order)
        if not left:
            flash(f"{line.name} is now mapped to {sku}; order {order.number} released.", "success")
        else:
            flash(f"{line.name} is now mapped to {sku}. Still on hold: {', '.join(left)}.", "info")
        return redirect(url_for("orders.show", order_id=order.id))
    db.session.rollback()
    shipment_form = ShipmentForm(formdata=None)
    shipment_form.carrier_id.choices = carrier_choices(order.account_id)
    return _detail(order, shipment_form, {f"map-{line.id}": problem}, 422)


def _detail(order: Order, form: ShipmentForm, problems: dict | None = None, status: int = 200):
    remaining = remaining_quantities(order)
    merged_into = db.session.get(Order, order.merged_into_id) if order.merged_into_id else None
    merged_from = db.session.scalars(
        db.select(Order).where(Order.merged_into_id == order.id).order_by(Order.id)
    ).all()
    carriers = {
        c.id: c
        for c in db.session.scalars(
            db.select(Carrier).where(Carrier.account_id == order.account_id)
        )
    }
    return render_template(
        "orders/show.html",
        order=order,
        form=form,
        problems=problems or {},
        remaining=remaining,
        can_ship=order.status not in ("cancelled", "merged") and sum(remaining.values()) > 0,
        merged_into=merged_into,
        merged_from=merged_from,
        carriers=carriers,
        release_form=ConfirmForm(formdata=None),
        map_forms={
            line.id: MapLineForm(prefix=f"map-{line.id}", formdata=request.form or None)
            if f"map-{line.id}" in (problems or {})
            else MapLineForm(prefix=f"map-{line.id}", formdata=None)
            for line in order.lines
            if order.on_hold and line.variant_id is None and not line.sku
        },
        **order_push.shipments_context(order),
    ), status


def _filters(channels: list[Channel]) -> dict:
    """Filters from the query string; unknown values fall back to 'all'."""
    status = request.args.get("status", "")
    channel = request.args.get("channel", "")
    if channel not in {"none", *(str(c.id) for c in channels)}:
        channel = ""
    return {
        "status": status if status in ORDER_STATUSES else "",
        "channel": channel,
        "hold": request.args.get("hold") == "1",
        "q": request.args.get("q", "").strip()[:100],
        "sort": sort if (sort := request.args.get("sort", "")) in SORTS else DEFAULT_SORT,
    }


def _filtered(account_id: int, filters: dict):
    stmt = db.select(Order).where(Order.account_id == account_id)
    if filters["status"]:
        stmt = stmt.where(Order.status == filters["status"])
    if filters["channel"] == "none":
        stmt = stmt.where(Order.channel_id.is_(None))
    elif filters["channel"]:
        stmt = stmt.where(Order.channel_id == int(filters["channel"]))
    if filters["hold"]:
        stmt = stmt.where(Order.hold_reason.is_not(None))
    if filters["q"]:
        pattern = contains_pattern(filters["q"])
        stmt = stmt.where(
            or_(
                Order.number.ilike(pattern, escape="\\"),
                Order.buyer_email.ilike(pattern, escape="\\"),
            )
        )
    return stmt


from wixoms.views import order_push  # noqa: E402  (its routes are on bp; it imports bp)

"""Orders: list with keyset pagination and filters, detail, shipments, releasing a hold."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from sqlalchemy import or_

from wixoms.extensions import db, htmx
from wixoms.forms.common import contains_pattern
from wixoms.forms.orders import ConfirmForm, ShipmentForm
from wixoms.models import ORDER_STATUSES, Carrier, Channel, Order
from wixoms.views.access import admin_required, current_account, get_scoped_or_404
from wixoms.views.order_actions import (
    add_shipment,
    carrier_choices,
    release_hold,
    remaining_quantities,
)

bp = Blueprint("orders", __name__, url_prefix="/orders")

STATUS_LABELS = {
    "open": ("Open", "info"),
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
    stmt = _filtered(account.id, filters)
    size = current_app.config.get("OMS_PAGE_SIZE", 50)
    before, after = _int(request.args.get("before")), _int(request.args.get("after"))
    # Keyset pagination on the id (newest first): stable while new orders arrive, no OFFSET.
    if before is not None:
        page = db.session.scalars(
            stmt.where(Order.id > before).order_by(Order.id.asc()).limit(size)
        ).all()[::-1]
    else:
        stmt_page = stmt.where(Order.id < after) if after is not None else stmt
        page = db.session.scalars(stmt_page.order_by(Order.id.desc()).limit(size)).all()
    newer = older = None
    if page:
        newer = page[0].id if _exists(stmt.where(Order.id > page[0].id)) else None
        older = page[-1].id if _exists(stmt.where(Order.id < page[-1].id)) else None
    context = {
        "orders": page,
        "filters": filters,
        "channels": channels,
        "statuses": ORDER_STATUSES,
        "newer": newer,
        "older": older,
    }
    if htmx and htmx.target == "results":
        return render_template("orders/_results.html", **context)
    return render_template("orders/index.html", **context)


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


def _exists(stmt) -> bool:
    return db.session.scalar(db.select(stmt.exists())) is True


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None

"""Tracking goes to Wix when the shipment is saved: the order's channel queues its fulfillment
push at once (instead of waiting for the next scheduled one), the order page shows each
shipment's Wix state — waiting (and why), sent at …, or failed with Wix's reason — and
"Send to Wix now" pushes on demand. The push itself is wixoms.sync.fulfillments.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app, flash, redirect, render_template, url_for

from wixoms.extensions import db, htmx
from wixoms.forms.orders import ConfirmForm
from wixoms.models import Order, Shipment, SyncRun
from wixoms.sync.runs.soon import auto_blocker, start_runs
from wixoms.views.access import admin_required, get_scoped_or_404
from wixoms.views.orders import bp
from wixoms.wording import wix_order_status

PUSH_KIND = "fulfillments"
ACTIVE = ("queued", "running")


@dataclass(frozen=True)
class WixState:
    """A shipment's state in Wix, as the order page shows it."""

    label: str
    tone: str
    detail: str = ""


def push_run(order: Order) -> SyncRun | None:
    """The channel's fulfillment push that is queued or running now, if any."""
    if order.channel_id is None:
        return None
    return db.session.scalar(
        db.select(SyncRun)
        .where(
            SyncRun.channel_id == order.channel_id,
            SyncRun.kind == PUSH_KIND,
            SyncRun.state.in_(ACTIVE),
        )
        .order_by(SyncRun.id.desc())
        .limit(1)
    )


def shipment_state(order: Order, shipment: Shipment, run: SyncRun | None) -> WixState:
    """Sent at …, failed (Wix's reason), or waiting — and for what."""
    if shipment.pushed_at is not None or shipment.wix_fulfillment_id:
        when = f"at {shipment.pushed_at:%Y-%m-%d %H:%M} UTC" if shipment.pushed_at else ""
        return WixState("Sent", "ok", when)
    if run is not None:
        return WixState("Sending…" if run.state == "running" else "Queued", "info")
    if shipment.push_error:
        return WixState("Failed", "bad", shipment.push_error)
    if order.channel_status and order.channel_status != "APPROVED":
        status = wix_order_status(order.channel_status)
        return WixState(
            "Waiting", "", f"Wix takes tracking for approved orders; this one is {status}."
        )
    channel = order.channel
    blocker = auto_blocker(channel, PUSH_KIND) if channel is not None else ""
    if blocker:
        return WixState("Waiting", "", f"Not sent by itself: {blocker}. Use Send to Wix now.")
    every = channel.fulfillments_interval_min if channel is not None else 15
    return WixState("Waiting", "", f"Goes with the next push (every {every} min).")


def queue_push(order: Order, *, trigger: str) -> SyncRun | None:
    """Queue the fulfillment push of the order's channel (run here when there is no scheduler)."""
    if order.channel_id is None or not order.external_id:
        return None
    app = current_app._get_current_object()
    return start_runs(app, order.channel_id, [PUSH_KIND], trigger=trigger)[0]


def push_after_shipment(order: Order) -> None:
    """A shipment was saved: its tracking goes to Wix now, unless the channel says otherwise."""
    channel = order.channel
    if channel is not None and not auto_blocker(channel, PUSH_KIND):
        queue_push(order, trigger="shipment")


def shipments_context(order: Order) -> dict:
    run = push_run(order)
    states = {s.id: shipment_state(order, s, run) for s in order.shipments}
    unsent = [s for s in order.shipments if s.pushed_at is None and not s.wix_fulfillment_id]
    return {
        "wix_states": states,
        "push_active": run is not None,
        "can_push": bool(unsent) and order.channel_id is not None and bool(order.external_id),
        "push_form": ConfirmForm(formdata=None),
    }


@bp.get("/<int:order_id>/shipments")
def shipments(order_id: int):
    """The shipments and their Wix state (htmx polls it while a push runs)."""
    order = get_scoped_or_404(Order, order_id)
    if not htmx:
        return redirect(url_for("orders.show", order_id=order.id) + "#shipments")
    return render_template("orders/_shipments.html", order=order, **shipments_context(order))


@bp.post("/<int:order_id>/push")
@admin_required
def push_now(order_id: int):
    """Send to Wix now: queue the channel's fulfillment push and watch it on the page."""
    order = get_scoped_or_404(Order, order_id)
    problem = ""
    if not ConfirmForm().validate_on_submit():
        problem = "Reload the page and try again."
    elif order.channel is None or not order.external_id:
        problem = "This order did not come from Wix: there is nothing to send."
    elif order.channel.needs_reconnect:
        problem = "The channel must be reconnected to Wix before tracking can be sent."
    else:
        queue_push(order, trigger="manual")
    if htmx:
        context = shipments_context(order)
        page = render_template(
            "orders/_shipments.html", order=order, push_problem=problem, **context
        )
        return page, (409 if problem else 200)
    flash(problem or "Sending the tracking to Wix now.", "error" if problem else "success")
    return redirect(url_for("orders.show", order_id=order.id) + "#shipments")

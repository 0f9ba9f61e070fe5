"""The channel page's mapping tabs: carrier, SKU and warehouse mappings, saved immediately.

Every change is its own small transaction (the tabs say so): htmx swaps the tab's panel or one
row; without JavaScript the forms post normally and come back to the tab. One blueprint;
``carriers_warehouses`` and ``skus`` hold its routes.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for

from wixoms.extensions import db, htmx
from wixoms.models import Channel
from wixoms.views.access import get_scoped_or_404, is_admin

bp = Blueprint("mappings", __name__, url_prefix="/channels/<int:channel_id>/mappings")


def channel_for(channel_id: int, *, edit: bool) -> Channel:
    """The account's channel, or 404; editing needs an admin (403 otherwise)."""
    channel = get_scoped_or_404(Channel, channel_id)
    if edit and not is_admin():
        abort(403, description="Only an admin of this account can change mappings.")
    return channel


def owned(model, object_id: int, channel: Channel):
    """A mapping row of this channel, or 404."""
    obj = db.session.get(model, object_id)
    if obj is None or obj.channel_id != channel.id:
        abort(404)
    return obj


def panel(channel: Channel, tab: str, context: dict, status: int = 200):
    """The tab's panel for htmx; for plain form posts, back to the tab (errors as flashes)."""
    if htmx:
        page = render_template(
            f"channels/tabs/_{tab}.html",
            channel=channel,
            panel=context,
            can_edit=is_admin(),
            partial=True,
        )
        return page, status
    for form in (v for v in context.values() if hasattr(v, "errors")):
        for errors in form.errors.values():
            for message in errors:
                flash(message, "error")
    return redirect(url_for("channels.show", channel_id=channel.id, tab=tab))


def row(template: str, status: int = 200, **context):
    """One row (or row editor) of a mapping table."""
    return render_template(template, can_edit=is_admin(), **context), status


from wixoms.views.mappings import carriers_warehouses, skus  # noqa: E402  (routes on bp)

carrier_context = carriers_warehouses.carrier_context
warehouse_context = carriers_warehouses.warehouse_context
sku_context = skus.sku_context

__all__ = ["bp", "carrier_context", "sku_context", "warehouse_context"]

"""What the dashboard shows; extended by the sync engine (last runs, orders per day, holds)."""

from __future__ import annotations

from wixoms.extensions import db
from wixoms.models import Account, Channel, Order, Product, Warehouse


def dashboard_context(account: Account) -> dict:
    count = lambda model, *where: db.session.scalar(  # noqa: E731
        db.select(db.func.count()).select_from(model).where(model.account_id == account.id, *where)
    )
    channel = db.session.scalar(db.select(Channel).where(Channel.account_id == account.id))
    return {
        "channel": channel,
        "orders_open": count(Order, Order.status == "open"),
        "orders_on_hold": count(Order, Order.hold_reason.is_not(None)),
        "products": count(Product),
        "warehouses": count(Warehouse),
    }

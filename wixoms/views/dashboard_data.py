"""What the dashboard shows: counts, and per channel its last runs, orders per day, sync health
and holds."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from wixoms.extensions import db
from wixoms.models import Account, Channel, Order, Product, SyncRun, Warehouse
from wixoms.models._base import utcnow
from wixoms.sync.runs import KIND_LABELS, KINDS
from wixoms.views.health_data import api_budget, runs_per_day

CHART_DAYS = 30
HOLDS_SHOWN = 10


@dataclass
class DayBar:
    day: date
    count: int
    height_pct: int

    @property
    def chart(self) -> tuple[date, list[tuple[int, str, str]]]:
        """The bar as templates/_charts.html draws it."""
        return self.day, [(self.count, "bar", "orders placed")]


def last_runs(channel: Channel) -> list[tuple[str, str, SyncRun | None]]:
    """(kind, label, the latest run of that kind or None), one query per kind."""
    rows = []
    for kind in KINDS:
        run = db.session.scalar(
            db.select(SyncRun)
            .where(SyncRun.channel_id == channel.id, SyncRun.kind == kind)
            .order_by(SyncRun.id.desc())
            .limit(1)
        )
        rows.append((kind, KIND_LABELS[kind], run))
    return rows


def orders_per_day(channel: Channel, days: int = CHART_DAYS) -> list[DayBar]:
    """Orders of the channel per day placed (in UTC), the last ``days`` days, oldest first."""
    today = utcnow().date()
    first = today - timedelta(days=days - 1)
    since = datetime.combine(first, time.min, UTC)
    day_col = db.func.date(Order.placed_at)
    counts = {
        str(day): n
        for day, n in db.session.execute(
            db.select(day_col, db.func.count())
            .where(Order.channel_id == channel.id, Order.placed_at >= since)
            .group_by(day_col)
        )
    }
    values = [(first + timedelta(days=i), 0) for i in range(days)]
    values = [(d, int(counts.get(d.isoformat(), 0))) for d, _ in values]
    top = max((n for _, n in values), default=0) or 1
    return [DayBar(d, n, round(100 * n / top)) for d, n in values]


def orders_on_hold(channel: Channel, limit: int = HOLDS_SHOWN) -> list[Order]:
    return list(
        db.session.scalars(
            db.select(Order)
            .where(Order.channel_id == channel.id, Order.hold_reason.is_not(None))
            .order_by(Order.id.desc())
            .limit(limit)
        )
    )


def dashboard_context(account: Account) -> dict:
    count = lambda model, *where: db.session.scalar(  # noqa: E731
        db.select(db.func.count()).select_from(model).where(model.account_id == account.id, *where)
    )
    channel = db.session.scalar(db.select(Channel).where(Channel.account_id == account.id))
    panels = []
    if channel is not None:
        bars = orders_per_day(channel)
        panels.append(
            {
                "channel": channel,
                "runs": last_runs(channel),
                "bars": bars,
                "orders_total": sum(b.count for b in bars),
                "health": runs_per_day(channel),
                "budget": api_budget(channel),
                "holds": orders_on_hold(channel),
            }
        )
    return {
        "channel": channel,
        "channel_panels": panels,
        "orders_open": count(Order, Order.status == "open"),
        "orders_on_hold": count(Order, Order.hold_reason.is_not(None)),
        "products": count(Product),
        "warehouses": count(Warehouse),
    }

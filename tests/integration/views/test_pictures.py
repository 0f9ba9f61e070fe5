"""Pictures where people look: orders per day (30 days), sync health and the API budget."""

from __future__ import annotations

import re
from datetime import timedelta

from tests.integration.channel_world import add_channel
from tests.integration.views.builders import add_order
from wixoms.extensions import db
from wixoms.models import Channel, Order, SyncRun
from wixoms.models._base import utcnow
from wixoms.views.health_data import api_budget, runs_per_day


def run(channel_id: int, *, hours_ago: float, state="succeeded", calls=0, minutes=1.0, held=0):
    finished = utcnow() - timedelta(hours=hours_ago)
    return SyncRun(
        channel_id=channel_id, kind="orders", trigger="schedule", state=state, api_calls=calls,
        held=held, queued_at=finished, started_at=finished - timedelta(minutes=minutes),
        finished_at=finished,
    )  # fmt: skip


def test_orders_per_day_counts_placed_days_over_thirty_days(app, logged_in, world):
    channel_id = add_channel(app, is_active=True)
    for n, days_ago in enumerate((0, 0, 2, 29, 30)):
        oid = add_order(app, world.acme.id, f"P{n}", channel_id=channel_id)
        with app.app_context():
            db.session.get(Order, oid).placed_at = utcnow() - timedelta(days=days_ago)
            db.session.commit()
    html = logged_in.get("/").get_data(as_text=True)
    counts = [int(n) for n in re.findall(r'<g data-day="[^"]+" data-count="(\d+)"', html)]
    orders_chart = counts[:30]
    assert len(orders_chart) == 30
    assert orders_chart[-1] == 2 and orders_chart[-3] == 1 and orders_chart[0] == 1
    assert sum(orders_chart) == 4  # the order placed 30 days ago is outside the window
    assert "placed in the last 30 days: 4" in html


def test_sync_health_splits_runs_into_succeeded_held_and_failed(app, world):
    channel_id = add_channel(app)
    with app.app_context():
        db.session.add_all(
            [
                run(channel_id, hours_ago=1),
                run(channel_id, hours_ago=1, held=3),
                run(channel_id, hours_ago=2, state="failed"),
                run(channel_id, hours_ago=24 * 20),  # outside the 14 days
            ]
        )
        db.session.commit()
        days = runs_per_day(db.session.get(Channel, channel_id))
    assert len(days) == 14
    total = [(d.runs, d.clean, d.held, d.failed) for d in days if d.runs]
    assert sum(r for r, *_ in total) == 3
    assert sum(f for *_, f in total) == 1 and sum(h for _r, _c, h, _f in total) == 1


def test_api_budget_is_the_busiest_run_against_the_plan(app, world):
    channel_id = add_channel(app, throughput_plan="starter")
    with app.app_context():
        db.session.add_all(
            [
                run(channel_id, hours_ago=1, calls=90, minutes=2),  # 45 a minute
                run(channel_id, hours_ago=3, calls=20, minutes=0.2),  # short: counted per minute
                run(channel_id, hours_ago=30, calls=5000, minutes=1),  # yesterday: not counted
            ]
        )
        db.session.commit()
        budget = api_budget(db.session.get(Channel, channel_id))
    assert (budget.calls_24h, budget.runs_24h, budget.peak_per_minute) == (110, 2, 45)
    assert (budget.plan_per_minute, budget.plan_label, budget.peak_percent) == (60, "Starter", 75)


def test_the_channel_page_shows_the_api_budget_used(app, logged_in, world):
    channel_id = add_channel(app)
    with app.app_context():
        db.session.add(run(channel_id, hours_ago=1, calls=240, minutes=4))
        db.session.commit()
    page = logged_in.get(f"/channels/{channel_id}").get_data(as_text=True)
    assert "API budget 50% used" in page
    assert "Busiest sync, last 24 h: 60 of 120 requests/min (Standard plan)" in page
    assert re.search(r'<meter[^>]*max="120" value="60"', page)

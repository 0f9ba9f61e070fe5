"""Sync health of a channel, for the dashboard and the channel page: runs per day (failed and
held among them) and how much of the Throughput plan's Wix API budget the syncs use.

Wix allows a channel's app instance 200 requests per minute and the plan takes its share of
that (wixoms/wix/throughput.py). The syncs record their Wix calls per run (SyncRun.api_calls);
a run's rate is its calls over its duration, so the busiest run of the last day is how close
the channel came to its plan's limit. Order fetches made for webhooks are not runs and are not
counted here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from wixoms.extensions import db
from wixoms.models import Channel, SyncRun
from wixoms.models._base import utcnow
from wixoms.sync.runs import aware
from wixoms.wix.throughput import resolve_plan

HEALTH_DAYS = 14


@dataclass(frozen=True)
class DayRuns:
    day: date
    runs: int
    failed: int
    held: int  # runs that ended with orders on hold

    @property
    def clean(self) -> int:
        return self.runs - self.failed - self.held

    @property
    def chart(self) -> tuple[date, list[tuple[int, str, str]]]:
        """The day's stacked bar as templates/_charts.html draws it."""
        return self.day, [
            (self.clean, "ok", "succeeded"),
            (self.held, "held", "held orders"),
            (self.failed, "failed", "failed"),
        ]


@dataclass(frozen=True)
class ApiBudget:
    calls_24h: int
    runs_24h: int
    failed_24h: int
    peak_per_minute: int  # the busiest run's requests per minute
    plan_per_minute: int
    plan_label: str

    @property
    def peak_percent(self) -> int:
        return min(100, round(100 * self.peak_per_minute / max(self.plan_per_minute, 1)))


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, UTC)


def runs_per_day(channel: Channel, days: int = HEALTH_DAYS) -> list[DayRuns]:
    """Finished runs per day (by when they finished), oldest first, one entry per day."""
    today = utcnow().date()
    first = today - timedelta(days=days - 1)
    rows = db.session.execute(
        db.select(SyncRun.finished_at, SyncRun.state, SyncRun.held).where(
            SyncRun.channel_id == channel.id, SyncRun.finished_at >= _day_start(first)
        )
    )
    totals: dict[date, list[int]] = {first + timedelta(days=i): [0, 0, 0] for i in range(days)}
    for finished, state, held in rows:
        bucket = totals.get(aware(finished).date())
        if bucket is None:
            continue
        bucket[0] += 1
        if state == "failed":
            bucket[1] += 1
        elif held:
            bucket[2] += 1
    return [DayRuns(day, *counts) for day, counts in totals.items()]


def api_budget(channel: Channel) -> ApiBudget:
    """Wix calls and runs of the last 24 hours against the channel's Throughput plan."""
    since = utcnow() - timedelta(hours=24)
    rows = db.session.execute(
        db.select(SyncRun.api_calls, SyncRun.state, SyncRun.started_at, SyncRun.finished_at).where(
            SyncRun.channel_id == channel.id, SyncRun.finished_at >= since
        )
    ).all()
    peak = 0
    for calls, _state, started, finished in rows:
        if calls and started and finished:
            minutes = max((aware(finished) - aware(started)).total_seconds() / 60, 1.0)
            peak = max(peak, round(calls / minutes))
    plan = resolve_plan(channel.throughput_plan)
    return ApiBudget(
        calls_24h=sum(calls or 0 for calls, *_ in rows),
        runs_24h=len(rows),
        failed_24h=sum(1 for _c, state, *_ in rows if state == "failed"),
        peak_per_minute=peak,
        plan_per_minute=plan.requests_per_minute,
        plan_label=plan.label.split(" — ")[0],
    )

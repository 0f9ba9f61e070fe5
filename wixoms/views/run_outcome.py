"""How a sync run's result reads wherever it is shown: one badge, the same words and colours.

A run that held orders did its job but left work for the merchant: "succeeded, 3 held" in amber,
with a link to those orders (a green "succeeded" hid them).
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import Flask, url_for

from wixoms.models import SyncRun
from wixoms.wording import plural

STATE_TONES = {
    "queued": "info",
    "running": "info",
    "succeeded": "ok",
    "partial": "warn",
    "skipped": "warn",
    "failed": "bad",
}


@dataclass(frozen=True)
class Outcome:
    label: str
    tone: str
    held_link: str | None = None
    held_text: str = ""


def run_outcome(run: SyncRun) -> Outcome:
    """The badge of a run; held orders turn a success amber and link to them."""
    tone = STATE_TONES.get(run.state, "info")
    if run.held and run.state in ("succeeded", "partial"):
        link = url_for("orders.index", hold="1", channel=run.channel_id)
        return Outcome(
            f"{run.state}, {run.held} held",
            "warn",
            link,
            f"See the {plural(run.held, 'held order')}",
        )
    return Outcome(run.state, tone)


def register(app: Flask) -> None:
    """Let every template ask for a run's outcome (templates/sync/_outcome.html)."""
    app.jinja_env.globals["run_outcome"] = run_outcome

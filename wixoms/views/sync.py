"""The Sync quick action (start runs, watch them) and the channel's Sync log.

"Sync now" only inserts queued SyncRun rows: the scheduler process picks them up within a
second. When no scheduler runs in this deployment (SCHEDULER_ENABLED is false: tests, a single
`flask run`), the queued runs are executed in a background thread of this web process instead,
so the button always completes.
"""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)

from wixoms.extensions import db, htmx
from wixoms.ids import bounded_int
from wixoms.models import Channel, SyncLogEntry, SyncRun
from wixoms.sync.runs import COUNTERS, KIND_LABELS, KINDS, LEVELS
from wixoms.sync.runs.soon import start_runs
from wixoms.views.access import get_scoped_or_404, is_admin
from wixoms.views.channels import ChannelTab, register_tab
from wixoms.views.run_outcome import STATE_TONES

bp = Blueprint("sync", __name__, url_prefix="/channels")

ACTIVE_STATES = ("queued", "running")
RUNS_PER_PAGE = 25


def _view_context() -> dict:
    return {
        "kind_labels": KIND_LABELS,
        "kinds": KINDS,
        "counters": COUNTERS,
        "levels": LEVELS,
        "state_tones": STATE_TONES,
        "active_states": ACTIVE_STATES,
    }


@bp.app_context_processor
def _sync_globals() -> dict:
    return {"sync_kind_menu": [("all", "All enabled"), *((k, KIND_LABELS[k]) for k in KINDS)]}


# Syncs that change the merchant's Wix store: they run only once switched on (by hand too).
REVIEWED_PUSHES = ("inventory", "products")


def kinds_for_all(channel: Channel) -> list[str]:
    """'All enabled': orders, plus each sync switched on in Main settings.

    Inventory and product push change the merchant's Wix store, so they run from "All" only
    once the merchant has turned them on (after reviewing the mappings).
    """
    return [k for k in KINDS if k == "orders" or channel.auto_for(k)]


@bp.post("/<int:channel_id>/sync")
def sync_now(channel_id: int):
    """The Sync menu: queue All or one kind; answer with the progress partial."""
    channel = get_scoped_or_404(Channel, channel_id)
    if not is_admin():
        abort(403, description="Only an admin of this account can start a sync.")
    kind = request.form.get("kind", "all")
    if kind != "all" and kind not in KINDS:
        abort(400, description="Choose what to sync from the menu.")
    message = ""
    if channel.needs_reconnect:
        message = "The channel must be reconnected to Wix before it can sync."
    elif kind in REVIEWED_PUSHES and not channel.auto_for(kind):
        message = (
            f"{KIND_LABELS[kind]} is switched off in Main settings. Review the mappings, "
            "switch it on and Save, then sync again."
        )
    if message:
        if htmx:
            return render_template("sync/_progress.html", channel=channel, runs=[],
                                   problem=message, **_view_context()), 409  # fmt: skip
        flash(message, "error")
        return redirect(url_for("channels.show", channel_id=channel.id))
    kinds = kinds_for_all(channel) if kind == "all" else [kind]
    runs = start_runs(current_app._get_current_object(), channel.id, kinds, trigger="manual")
    if htmx:
        return _progress(channel, [r.id for r in runs])
    label = "All enabled syncs" if kind == "all" else KIND_LABELS[kind]
    flash(f"{label} started. Follow it in the Sync log.", "success")
    return redirect(url_for("channels.show", channel_id=channel.id, tab="sync_log"))


@bp.get("/<int:channel_id>/sync/progress")
def progress(channel_id: int):
    """Progress of the given runs (?runs=1,2), or of the channel's queued and running ones."""
    channel = get_scoped_or_404(Channel, channel_id)
    raw = request.args.get("runs", "")
    ids = [i for i in (bounded_int(x) for x in raw.split(",")[:10]) if i is not None]
    if not ids:
        ids = list(
            db.session.scalars(
                db.select(SyncRun.id)
                .where(SyncRun.channel_id == channel.id, SyncRun.state.in_(ACTIVE_STATES))
                .order_by(SyncRun.id)
            )
        )
    return _progress(channel, ids)


def _progress(channel: Channel, ids: list[int]):
    runs = (
        list(
            db.session.scalars(
                db.select(SyncRun)
                .where(SyncRun.id.in_(ids), SyncRun.channel_id == channel.id)
                .order_by(SyncRun.id)
            )
        )
        if ids
        else []
    )
    active = any(r.state in ACTIVE_STATES for r in runs)
    return render_template(
        "sync/_progress.html",
        channel=channel,
        runs=runs,
        polling=active,
        run_ids=",".join(str(r.id) for r in runs),
        **_view_context(),
    )


def log_context(channel: Channel, *, kind: str = "", state: str = "", before: int | None = None):
    """Runs of the channel, newest first, optionally of one kind or state; keyset-paged."""
    stmt = db.select(SyncRun).where(SyncRun.channel_id == channel.id)
    if kind in KINDS:
        stmt = stmt.where(SyncRun.kind == kind)
    if state in STATE_TONES:
        stmt = stmt.where(SyncRun.state == state)
    if before:
        stmt = stmt.where(SyncRun.id < before)
    runs = list(db.session.scalars(stmt.order_by(SyncRun.id.desc()).limit(RUNS_PER_PAGE + 1)))
    more = len(runs) > RUNS_PER_PAGE
    runs = runs[:RUNS_PER_PAGE]
    return {
        "runs": runs,
        "next_before": runs[-1].id if more else None,
        "filter_kind": kind if kind in KINDS else "",
        "filter_state": state if state in STATE_TONES else "",
        **_view_context(),
    }


@bp.get("/<int:channel_id>/sync-log")
def sync_log(channel_id: int):
    """The Sync log: a page of its own, or just the list for htmx (filters, older runs)."""
    channel = get_scoped_or_404(Channel, channel_id)
    before = bounded_int(request.args.get("before"))
    ctx = log_context(
        channel,
        kind=request.args.get("kind", ""),
        state=request.args.get("state", ""),
        before=before,
    )
    if htmx:
        return render_template("sync/_log_list.html", channel=channel, **ctx)
    return render_template("sync/log.html", channel=channel, title="Sync log", **ctx)


@bp.get("/<int:channel_id>/sync-log/<int:run_id>")
def run_entries(channel_id: int, run_id: int):
    """One run's per-item entries, filterable by level (warning = warnings and errors)."""
    channel = get_scoped_or_404(Channel, channel_id)
    run = db.session.get(SyncRun, run_id)
    if run is None or run.channel_id != channel.id:
        abort(404)
    level = request.args.get("level", "")
    stmt = db.select(SyncLogEntry).where(SyncLogEntry.run_id == run.id)
    if level in LEVELS:
        stmt = stmt.where(SyncLogEntry.level.in_(LEVELS[LEVELS.index(level) :]))
    entries = list(db.session.scalars(stmt.order_by(SyncLogEntry.id).limit(1000)))
    template = "sync/_entries.html" if htmx else "sync/run.html"
    return render_template(
        template, channel=channel, run=run, entries=entries, level=level, **_view_context()
    )


def _tab_context(channel: Channel) -> dict:
    return log_context(channel)


register_tab(ChannelTab("sync_log", "Sync log", "sync/_log_tab.html", _tab_context))

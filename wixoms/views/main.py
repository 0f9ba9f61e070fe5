"""Dashboard, account switcher and health check."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from redis.exceptions import RedisError
from werkzeug.exceptions import HTTPException
from werkzeug.routing import BuildError

from wixoms.cluster import is_celery
from wixoms.ids import bounded_int
from wixoms.views.access import current_account, user_accounts

bp = Blueprint("main", __name__)

# Pages that belong to a blueprint without a list of its own: their list is the channels'.
LIST_OF = {"sync": "channels.index", "mappings": "channels.index", "wizard": "channels.index"}
LIST_NAMES = {"channels.index": "channels", "orders.index": "orders"}


@bp.get("/")
def dashboard():
    from wixoms.views.dashboard_data import dashboard_context

    return render_template("main/dashboard.html", **dashboard_context(current_account()))


@bp.post("/account")
def switch_account():
    account_id = bounded_int(request.form.get("account_id"))
    if account_id is None:
        abort(400, description="Choose an account from the list.")
    if account_id not in {a.id for a in user_accounts()}:
        abort(404)
    previous = current_account()
    session["account_id"] = account_id
    target = request.form.get("next") or ""
    if not target.startswith("/") or target.startswith("//"):
        return redirect(url_for("main.dashboard"))
    listing = list_for(target)
    if listing is None:
        return redirect(target)
    chosen = next(a for a in user_accounts() if a.id == account_id)
    if previous.id != account_id:
        what = LIST_NAMES.get(listing, listing.split(".")[0])
        flash(
            f"Switched to {chosen.name}. The page you were on belongs to {previous.name}, "
            f"so here are {chosen.name}'s {what}.",
            "info",
        )
    return redirect(url_for(listing))


def list_for(path: str) -> str | None:
    """The list endpoint to land on instead of a page about one object (which would be another
    account's after a switch); None when the path shows no single object."""
    adapter = current_app.url_map.bind("localhost")
    try:
        endpoint, args = adapter.match(path.split("?", 1)[0], method="GET")
    except HTTPException:
        return "main.dashboard"
    if not args:
        return None
    blueprint = endpoint.split(".", 1)[0]
    listing = LIST_OF.get(blueprint, f"{blueprint}.index")
    try:
        url_for(listing)
    except BuildError:
        return "main.dashboard"
    return listing


@bp.get("/health")
def health():
    return {"status": "ok"}


@bp.get("/health/queue")
def queue_health():
    """Runs waiting in the database; in Celery mode also the broker's queue depth and the live
    workers (what an operator scales on). Kept off /health, which load balancers probe often."""
    from wixoms.extensions import db
    from wixoms.models import SyncRun

    runs_queued = db.session.scalar(
        db.select(db.func.count()).select_from(SyncRun).where(SyncRun.state == "queued")
    )
    if not is_celery(current_app.config):
        return {"status": "ok", "queue": "embedded", "runs_queued": runs_queued}
    from wixoms.cluster.health import cluster_health

    try:
        found = cluster_health(current_app.config)
    except RedisError:
        # Public endpoint: the reason (host, port) goes to the server log only.
        current_app.logger.exception("health: Redis is unreachable")
        return {"status": "error", "queue": "celery", "error": "Redis is unreachable."}, 503
    return {"status": "ok", "queue": "celery", "runs_queued": runs_queued, **found}

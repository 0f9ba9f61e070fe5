"""Dashboard, account switcher and health check."""

from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, request, session, url_for

from wixoms.views.access import current_account, user_accounts

bp = Blueprint("main", __name__)


@bp.get("/")
def dashboard():
    from wixoms.views.dashboard_data import dashboard_context

    return render_template("main/dashboard.html", **dashboard_context(current_account()))


@bp.post("/account")
def switch_account():
    try:
        account_id = int(request.form.get("account_id", ""))
    except ValueError:
        abort(400, description="Choose an account from the list.")
    if account_id not in {a.id for a in user_accounts()}:
        abort(404)
    session["account_id"] = account_id
    target = request.form.get("next") or ""
    if not target.startswith("/") or target.startswith("//"):
        target = url_for("main.dashboard")
    return redirect(target)


@bp.get("/health")
def health():
    return {"status": "ok"}

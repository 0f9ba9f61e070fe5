"""Who may see what: the login guard, the current account, account-scoped lookups, roles."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import TypeVar

from flask import Flask, abort, g, redirect, request, session, url_for
from flask_login import current_user

from wixoms.extensions import db, login_manager
from wixoms.models import Account, Membership, User

# Endpoints reachable without logging in; everything else redirects to the login page.
PUBLIC_ENDPOINTS = {
    "auth.login",
    "static",
    "hooks.receive",
    "hooks.receive_app",
    "hooks.receive_custom_app",
    "main.health",
    "main.queue_health",  # counts only, for monitoring probes
}

M = TypeVar("M")


@login_manager.user_loader
def load_user(session_id: str) -> User | None:
    """The session's user, if the session is of the user's current version (see User.get_id)."""
    user_id, _, version = session_id.partition(":")
    if not (user_id.isdigit() and version.isdigit()):
        return None  # a cookie from before session versions: log in again
    user = db.session.get(User, int(user_id))
    if user is None or user.session_version != int(version):
        return None
    return user


def install_login_guard(app: Flask) -> None:
    """Redirect every non-public request of a logged-out visitor to the login page."""
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Please log in to continue."

    @app.before_request
    def _require_login():
        if request.endpoint in PUBLIC_ENDPOINTS or request.endpoint is None:
            return None
        if not current_user.is_authenticated:
            return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
        return None

    app.jinja_env.globals.update(
        current_account=page_account,
        user_accounts=user_accounts,
        current_role=lambda: current_role() if page_account() else "",
        is_admin=lambda: bool(page_account()) and is_admin(),
    )


def user_accounts() -> list[Account]:
    """The accounts the logged-in user belongs to, by name."""
    stmt = (
        db.select(Account)
        .join(Membership)
        .where(Membership.user_id == current_user.id)
        .order_by(Account.name)
    )
    return list(db.session.scalars(stmt))


def current_account() -> Account:
    """The account chosen in the top bar ("operate at the right Vendor"); 403 without one."""
    if "account" in g:
        return g.account
    accounts = user_accounts()
    if not accounts:
        abort(403, description="Your user belongs to no account. Ask an admin to add you.")
    chosen = next((a for a in accounts if a.id == session.get("account_id")), accounts[0])
    if session.get("account_id") != chosen.id:
        # Written only when it changes: a response that re-sends the session cookie (the Orders
        # list asks every second) could otherwise undo an account switch made meanwhile.
        session["account_id"] = chosen.id
    g.account = chosen
    return chosen


def page_account() -> Account | None:
    """current_account() for the page around any content: None for a user of no account, so
    that the 403 page saying so can render (a 403 inside it would be a 500)."""
    if "account" in g:
        return g.account
    return current_account() if user_accounts() else None


def current_role() -> str:
    return current_user.role_in(current_account().id) or "operator"


def is_admin() -> bool:
    return current_role() == "admin"


def get_scoped_or_404(model: type[M], object_id: int) -> M:
    """Load an object of the current account by id; another account's object is a 404."""
    obj = db.session.get(model, object_id)
    if obj is None or getattr(obj, "account_id", None) != current_account().id:
        abort(404)
    return obj


def admin_required(view: Callable) -> Callable:
    """Operators can look; only admins can change."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        if not is_admin():
            abort(403, description="Only an admin of this account can do that.")
        return view(*args, **kwargs)

    return wrapped

"""Wizard sessions: state, expiry, steps, failures, and who may create or renew a channel."""

from __future__ import annotations

import json
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from flask import current_app

from wixoms.connection import wix_app
from wixoms.extensions import db
from wixoms.ids import bounded_int
from wixoms.models import Account, Channel, Membership, User, WizardSession
from wixoms.models._base import utcnow
from wixoms.wix import install_url

STEPS_NEW = ("connect", "version", "account", "name")
STEPS_RECONNECT = ("connect", "version", "confirm")
STEP_LABELS = {
    "connect": "Connect Wix",
    "version": "Catalog version",
    "account": "Account",
    "name": "Name & logo",
    "confirm": "Confirm",
}


class WizardFailure(Exception):
    """A failure shown as its own page state (template ``wizard/_failure.html`` by code)."""

    STATUS = {
        "cancelled": 200,
        "state_mismatch": 400,
        "state_used": 409,
        "expired": 410,
        "unverified": 400,
        "code_invalid": 400,
        "wix_unavailable": 503,
        "wix_error": 502,
        "site_taken": 409,
        "wrong_site": 409,
        "instance_used": 409,
    }

    def __init__(self, code: str, detail: Mapping[str, Any] | None = None) -> None:
        self.code = code
        self.detail = dict(detail or {})
        super().__init__(code)

    @property
    def status(self) -> int:
        return self.STATUS.get(self.code, 400)

    def dump(self) -> str:
        return json.dumps({"code": self.code, "detail": self.detail})

    @classmethod
    def load(cls, text: str | None) -> WizardFailure | None:
        if not text:
            return None
        data = json.loads(text)
        return cls(data["code"], data.get("detail"))


class StepError(Exception):
    """A problem the merchant fixes on a step (``step``); shown next to the form."""

    def __init__(self, message: str, *, step: str | None = None, status: int = 422) -> None:
        self.message = message
        self.step = step
        self.status = status
        super().__init__(message)


@dataclass(frozen=True)
class CallbackParams:
    """What Wix appends to the Redirect URL (legacy) or postInstallationUrl (OAuth)."""

    state: str = ""
    code: str = ""
    instance_id: str = ""
    signed_instance: str = ""
    app_id: str = ""
    tenant_id: str = ""
    error: str = ""

    @classmethod
    def from_args(cls, args: Mapping[str, str]) -> CallbackParams:
        get = lambda k: (args.get(k) or "").strip()  # noqa: E731
        return cls(
            state=get("state"),
            code=get("code"),
            instance_id=get("instanceId"),
            signed_instance=get("instance"),
            app_id=get("appId"),
            tenant_id=get("tenantId"),
            error=get("error"),
        )


# --- sessions ------------------------------------------------------------------------------


def steps_of(ws: WizardSession | None) -> tuple[str, ...]:
    """The steps of this wizard: a reconnect has no account or name to choose."""
    return STEPS_RECONNECT if ws is not None and is_reconnect(ws) else STEPS_NEW


def is_reconnect(ws: WizardSession) -> bool:
    """Only a reconnect knows its channel before Save (a new channel is found by instance)."""
    return ws.channel_id is not None


def aware(value: datetime | None) -> datetime | None:
    """SQLite hands back naive datetimes for UTC columns; they are UTC."""
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value


def _ttl() -> timedelta:
    return timedelta(minutes=int(current_app.config["WIZARD_TTL_MINUTES"]))


def new_session(
    user: User, *, reconnect: Channel | None = None, origin: str = "wixoms"
) -> WizardSession:
    """A fresh wizard with a random state; a reconnect remembers the channel it renews.
    ``origin="wix"``: a link from Wix began it, so it waits for the merchant's confirmation."""
    ws = WizardSession(
        origin=origin,
        state=secrets.token_urlsafe(32),
        user_id=user.id,
        step="connect",
        auth_flow=wix_app().auth_flow.value,
        channel_id=reconnect.id if reconnect else None,
        account_id=reconnect.account_id if reconnect else None,
        expires_at=utcnow() + _ttl(),
    )
    db.session.add(ws)
    db.session.commit()
    return ws


def touch(ws: WizardSession) -> None:
    """An active wizard lives WIZARD_TTL_MINUTES after its last step."""
    ws.expires_at = utcnow() + _ttl()


def find_session(state: str, user: User) -> WizardSession:
    """The user's wizard for ``state``; expired or someone else's are failures."""
    ws = db.session.scalar(db.select(WizardSession).where(WizardSession.state == state))
    if ws is None or ws.user_id != user.id:
        raise WizardFailure("state_mismatch")
    if ws.completed_at is None and aware(ws.expires_at) <= utcnow():
        raise WizardFailure("expired")
    return ws


def live_session_for(user: User) -> WizardSession | None:
    """The user's most recent wizard that got past Connect and is neither done nor expired."""
    stmt = (
        db.select(WizardSession)
        .where(
            WizardSession.user_id == user.id,
            WizardSession.completed_at.is_(None),
            WizardSession.expires_at > utcnow(),
            WizardSession.step != "connect",
            WizardSession.error.is_(None),
            # A wizard that a link began is never resumed: the link may be someone else's.
            WizardSession.origin == "wixoms",
        )
        .order_by(WizardSession.id.desc())
        .limit(1)
    )
    return db.session.scalar(stmt)


def needs_confirmation(ws: WizardSession) -> bool:
    """A wizard that a link from Wix began goes on only once the merchant confirmed the site
    and the account (the link may come from someone else, with their site)."""
    return ws.origin == "wix" and ws.confirmed_at is None


def abandon(ws: WizardSession) -> None:
    """Start over: the wizard expires now and forgets its tokens."""
    ws.expires_at = utcnow()
    ws.access_token = ws.refresh_token = None
    db.session.commit()


def installer_url(ws: WizardSession, return_url: str, token: str | None = None) -> str:
    """Where the browser goes to install and authorize the app in Wix."""
    return install_url(wix_app(), state=ws.state, return_url=return_url, token=token)


def failure_of(ws: WizardSession) -> WizardFailure | None:
    return WizardFailure.load(ws.error)


# --- admin accounts and reconnect targets ----------------------------------------------------


def admin_accounts(user: User) -> list[Account]:
    """Accounts where the user is an admin: the only ones a channel can be created in."""
    stmt = (
        db.select(Account)
        .join(Membership)
        .where(Membership.user_id == user.id, Membership.role == "admin")
        .order_by(Account.name)
    )
    return list(db.session.scalars(stmt))


def reconnect_target(user: User, channel_id: int) -> Channel | None:
    """The channel to re-authorize, if the user is an admin of its account."""
    if bounded_int(channel_id) is None:
        return None
    channel = db.session.get(Channel, channel_id)
    if channel is None or channel.account_id not in {a.id for a in admin_accounts(user)}:
        return None
    return channel


def reached(ws: WizardSession, step: str) -> bool:
    """True when the wizard has got as far as ``step`` (so it may be shown or submitted)."""
    steps = steps_of(ws)
    return step in steps and steps.index(step) <= steps.index(ws.step)


def advance(ws: WizardSession, step: str) -> None:
    """Move on to ``step`` unless the wizard is already further (back, second tab)."""
    steps = steps_of(ws)
    if steps.index(step) > steps.index(ws.step):
        ws.step = step
    touch(ws)

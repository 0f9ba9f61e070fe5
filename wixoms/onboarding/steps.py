"""The wizard's steps after Connect: catalog version, account, name and logo, Save."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from sqlalchemy import func, update
from sqlalchemy.exc import IntegrityError

from wixoms.extensions import db
from wixoms.models import Account, Channel, User, WizardSession
from wixoms.models._base import utcnow
from wixoms.onboarding.binding import owner_detail, session_client, site_filter
from wixoms.onboarding.custom_app import apply_to_channel
from wixoms.onboarding.sessions import (
    StepError,
    WizardFailure,
    admin_accounts,
    advance,
    is_reconnect,
    touch,
)
from wixoms.wix import CatalogVersion, WixError

NAME_MAX = 80
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
JPEG_MAGIC = b"\xff\xd8\xff"


def check_catalog_version(ws: WizardSession, *, refresh: bool = False) -> CatalogVersion:
    """Ask Wix which catalog the site runs (remembered on the session)."""
    if ws.catalog_version and not refresh:
        return CatalogVersion(ws.catalog_version)
    try:
        with session_client(ws) as client:
            version = client.catalog_version(refresh=True)
    except WixError as exc:
        db.session.commit()  # keep a renewed token
        raise StepError(exc.user_message, step="version", status=200) from None
    ws.catalog_version = version.value
    touch(ws)
    db.session.commit()
    return version


def confirm_version(ws: WizardSession) -> None:
    """Continue past the version step: only a site with Wix Stores can go on."""
    version = check_catalog_version(ws)
    if version is CatalogVersion.NOT_INSTALLED:
        raise StepError("Wix Stores is not installed on this site yet.", step="version")
    advance(ws, "confirm" if is_reconnect(ws) else "account")
    db.session.commit()


@dataclass(frozen=True)
class AccountChoice:
    account: Account
    channel: Channel | None  # its Wix channel: one per account, so it cannot take another


def account_choices(user: User) -> list[AccountChoice]:
    accounts = admin_accounts(user)
    channels = {
        c.account_id: c
        for c in db.session.scalars(
            db.select(Channel).where(Channel.account_id.in_([a.id for a in accounts]))
        )
    }
    return [AccountChoice(a, channels.get(a.id)) for a in accounts]


def choose_account(ws: WizardSession, user: User, account_id: int | None) -> None:
    choice = next((c for c in account_choices(user) if c.account.id == account_id), None)
    if choice is None:
        raise StepError("Choose one of your accounts.", step="account")
    if choice.channel is not None:
        raise StepError(
            f"{choice.account.name} already has a Wix channel ({choice.channel.name}). "
            "An account can have one Wix channel only.",
            step="account",
        )
    ws.account_id = account_id
    advance(ws, "name")
    db.session.commit()


def confirm_binding(ws: WizardSession, user: User, account_id: int | None) -> None:
    """The merchant names a site that a link from Wix brought as theirs, for this account."""
    choice = next((c for c in account_choices(user) if c.account.id == account_id), None)
    if choice is None or choice.channel is not None:
        raise StepError("Choose one of your accounts that has no Wix channel yet.", step="trust")
    ws.account_id = account_id
    ws.confirmed_at = utcnow()
    touch(ws)
    db.session.commit()


def clean_name(raw: str | None) -> str:
    name = " ".join((raw or "").split())
    if not name:
        raise StepError("Enter a name for the channel.", step="name")
    if len(name) > NAME_MAX:
        raise StepError(f"Use at most {NAME_MAX} characters.", step="name")
    return name


def check_logo(data: bytes | None) -> tuple[bytes | None, str]:
    """A logo is PNG or JPEG (by its bytes, not its name) within LOGO_MAX_BYTES; SVG is refused."""
    if not data:
        return None, ""
    limit = int(current_app.config["LOGO_MAX_BYTES"])
    if len(data) > limit:
        raise StepError(
            f"The logo is {len(data) // 1024} KB; the limit is {limit // 1024} KB. "
            "Choose a smaller image.",
            step="name",
        )
    if data.startswith(PNG_MAGIC):
        return data, "image/png"
    if data.startswith(JPEG_MAGIC):
        return data, "image/jpeg"
    # SVG can carry scripts; rather than sanitize it, only raster images are accepted.
    raise StepError("The logo must be a PNG or JPEG image.", step="name")


def create_channel(ws: WizardSession, name: str, logo: bytes | None, logo_mime: str) -> Channel:
    """Save: the channel with default settings. The database's unique constraints decide races."""
    if ws.account_id is None:
        raise StepError("Choose the account first.", step="account")
    taken = db.session.scalar(
        db.select(Channel.id).where(
            Channel.account_id == ws.account_id, func.lower(Channel.name) == name.lower()
        )
    )
    if taken:
        raise StepError("This account already has a channel with that name.", step="name")
    channel = Channel(
        account_id=ws.account_id,
        name=name,
        logo=logo,
        logo_mime=logo_mime,
        catalog_version="v1" if ws.catalog_version == CatalogVersion.V1.value else "v3",
        auth_flow=ws.auth_flow,
        access_token=ws.access_token,
        refresh_token=ws.refresh_token,
        token_expires_at=ws.token_expires_at,
        instance_id=ws.instance_id,
        site_id=ws.site_id,
        site_url=ws.site_url,
        site_name=ws.site_name,
        api_url=ws.api_url or current_app.config["WIX_API_BASE"],
        connected_at=utcnow(),
    )
    apply_to_channel(ws, channel)
    _tell_wix_setup_finished(ws)
    return _commit_channel(ws, channel)


def _tell_wix_setup_finished(ws: WizardSession) -> None:
    """Legacy flow: Wix wants to hear that setup completed (wix-api.md §1b step 5).

    Wix's own way is a browser redirect to its close-window page, which would leave the
    merchant in Wix; the documented bi-event says the same without leaving wixoms.
    """
    if ws.auth_flow != "legacy":
        return
    try:
        with session_client(ws) as client:
            client.finished_configuration()
    except WixError:
        pass  # optional for Wix; the channel works without it


def reconnect_channel(ws: WizardSession) -> Channel:
    """Save for a reconnect: the existing channel gets the new tokens and instance."""
    channel = db.session.get(Channel, ws.channel_id)
    if channel is None:
        raise WizardFailure("expired")
    channel.auth_flow = ws.auth_flow
    channel.access_token, channel.refresh_token = ws.access_token, ws.refresh_token
    channel.token_expires_at = ws.token_expires_at
    channel.instance_id, channel.site_id = ws.instance_id, ws.site_id
    channel.site_url, channel.site_name = ws.site_url, ws.site_name
    channel.catalog_version = "v1" if ws.catalog_version == CatalogVersion.V1.value else "v3"
    channel.needs_reconnect, channel.last_error = False, None
    channel.connected_at = utcnow()  # failures before this moment are history, not status
    apply_to_channel(ws, channel)
    _tell_wix_setup_finished(ws)
    return _commit_channel(ws, channel)


def _commit_channel(ws: WizardSession, channel: Channel) -> Channel:
    ws_id, account_id = ws.id, ws.account_id
    # Claim the wizard first so a double Save (two tabs) creates one channel.
    claimed = db.session.execute(
        update(WizardSession)
        .where(WizardSession.id == ws_id, WizardSession.completed_at.is_(None))
        .values(completed_at=utcnow())
    ).rowcount
    if not claimed:
        db.session.rollback()
        return _completed_channel(ws_id)
    db.session.add(channel)
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        raise _lost_race(db.session.get(WizardSession, ws_id), account_id) from None
    ws.access_token = ws.refresh_token = None  # the channel holds them now
    db.session.commit()
    return channel


def _completed_channel(ws_id: int) -> Channel:
    ws = db.session.get(WizardSession, ws_id)
    channel = completed_channel(ws) if ws else None
    if channel is None:
        raise WizardFailure("state_used")
    return channel


def completed_channel(ws: WizardSession) -> Channel | None:
    """The channel a finished wizard created or renewed."""
    if ws.channel_id:
        return db.session.get(Channel, ws.channel_id)
    if not ws.instance_id:
        return None
    return db.session.scalar(db.select(Channel).where(Channel.instance_id == ws.instance_id))


def _lost_race(ws: WizardSession, account_id: int | None) -> Exception:
    """Another request created a channel for this account or this site meanwhile."""
    owner = db.session.scalar(db.select(Channel).where(site_filter(ws)).limit(1))
    if owner is not None and owner.id != ws.channel_id:
        return WizardFailure("site_taken", owner_detail(ws, owner))
    account = db.session.get(Account, account_id)
    ws.step = "account"
    db.session.commit()
    return StepError(
        f"{account.name if account else 'That account'} got a Wix channel meanwhile. "
        "An account can have one Wix channel only: choose another account.",
        step="account",
        status=409,
    )

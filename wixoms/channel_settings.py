"""The channel page's rules outside the web layer.

Validation of all settings tabs together, the atomic Save, Delete, the connection status badge,
and webhook endpoints (token generation, the not-yet-saved URL, revoke and regenerate).
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from flask import current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import update
from sqlalchemy.exc import IntegrityError

from wixoms.connection import api_url_problem
from wixoms.extensions import db
from wixoms.models import SYNC_KINDS, Channel, Order, SyncRun, WebhookEndpoint
from wixoms.models._base import utcnow
from wixoms.sync.orders.download import filter_changed, rewind_checkpoint
from wixoms.sync.runs import aware

# Which Channel columns each settings tab edits; one Save commits all of them.
SETTINGS_TABS: dict[str, tuple[str, ...]] = {
    "main": (
        "channel_mode",
        *(f"{kind}_{part}" for kind in SYNC_KINDS for part in ("auto", "interval_min")),
        "use_channel_names",
        "auto_merge_orders",
        "import_type",
        "import_from_date",
        "import_last_days",
        "payment_filter",
        "skip_fulfilled",
    ),
    "advanced": (
        "mask_personal_data_days",
        "exclude_pii_from_logs",
        "log_retention_days",
        "request_timeout_s",
        "dry_run",
    ),
    "channel": (
        "api_url",
        "site_id",
        "order_statuses",
        "throughput_plan",
        "process_pickup_orders",
        "stock_buffer",
        "max_stock_level",
    ),
}
# Set from what Wix reports for the verified instance when connecting; never from the form,
# or typing another tenant's site id would claim (and block) their site.
FROM_WIX = frozenset({"site_id"})
EARLIEST_IMPORT_DATE = datetime(2000, 1, 1, tzinfo=UTC)
ENDPOINT_KIND_LABELS = {
    "automation": "Order placed — Wix Automations (Send HTTP Request)",
    "app": "Wix app webhooks (signed by Wix)",
}
PENDING_ENDPOINT_MAX_AGE_S = 24 * 3600


def tab_of(field_name: str) -> str | None:
    """The settings tab that holds a field, or None (e.g. the header's Is Active switch)."""
    return next((tab for tab, names in SETTINGS_TABS.items() if field_name in names), None)


def settings_problems(values: Mapping[str, Any], config: Mapping[str, Any]) -> dict[str, str]:
    """Rules that span fields or tabs: field name → message. Empty when the values may be saved."""
    problems: dict[str, str] = {}
    api_url = values.get("api_url") or ""
    if api_url and (problem := api_url_problem(api_url, config)):
        problems["api_url"] = problem
    if not values.get("site_id") and values.get("channel_mode") == "webhooks":
        problems["site_id"] = (
            "Webhooks need the Site ID, which Wix reports when the channel connects. "
            "Reconnect to Wix, then choose Webhooks."
        )
    if not values.get("order_statuses"):
        problems["order_statuses"] = "Choose at least one status, or no orders will be downloaded."
    if values.get("import_type") == "from_date":
        start = values.get("import_from_date")
        if start is None:
            problems["import_from_date"] = "Enter the date to import orders from."
        elif start > utcnow():
            problems["import_from_date"] = "Choose a date that is not in the future."
        elif start < EARLIEST_IMPORT_DATE:
            problems["import_from_date"] = "Choose a date from 2000-01-01 on."
    return problems


class StaleSettings(Exception):
    """The settings were saved elsewhere (another tab) since this page was loaded."""


def save_settings(channel: Channel, values: Mapping[str, Any], version: int | None = None) -> None:
    """Write every tab's values and the Is Active switch in one transaction: all or nothing.

    With ``version`` (the settings version the page was loaded with), the Save only happens
    if nobody saved since: the version is compared and bumped in one UPDATE, so of two
    concurrent Saves from the same version one wins and the other raises StaleSettings.
    """
    try:
        if version is not None:
            bumped = db.session.execute(
                update(Channel)
                .where(Channel.id == channel.id, Channel.settings_version == version)
                .values(settings_version=Channel.settings_version + 1)
                .execution_options(synchronize_session=False)
            ).rowcount
            if not bumped:
                db.session.rollback()
                raise StaleSettings()
        else:
            channel.settings_version = (channel.settings_version or 1) + 1
        if filter_changed(channel, dict(values)):
            rewind_checkpoint(channel.id)
        for names in SETTINGS_TABS.values():
            for name in names:
                if name not in FROM_WIX:
                    setattr(channel, name, values[name])
        channel.is_active = bool(values["is_active"])
        db.session.commit()
    except StaleSettings:
        raise
    except Exception:
        db.session.rollback()
        raise


def delete_channel(channel: Channel) -> int:
    """Remove the connection; keep its orders, marked as from the deleted channel.

    Tokens are dropped with the row (Wix is not called: the merchant may be deleting because
    the app was removed). Mappings, runs, checkpoints and webhook endpoints go with it; the
    scheduler rebuilds its jobs from the channels table, so the schedules go too.
    Returns how many orders were kept.
    """
    try:
        channel.access_token = None
        channel.refresh_token = None
        kept = db.session.execute(
            update(Order)
            .where(Order.channel_id == channel.id)
            .values(channel_id=None, source_channel_name=channel.name[:80])
        ).rowcount
        db.session.delete(channel)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return kept or 0


@dataclass(frozen=True)
class ChannelStatus:
    label: str
    tone: str  # badge class: ok, info, warn, bad
    detail: str


def latest_finished_run(channel: Channel) -> SyncRun | None:
    """The most recent run that has ended, of any kind."""
    return db.session.scalar(
        db.select(SyncRun)
        .where(SyncRun.channel_id == channel.id, SyncRun.finished_at.is_not(None))
        .order_by(SyncRun.finished_at.desc(), SyncRun.id.desc())
        .limit(1)
    )


def channel_status(channel: Channel, last_run: SyncRun | None = None) -> ChannelStatus:
    """Connected / Importing / Live / Error / Reconnect needed, worst first."""
    if channel.needs_reconnect:
        return ChannelStatus(
            "Reconnect needed",
            "bad",
            channel.last_error
            if channel.app_removed_at is not None and channel.last_error
            else "Wix no longer accepts this channel's tokens (the app may have been removed). "
            "Reconnect to Wix to resume syncing.",
        )
    if channel.last_error:
        return ChannelStatus("Error", "bad", channel.last_error)
    in_progress = db.session.scalar(
        db.select(SyncRun.kind)
        .where(SyncRun.channel_id == channel.id, SyncRun.state.in_(("queued", "running")))
        .limit(1)
    )
    if in_progress:
        return ChannelStatus(
            "Importing", "info", f"A {in_progress.replace('_', ' ')} run is in progress."
        )
    last_run = last_run or latest_finished_run(channel)
    if (
        last_run is not None
        and last_run.state == "failed"
        and not _before_connect(channel, last_run)
    ):
        return ChannelStatus("Error", "bad", last_run.error or "The last sync run failed.")
    if channel.is_active:
        return ChannelStatus("Live", "ok", "Active: syncs run as set in Main settings.")
    return ChannelStatus(
        "Connected",
        "warn",
        "Connected but not active: turn on Is Active and Save to start syncing.",
    )


def _before_connect(channel: Channel, run: SyncRun) -> bool:
    """A run that ended before the channel was (re)connected says nothing about it now."""
    connected = aware(channel.connected_at)
    return connected is not None and aware(run.finished_at) <= connected


# Webhook endpoints -------------------------------------------------------------------------


class EndpointNotSaved(Exception):
    """The pending endpoint could not be saved; the message says why and what to do."""


def endpoint_state(channel: Channel, endpoint: WebhookEndpoint) -> ChannelStatus:
    """What happens to a delivery at this URL now, as the Webhooks tab's banner explains it."""
    if endpoint.revoked_at is not None:
        return ChannelStatus(
            f"Revoked {endpoint.revoked_at:%Y-%m-%d}", "bad", "The URL refuses deliveries."
        )
    if not channel.site_id:
        return ChannelStatus(
            "Not in use", "warn", "Deliveries are refused until the Site ID is filled in."
        )
    if channel.channel_mode != "webhooks":
        return ChannelStatus(
            "Not in use",
            "warn",
            "Deliveries are received but not imported until Channel Mode is Webhooks.",
        )
    return ChannelStatus("Active", "ok", "Deliveries are received and imported.")


def new_webhook_token() -> str:
    """An unguessable token for /hooks/<token> (256 bits)."""
    return secrets.token_urlsafe(32)


def webhook_url(token: str, public_url: str, host_url: str) -> str:
    """The address Wix posts to: PUBLIC_URL when configured, else the address in use."""
    base = (public_url or host_url).rstrip("/") + "/"
    return f"{base}hooks/{token}"


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt="wixoms.webhook-endpoint")


def sign_pending_endpoint(channel: Channel, token: str) -> str:
    """Carry a generated, unsaved token in the page; only the server can mint one."""
    return _serializer().dumps({"channel": channel.id, "token": token})


def read_pending_endpoint(channel: Channel, signed: str) -> str | None:
    """The token of a pending endpoint of this channel, or None if forged, foreign or stale."""
    try:
        data = _serializer().loads(signed or "", max_age=PENDING_ENDPOINT_MAX_AGE_S)
    except BadSignature:
        return None
    if not isinstance(data, dict) or data.get("channel") != channel.id:
        return None
    token = data.get("token")
    return token if isinstance(token, str) else None


def save_endpoint(channel: Channel, kind: str, signed: str) -> WebhookEndpoint:
    """Persist a pending endpoint (the Save endpoint button)."""
    if kind not in ENDPOINT_KIND_LABELS:
        raise EndpointNotSaved("Choose a Type from the list.")
    token = read_pending_endpoint(channel, signed)
    if token is None:
        raise EndpointNotSaved("This URL has expired. Press Create again to get a new one.")
    endpoint = WebhookEndpoint(channel_id=channel.id, kind=kind, token=token)
    db.session.add(endpoint)
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise EndpointNotSaved("This URL is already saved; it is in the list below.") from None
    return endpoint


def revoke_endpoint(endpoint: WebhookEndpoint) -> None:
    """The URL stops accepting deliveries at once; its history stays."""
    endpoint.revoked_at = utcnow()
    db.session.commit()


def regenerate_endpoint(endpoint: WebhookEndpoint) -> None:
    """Give the endpoint a new URL; the old one stops working at once."""
    endpoint.token = new_webhook_token()
    endpoint.revoked_at = None
    db.session.commit()

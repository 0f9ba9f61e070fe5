"""From configuration and a Channel row to a Wix client: the one place both meet."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from flask import current_app
from sqlalchemy import update

from wixoms.extensions import db
from wixoms.models import Channel
from wixoms.wix import AuthFlow, Credentials, WixApp, WixClient, WixError

log = logging.getLogger(__name__)


class ApiUrlRefused(WixError):
    """The channel's stored Api URL is outside the allowlist: no client, nothing sent."""

    default_user_message = (
        "The channel's Api URL is not a Wix address wixoms may call. Set it to "
        "https://www.wixapis.com in Channel settings and Save."
    )


def wix_app(config: Mapping[str, Any] | None = None) -> WixApp:
    """The wixoms app registration (id, secret, flow, Wix hosts) from configuration."""
    config = config if config is not None else current_app.config
    return WixApp(
        app_id=config["WIX_APP_ID"],
        app_secret=config["WIX_APP_SECRET"],
        auth_flow=AuthFlow(config.get("WIX_AUTH_FLOW", "oauth")),
        api_base=config["WIX_API_BASE"],
        www_base=config["WIX_WWW_BASE"],
        public_key_pem=config.get("WIX_PUBLIC_KEY") or None,
    )


def allowed_api_hosts(config: Mapping[str, Any] | None = None) -> set[str]:
    """Hosts the Api URL may name: Wix's own plus the configured API base (the sandbox)."""
    config = config if config is not None else current_app.config
    hosts = {
        h.strip().lower() for h in str(config["WIX_ALLOWED_API_HOSTS"]).split(",") if h.strip()
    }
    hosts.add(urlsplit(config["WIX_API_BASE"]).netloc.lower())
    return hosts


def api_url_problem(url: str, config: Mapping[str, Any] | None = None) -> str | None:
    """Why an Api URL is refused, or None: https Wix hosts or the configured base only."""
    config = config if config is not None else current_app.config
    parts = urlsplit(url.strip())
    configured = urlsplit(config["WIX_API_BASE"])
    if parts.netloc.lower() not in allowed_api_hosts(config):
        return "Use Wix's API address, https://www.wixapis.com."
    if parts.scheme != "https" and (parts.scheme, parts.netloc) != (
        configured.scheme,
        configured.netloc,
    ):
        return "The Api URL must start with https://."
    if parts.query or parts.fragment or parts.username:
        return "The Api URL must be a plain address, without ?, # or credentials."
    return None


def channel_credentials(channel: Channel) -> Credentials | None:
    if not channel.access_token:
        return None
    return Credentials(
        access_token=channel.access_token,
        refresh_token=channel.refresh_token,
        expires_at=channel.token_expires_at,
    )


def _persist_credentials(channel_id: int):
    """Save renewed tokens at once, in their own transaction (encrypted by the column type)."""
    # Bound now: the client may renew from a thread without an app context (orders prefetch).
    engine = db.engine

    def save(creds: Credentials) -> None:
        stmt = (
            update(Channel)
            .where(Channel.id == channel_id)
            .values(
                access_token=creds.access_token,
                refresh_token=creds.refresh_token,
                token_expires_at=creds.expires_at,
                needs_reconnect=False,
            )
        )
        try:
            with engine.begin() as conn:
                conn.execute(stmt)
        except Exception:  # the tokens can be asked for again; never fail the caller's work
            log.warning("could not store renewed Wix tokens for channel %s", channel_id)

    return save


def channel_app(channel: Channel, config: Mapping[str, Any] | None = None) -> WixApp:
    """The app a channel speaks as: the merchant's own Wix app (Helm's way), else wixoms's."""
    app = wix_app(config)
    if channel.custom_app_id:
        return WixApp(
            app_id=channel.custom_app_id,
            app_secret=channel.custom_app_secret or "",
            auth_flow=AuthFlow(channel.auth_flow),
            api_base=channel.api_url or app.api_base,
            www_base=app.www_base,
            public_key_pem=channel.custom_app_public_key or None,
        )
    return WixApp(
        app_id=app.app_id,
        app_secret=app.app_secret,
        auth_flow=AuthFlow(channel.auth_flow),
        api_base=channel.api_url or app.api_base,
        www_base=app.www_base,
        public_key_pem=app.public_key_pem,
    )


def client_for(
    channel: Channel, config: Mapping[str, Any] | None = None, **options: Any
) -> WixClient:
    """A Wix client for a channel: its app, API URL, tokens, plan and timeout; renewals saved.

    ``options`` override the client's (e.g. a shorter timeout and fewer retries for a page).
    """
    config = config if config is not None else current_app.config
    if channel.api_url and (problem := api_url_problem(channel.api_url, config)):
        # The form checks it too; a row written around the form must not send the token away.
        raise ApiUrlRefused(f"channel {channel.id} Api URL refused: {problem}")
    return WixClient(
        channel_app(channel, config),
        instance_id=channel.instance_id,
        credentials=channel_credentials(channel),
        **{
            "plan": channel.throughput_plan,
            "timeout": (5.0, float(channel.request_timeout_s)),
            "on_credentials": _persist_credentials(channel.id),
            **shared_budgets(config, channel.instance_id, channel.throughput_plan),
            **options,
        },
    )


def shared_budgets(config: Mapping[str, Any], instance_id: str, plan: str) -> dict[str, Any]:
    """In Celery mode, the rate budget and token cache every process shares through Redis."""
    from wixoms.cluster import is_celery

    if not is_celery(config):
        return {}
    from wixoms.cluster.budget import RedisRateLimiter, budget_key
    from wixoms.cluster.redis_conn import key_prefix, redis_client
    from wixoms.cluster.tokens import RedisTokenRegistry
    from wixoms.wix.throughput import resolve_plan

    client, prefix = redis_client(config), key_prefix(config)
    return {
        "rate_limiter": RedisRateLimiter(
            client, budget_key(prefix, instance_id), resolve_plan(plan)
        ),
        "tokens": RedisTokenRegistry(client, prefix),
    }

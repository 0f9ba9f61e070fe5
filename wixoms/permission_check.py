"""The permissions check: which capabilities Wix grants a channel (or a wizard's new
connection), and how the merchant adds a missing one. Helm's "Orders not importing" row."""

from __future__ import annotations

from dataclasses import dataclass, field

from wixoms.models import Channel, WizardSession
from wixoms.wix import CatalogVersion, RetryPolicy, WixAuthError, WixError
from wixoms.wix.permissions import PermissionResult, probe_permissions

# A merchant waits on the page: fail fast rather than back off for long.
PAGE_OPTIONS = {"timeout": (5.0, 10.0), "retry": RetryPolicy(max_attempts=2, backoff_max=1.0)}


@dataclass(frozen=True)
class PermissionReport:
    results: list[PermissionResult] = field(default_factory=list)
    custom_app_id: str = ""  # the merchant's own app: they add permissions themselves
    error: str = ""

    @property
    def missing(self) -> list[PermissionResult]:
        return [r for r in self.results if r.state == "missing"]

    @property
    def unknown(self) -> list[PermissionResult]:
        return [r for r in self.results if r.state == "unknown"]


def _version(text: str) -> CatalogVersion:
    return CatalogVersion.V1 if text in ("v1", CatalogVersion.V1.value) else CatalogVersion.V3


def _run(client, version: CatalogVersion, custom_app_id: str) -> PermissionReport:
    try:
        with client:
            return PermissionReport(probe_permissions(client.request, version), custom_app_id)
    except WixAuthError:
        return PermissionReport(
            [],
            custom_app_id,
            "Wix refuses this connection's token: the app may have been "
            "removed from the site. Reconnect to Wix, then check again.",
        )
    except WixError as exc:
        return PermissionReport([], custom_app_id, exc.user_message)


def check_channel(channel: Channel) -> PermissionReport:
    """Probe the channel's app instance (its own app's token for a custom-app channel)."""
    from wixoms.connection import client_for

    try:
        client = client_for(channel, **PAGE_OPTIONS)
    except WixError as exc:  # e.g. a stored Api URL outside the allowlist: nothing is sent
        return PermissionReport([], channel.custom_app_id, exc.user_message)
    return _run(client, _version(channel.catalog_version), channel.custom_app_id)


def check_wizard(ws: WizardSession) -> PermissionReport:
    """Probe right after connecting, with the wizard's tokens."""
    from wixoms.onboarding.binding import session_client

    return _run(session_client(ws), _version(ws.catalog_version), ws.custom_app_id)

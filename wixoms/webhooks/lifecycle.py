"""App lifecycle events: the app removed from the site, or installed again (wix-api.md §3).

``AppRemoved`` means Wix refuses the channel's tokens from now on: the channel says so and
stops syncing (``needs_reconnect`` stops every run). ``AppInstalled`` for the same instance
(Wix keeps the instance id across a reinstall) reconnects a channel whose tokens come from
client credentials; a legacy/custom-app channel needs a new authorization code, so it is sent
to Reconnect with a message saying the app is back.
"""

from __future__ import annotations

from datetime import UTC, datetime

from wixoms.models import Channel, WebhookEvent
from wixoms.models._base import utcnow
from wixoms.wix.webhooks import issued_at

APP_REMOVED = "AppRemoved"
APP_INSTALLED = "AppInstalled"
EVENT_TYPES = (APP_REMOVED, APP_INSTALLED)

REMOVED_MESSAGE = (
    "The Wix app was removed from the site “{site}”, so Wix refuses this channel's tokens and "
    "syncing has stopped. Add the app to the site again (or Reconnect to Wix) to resume."
)
REINSTALLED_LEGACY = (
    "The Wix app is installed on the site again. Reconnect to Wix once to authorise it; "
    "syncing resumes after that."
)


def apply(event: WebhookEvent, channel: Channel) -> str:
    """Change the channel's connection for a lifecycle event; return what was done.

    Wix sends these late and out of order, and a retry is stored again (they have no event
    id), so an event signed (``iat``) before the channel's last change the other way is old
    news and changes nothing. ``iat`` has whole seconds: within one second, arrival order
    decides. The caller commits (the worker's _finish does)."""
    signed = issued_at(event.body)
    if event.event_type == APP_REMOVED:
        if _before(signed, channel.connected_at):
            return "An older removal, sent before the channel was last connected: ignored."
        mark_removed(channel, signed)
        return "The app was removed from the Wix site: syncing stopped."
    if _before(signed, channel.app_removed_at):
        return "An older install event, sent before the app was removed: the removal stands."
    if channel.app_removed_at is None and not channel.needs_reconnect:
        return "The app is installed; nothing to change."
    channel.app_removed_at = None
    if channel.auth_flow == "oauth":
        channel.needs_reconnect, channel.last_error = False, None
        channel.connected_at = utcnow()
        return "The app was installed again: the channel is reconnected."
    channel.needs_reconnect, channel.last_error = True, REINSTALLED_LEGACY
    return "The app was installed again: Reconnect to Wix to resume."


def mark_removed(channel: Channel, when: datetime | None = None) -> None:
    """The app is gone from the site: say so on the channel and stop its syncs.

    ``when`` is when Wix signed the removal (the time the install events are ordered by)."""
    channel.app_removed_at = when or utcnow()
    channel.needs_reconnect = True
    channel.last_error = REMOVED_MESSAGE.format(site=channel.site_name or channel.site_url)


def _before(signed: datetime | None, mark: datetime | None) -> bool:
    """Signed in a whole second before ``mark``'s second (unknown times are never before)."""
    if signed is None or mark is None:
        return False
    if mark.tzinfo is None:
        mark = mark.replace(tzinfo=UTC)
    return signed < mark.replace(microsecond=0)

"""Wix ids as they may appear in an API path: checked in shape, then percent-encoded.

Wix ids are GUIDs (products, variants, orders, locations; wix-api.md); a value from a webhook
or typed by a merchant must never add path segments (``../../_sandbox/config``).
"""

from __future__ import annotations

import re
from urllib.parse import quote

from .errors import WixError

_WIX_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,99}")
SHAPE = "letters, digits, '-' and '_' only (Wix ids look like 3f1c9a2e-…)"


class InvalidWixId(WixError):
    """A value used as a Wix id that no Wix id looks like; nothing was sent to Wix."""

    default_user_message = "A Wix id in the request is malformed; nothing was sent to Wix."


def is_wix_id(value: object) -> bool:
    """True when ``value`` has the shape of a Wix id."""
    return isinstance(value, str) and _WIX_ID.fullmatch(value) is not None


def path_id(value: object, what: str = "id") -> str:
    """``value`` as one path segment of a Wix API URL; InvalidWixId when it is not a Wix id."""
    if not is_wix_id(value):
        raise InvalidWixId(f"{what} {str(value)[:80]!r} is not a Wix id ({SHAPE})")
    return quote(str(value), safe="")

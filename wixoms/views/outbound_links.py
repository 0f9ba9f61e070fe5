"""Links out of wixoms to addresses that came from Wix or a merchant: http(s) or nothing.

Jinja escapes an attribute's quotes but not its meaning: a site URL of ``javascript:…`` from
Wix (or a tracking link) would still be a link that runs script when clicked.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask


def web_url(value: object) -> str:
    """``value`` when it is an absolute http(s) URL, else '' (templates then show no link)."""
    text = str(value or "").strip()
    parts = urlsplit(text)
    return text if parts.scheme.lower() in ("http", "https") and parts.netloc else ""


def register(app: Flask) -> None:
    """{{ url|web_url }} in templates."""
    app.jinja_env.filters["web_url"] = web_url

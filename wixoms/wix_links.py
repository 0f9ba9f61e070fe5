"""Links to Wix's own pages (the site owner's dashboard), from the configured Wix www base.

Real Wix serves the dashboard on manage.wix.com, at /dashboard/<site id>/… (wix-api.md §1d: the
site id is the path segment after /dashboard/). Any other www base (the sandbox in the demo and
the tests) serves the dashboard itself, at the same paths, so the demo never links to real Wix.
"""

from __future__ import annotations

from urllib.parse import urlsplit

REAL_WWW_HOST = "www.wix.com"
REAL_DASHBOARD_HOST = "manage.wix.com"


def dashboard_base(www_base: str) -> str:
    """'https://manage.wix.com' for real Wix; the www base itself otherwise."""
    parts = urlsplit(www_base or f"https://{REAL_WWW_HOST}")
    host = REAL_DASHBOARD_HOST if parts.netloc == REAL_WWW_HOST else parts.netloc
    return f"{parts.scheme or 'https'}://{host}"


def dashboard_url(www_base: str, site_id: str = "") -> str:
    """The site's dashboard home, or the dashboard's start page without a site id."""
    base = dashboard_base(www_base)
    return f"{base}/dashboard/{site_id}/home" if site_id else f"{base}/"


def dashboard_host(www_base: str) -> str:
    return urlsplit(dashboard_base(www_base)).netloc

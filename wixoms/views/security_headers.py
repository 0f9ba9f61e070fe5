"""Security headers on every response: CSP, no framing, nosniff, Referrer-Policy."""

from __future__ import annotations

from flask import Flask, Response

# Everything the pages load is served by wixoms itself (htmx and Pico are vendored under
# static/vendor), so nothing inline and nothing from elsewhere runs. Pico draws its icons
# with data: SVGs in its stylesheet.
CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "img-src 'self' data:",
        "object-src 'none'",
        "base-uri 'self'",
        "frame-ancestors 'none'",
    )
)

HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    # frame-ancestors for current browsers, X-Frame-Options for the old ones.
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    # Links out (a Wix site, a carrier's tracking page) never learn a wixoms URL or its query.
    "Referrer-Policy": "same-origin",
}


def install_security_headers(app: Flask) -> None:
    """Add HEADERS to every response, error pages, static files and /hooks included."""

    @app.after_request
    def _security_headers(response: Response) -> Response:
        for name, value in HEADERS.items():
            response.headers.setdefault(name, value)
        return response

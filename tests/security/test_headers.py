"""Every response carries the security headers: pages, errors, static files, /hooks."""

from __future__ import annotations

import pytest

EXPECTED = {
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}


def _assert_secured(response) -> None:
    csp = response.headers.get("Content-Security-Policy", "")
    directives = {d.split()[0]: d.split()[1:] for d in csp.split(";") if d.strip()}
    assert directives.get("default-src") == ["'self'"], csp
    assert directives.get("frame-ancestors") == ["'none'"], csp
    assert "'unsafe-inline'" not in csp and "'unsafe-eval'" not in csp
    for name, value in EXPECTED.items():
        assert response.headers.get(name) == value, name


@pytest.mark.parametrize(
    "path",
    [
        "/login",  # a page
        "/",  # a redirect to the login page
        "/no-such-page",  # an error page
        "/static/vendor/htmx-2.0.8/htmx.min.js",  # a static file
    ],
)
def test_anonymous_responses_carry_the_security_headers(client, path):
    _assert_secured(client.get(path))


def test_a_logged_in_page_carries_the_security_headers(logged_in):
    response = logged_in.get("/channels/")
    assert response.status_code == 200
    _assert_secured(response)


def test_webhook_answers_carry_the_security_headers(client):
    # Wix posts without a CSRF token: /hooks is exempt, so this request is what Wix sends.
    response = client.post("/hooks/no-such-token", json={}, csrf=False)
    assert response.status_code == 404
    _assert_secured(response)


def test_pages_hold_no_inline_script_or_style(logged_in):
    """The CSP refuses inline code, so the pages must not depend on any."""
    for path in ("/", "/channels/", "/orders/", "/products/", "/inventory/"):
        html = logged_in.get(path).get_data(as_text=True)
        assert "<script>" not in html and "<style" not in html, path
        assert " style=" not in html and " onclick=" not in html and " onchange=" not in html


@pytest.mark.parametrize("path", ["/_sandbox/sites", "/no-such-page"])
def test_the_sandbox_sends_its_own_hosting_headers(path):
    from wixoms.sandbox import create_sandbox_app

    response = create_sandbox_app().test_client().get(path)
    assert response.headers.get("X-Content-Type-Options") == "nosniff"
    assert response.headers.get("X-Frame-Options") == "DENY"
    assert response.headers.get("Referrer-Policy") == "same-origin"

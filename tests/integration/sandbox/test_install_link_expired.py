"""A stale installer link (used, expired or unknown) leads back to the app Wix knows of."""

from __future__ import annotations

import re

import pytest

from tests.integration.sandbox.test_installer import APP, browser, legacy_app, location  # noqa: F401


def back_links(page: str) -> dict[str, str]:
    return {
        text.strip(): href
        for href, text in re.findall(r'<a[^>]*href="([^"]+)"[^>]*>([^<]+)</a>', page)
    }


@pytest.fixture
def consented(browser, sandbox):  # noqa: F811
    """A legacy install that went through: its consent link is now used."""
    site = sandbox.create_site("Only Shop")
    app = legacy_app(sandbox)
    start = browser(
        "GET", f"/installer/install?appId={app['appId']}&redirectUrl={APP}/wizard/callback&state=s1"
    )
    _, query = location(start)
    chosen = browser("GET", f"/installer/choose?request={query['request']}")
    _, query = location(chosen)  # one site: straight to consent
    allowed = browser(
        "POST", "/installer/consent", data={"request": query["request"], "decision": "allow"}
    )
    assert allowed.status_code in (302, 303)
    return app, query["request"], site


def test_a_used_link_offers_the_way_back_to_the_app(browser, consented):  # noqa: F811
    app, request_id, _site = consented
    again = browser("GET", f"/installer/consent?request={request_id}")
    assert again.status_code == 400
    assert "This installation link has expired" in again.text
    links = back_links(again.text)
    assert links[f"Back to {app['name']}"] == f"{APP}/"  # the origin of the App URL
    assert links["Start again from the App Market"] == f"/app-market/{app['appId']}"
    assert links["Back to My Sites"] == "/"


def test_a_link_past_its_time_knows_its_app_too(browser, sandbox):  # noqa: F811
    sandbox.create_site("Only Shop")
    app = sandbox.register_app(
        auth_flow="oauth", post_installation_url="https://oms.example/wizard/callback"
    )
    start = browser("POST", f"/app-market/{app['appId']}/add")
    _, query = location(start)
    sandbox.advance_clock(3601)  # install_request_ttl is an hour
    page = browser("GET", f"/installer/choose?request={query['request']}")
    assert page.status_code == 400
    assert back_links(page.text)[f"Back to {app['name']}"] == "https://oms.example/"


def test_an_unknown_link_has_no_app_to_name(browser, sandbox):  # noqa: F811
    page = browser("GET", "/installer/choose?request=made-up")
    assert page.status_code == 400
    links = back_links(page.text)
    assert [text for text in links if text.startswith("Back to")] == ["Back to My Sites"]

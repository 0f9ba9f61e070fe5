"""The installer flows a browser goes through, driven with a real HTTP client."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

APP = "http://wixoms.test"


def location(response: requests.Response) -> tuple[str, dict]:
    assert response.status_code in (302, 303), response.text[:300]
    url = response.headers["Location"]
    parts = urlsplit(url)
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    return f"{parts.scheme}://{parts.netloc}{parts.path}" if parts.netloc else parts.path, query


@pytest.fixture
def browser(sandbox_server):
    session = requests.Session()
    base = sandbox_server.url

    def go(method: str, path: str, **kw) -> requests.Response:
        url = path if path.startswith("http") else base + path
        return session.request(method, url, allow_redirects=False, timeout=10, **kw)

    return go


@pytest.fixture
def two_sites(sandbox):
    return sandbox.create_site("First Shop", "V1_CATALOG"), sandbox.create_site("Second Shop")


def legacy_app(sandbox) -> dict:
    return sandbox.register_app(
        auth_flow="legacy",
        app_url=f"{APP}/wizard/app-url",
        redirect_url=f"{APP}/wizard/callback",
    )


def pick_and_allow(browser, start: requests.Response, site_id: str) -> requests.Response:
    """Site picker → consent → Allow; returns the final redirect response."""
    path, query = location(start)
    assert path == "/installer/choose"
    picker = browser("GET", f"/installer/choose?request={query['request']}")
    assert picker.status_code == 200 and "Choose a site" in picker.text
    chosen = browser(
        "POST", "/installer/choose", data={"request": query["request"], "siteId": site_id}
    )
    path, query = location(chosen)
    assert path == "/installer/consent"
    page = browser("GET", f"/installer/consent?request={query['request']}")
    assert page.status_code == 200 and "Allow" in page.text
    return browser(
        "POST", "/installer/consent", data={"request": query["request"], "decision": "allow"}
    )


def exchange(sandbox_server, app: dict, **grant) -> requests.Response:
    return requests.post(
        sandbox_server.url + "/oauth/access",
        json={"client_id": app["appId"], "client_secret": app["appSecret"], **grant},
        timeout=10,
    )


def instance_site(sandbox_server, token: str) -> str:
    response = requests.get(
        sandbox_server.url + "/apps/v1/instance", headers={"Authorization": token}, timeout=10
    )
    assert response.status_code == 200
    return response.json()["site"]["siteId"]


def test_legacy_install_from_app_market_on_the_second_site(
    sandbox, sandbox_server, browser, two_sites
):
    app = legacy_app(sandbox)
    market = browser("GET", f"/app-market/{app['appId']}")
    assert market.status_code == 200 and "Add to Site" in market.text
    allowed = pick_and_allow(
        browser, browser("POST", f"/app-market/{app['appId']}/add"), two_sites[1]["id"]
    )
    app_url, query = location(allowed)
    assert app_url == f"{APP}/wizard/app-url" and query["token"]
    installer = browser(
        "GET",
        "/installer/install",
        params={
            "token": query["token"],
            "appId": app["appId"],
            "redirectUrl": f"{APP}/wizard/callback?x=1",
            "state": "s-123",
        },
    )
    redirect_url, params = location(installer)
    assert redirect_url == f"{APP}/wizard/callback"
    assert params["state"] == "s-123" and params["x"] == "1"
    assert params["code"] and params["instanceId"]
    tokens = exchange(sandbox_server, app, grant_type="authorization_code", code=params["code"])
    assert tokens.status_code == 200
    assert set(tokens.json()) == {"access_token", "refresh_token"}
    assert instance_site(sandbox_server, tokens.json()["access_token"]) == two_sites[1]["id"]
    close = browser("GET", f"/installer/close-window?access_token={tokens.json()['access_token']}")
    assert close.status_code == 200 and "Setup complete" in close.text


def test_code_is_single_use_and_refresh_returns_the_same_refresh_token(
    sandbox, sandbox_server, two_sites
):
    app = legacy_app(sandbox)
    code = sandbox.install(app["appId"], two_sites[0]["id"])["code"]
    first = exchange(sandbox_server, app, grant_type="authorization_code", code=code)
    assert first.status_code == 200
    reused = exchange(sandbox_server, app, grant_type="authorization_code", code=code)
    assert reused.status_code == 400 and reused.json()["error"] == "invalid_grant"
    refresh = first.json()["refresh_token"]
    again = exchange(sandbox_server, app, grant_type="refresh_token", refresh_token=refresh)
    assert again.status_code == 200
    assert again.json()["refresh_token"] == refresh
    assert again.json()["access_token"] != first.json()["access_token"]


def test_code_expires_after_10_minutes_and_access_token_after_5(sandbox, sandbox_server, two_sites):
    app = legacy_app(sandbox)
    install = sandbox.install(app["appId"], two_sites[0]["id"])
    sandbox.advance_clock(601)
    expired = exchange(sandbox_server, app, grant_type="authorization_code", code=install["code"])
    assert expired.status_code == 400 and expired.json()["error"] == "invalid_grant"
    code = sandbox.new_code(install["instanceId"])
    tokens = exchange(sandbox_server, app, grant_type="authorization_code", code=code).json()
    headers = {"Authorization": tokens["access_token"]}
    url = sandbox_server.url + "/apps/v1/instance"
    assert requests.get(url, headers=headers, timeout=10).status_code == 200
    sandbox.advance_clock(301)
    assert requests.get(url, headers=headers, timeout=10).status_code == 401


def test_app_initiated_legacy_install_with_state(sandbox, sandbox_server, browser, two_sites):
    app = legacy_app(sandbox)
    start = browser(
        "GET",
        "/installer/install",
        params={"appId": app["appId"], "redirectUrl": f"{APP}/wizard/callback", "state": "abc"},
    )
    done = pick_and_allow(browser, start, two_sites[0]["id"])
    target, params = location(done)
    assert target == f"{APP}/wizard/callback" and params["state"] == "abc"
    tokens = exchange(sandbox_server, app, grant_type="authorization_code", code=params["code"])
    assert instance_site(sandbox_server, tokens.json()["access_token"]) == two_sites[0]["id"]


def test_redirect_url_must_match_the_registered_one(sandbox, browser, two_sites):
    app = legacy_app(sandbox)
    response = browser(
        "GET",
        "/installer/install",
        params={"appId": app["appId"], "redirectUrl": "https://evil.test/cb", "state": "x"},
    )
    assert response.status_code == 400


def verify_instance(signed: str, secret: str) -> dict:
    signature, payload = signed.split(".", 1)
    expected = hmac.new(secret.encode(), payload.encode(), hashlib.sha256).digest()
    given = base64.urlsafe_b64decode(signature + "=" * (-len(signature) % 4))
    assert hmac.compare_digest(expected, given)
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


def test_oauth_external_install_flow_adds_ids_and_no_signed_instance(
    sandbox, sandbox_server, browser, two_sites
):
    """wix-api.md §10: Wix appends appId, tenantId and instanceId to postInstallationUrl;
    no source shows a signed ``instance`` there. The instance is proven by a token for it
    and /apps/v1/instance naming tenantId as its site."""
    app = sandbox.register_app(auth_flow="oauth", post_installation_url=f"{APP}/registered")
    start = browser(
        "GET",
        "/installer/install",
        params={"appId": app["appId"], "postInstallationUrl": f"{APP}/wizard/callback?state=st9"},
    )
    done = pick_and_allow(browser, start, two_sites[1]["id"])
    target, params = location(done)
    assert target == f"{APP}/wizard/callback"
    assert params["state"] == "st9" and params["appId"] == app["appId"]
    assert params["tenantId"] == two_sites[1]["id"]
    assert "instance" not in params
    token = requests.post(
        sandbox_server.url + "/oauth2/token",
        json={
            "grant_type": "client_credentials",
            "client_id": app["appId"],
            "client_secret": app["appSecret"],
            "instance_id": params["instanceId"],
        },
        timeout=10,
    ).json()["access_token"]
    assert instance_site(sandbox_server, token) == two_sites[1]["id"]


def test_oauth_install_from_app_market_goes_to_registered_url(sandbox, browser, two_sites):
    app = sandbox.register_app(auth_flow="oauth", post_installation_url=f"{APP}/dash?from=wix")
    done = pick_and_allow(
        browser, browser("POST", f"/app-market/{app['appId']}/add"), two_sites[0]["id"]
    )
    target, params = location(done)
    assert target == f"{APP}/dash" and params["from"] == "wix"
    assert params["tenantId"] == two_sites[0]["id"] and params["instance"]


def test_signed_instance_on_the_external_flow_is_a_setting(sandbox, browser, two_sites):
    """Wix is silent on a signed instance there: off by default, on when configured."""
    sandbox.config(post_install_signed_instance=True)
    app = sandbox.register_app(auth_flow="oauth", post_installation_url=f"{APP}/registered")
    start = browser(
        "GET",
        "/installer/install",
        params={"appId": app["appId"], "postInstallationUrl": f"{APP}/wizard/callback?state=s"},
    )
    _target, params = location(pick_and_allow(browser, start, two_sites[0]["id"]))
    payload = verify_instance(params["instance"], app["appSecret"])
    assert payload["instanceId"] == params["instanceId"]
    assert {"signDate", "uid", "permissions", "siteOwnerId"} <= set(payload)


def test_single_site_skips_the_picker(sandbox, browser):
    site = sandbox.create_site("Only Shop")
    app = legacy_app(sandbox)
    start = browser("POST", f"/app-market/{app['appId']}/add")
    path, query = location(start)
    skipped = browser("GET", f"{path}?request={query['request']}")
    path, _ = location(skipped)
    assert path == "/installer/consent"
    consent = browser("GET", skipped.headers["Location"])
    assert site["name"] in consent.text


@pytest.mark.parametrize(
    ("flow", "start_params", "expected"),
    [
        (
            "legacy",
            {"redirectUrl": f"{APP}/wizard/callback", "state": "q"},
            {"error": "access_denied", "state": "q"},
        ),
        ("oauth", {"postInstallationUrl": f"{APP}/wizard/callback"}, {"error": "access_denied"}),
    ],
)
def test_cancel_at_consent_returns_access_denied(
    sandbox, browser, two_sites, flow, start_params, expected
):
    app = legacy_app(sandbox) if flow == "legacy" else sandbox.register_app(auth_flow="oauth")
    start = browser("GET", "/installer/install", params={"appId": app["appId"], **start_params})
    _path, query = location(start)
    browser(
        "POST",
        "/installer/choose",
        data={"request": query["request"], "siteId": two_sites[0]["id"]},
    )
    canceled = browser(
        "POST", "/installer/consent", data={"request": query["request"], "decision": "cancel"}
    )
    target, params = location(canceled)
    assert target == f"{APP}/wizard/callback"
    assert expected.items() <= params.items() and "code" not in params
    assert sandbox.installations() == []


def test_cancel_from_app_market_returns_to_the_app_page(sandbox, browser, two_sites):
    app = legacy_app(sandbox)
    _path, query = location(browser("POST", f"/app-market/{app['appId']}/add"))
    browser(
        "POST",
        "/installer/choose",
        data={"request": query["request"], "siteId": two_sites[0]["id"]},
    )
    canceled = browser(
        "POST", "/installer/consent", data={"request": query["request"], "decision": "cancel"}
    )
    assert location(canceled)[0] == f"/app-market/{app['appId']}"


def test_removing_the_app_in_the_dashboard_revokes_everything(
    sandbox, sandbox_server, browser, two_sites
):
    app = legacy_app(sandbox)
    site_id = two_sites[0]["id"]
    install = sandbox.install(app["appId"], site_id)
    tokens = exchange(
        sandbox_server, app, grant_type="authorization_code", code=install["code"]
    ).json()
    unused_code = sandbox.new_code(install["instanceId"])
    apps_page = browser("GET", f"/dashboard/{site_id}/apps")
    assert "Remove app" in apps_page.text
    removed = browser("POST", f"/dashboard/{site_id}/apps/{install['instanceId']}/remove")
    assert removed.status_code == 302
    headers = {"Authorization": tokens["access_token"]}
    assert (
        requests.get(
            sandbox_server.url + "/apps/v1/instance", headers=headers, timeout=10
        ).status_code
        == 401
    )
    refreshed = exchange(
        sandbox_server, app, grant_type="refresh_token", refresh_token=tokens["refresh_token"]
    )
    assert refreshed.status_code == 400 and refreshed.json()["error"] == "invalid_grant"
    code = exchange(sandbox_server, app, grant_type="authorization_code", code=unused_code)
    assert code.json()["error"] == "invalid_grant"
    again = sandbox.install(app["appId"], site_id)
    assert again["instanceId"] == install["instanceId"]  # a reinstall keeps the instance id


def test_wrong_client_secret_is_invalid_client(sandbox, sandbox_server, two_sites):
    app = legacy_app(sandbox)
    code = sandbox.install(app["appId"], two_sites[0]["id"])["code"]
    response = requests.post(
        sandbox_server.url + "/oauth/access",
        json={
            "grant_type": "authorization_code",
            "client_id": app["appId"],
            "client_secret": "no",
            "code": code,
        },
        timeout=10,
    )
    assert response.status_code == 401 and response.json()["error"] == "invalid_client"

"""Logging in and out, and what a logged-out visitor can reach."""

import pytest

from wixoms.views.access import PUBLIC_ENDPOINTS


def test_login_page_renders(client):
    response = client.get("/login")
    assert response.status_code == 200
    assert b"Log in" in response.data


def test_admin_logs_in_and_sees_dashboard(logged_in):
    response = logged_in.get("/")
    assert response.status_code == 200
    assert b"Dashboard" in response.data
    assert b"Acme" in response.data


@pytest.mark.parametrize(
    ("email", "password", "message"),
    [
        ("", "x", b"Enter your email."),
        ("admin@acme.test", "", b"Enter your password."),
        ("not-an-email", "x", b"Enter a valid email"),
        ("a" * 260 + "@x.com", "x", b"at most 254 characters"),
        ("admin@acme.test", "wrong password", b"Wrong email or password."),
        ("nobody@acme.test", "whatever1", b"Wrong email or password."),
    ],
)
def test_login_rejects_bad_input_with_a_message(auth, client, email, password, message):
    response = auth.login(email, password)
    assert response.status_code in (401, 422)
    assert message in response.data


def test_login_does_not_redirect_offsite(auth, client, world):
    response = client.post(
        "/login?next=//evil.example/x", data={"email": "admin@acme.test", "password": auth_pw()}
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def auth_pw():
    from tests.fixtures.app import PASSWORD

    return PASSWORD


def test_logout_ends_the_session(logged_in, auth):
    auth.logout()
    response = logged_in.get("/")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_every_non_public_route_redirects_to_login_when_logged_out(app, client):
    checked = 0
    for rule in app.url_map.iter_rules():
        if rule.endpoint in PUBLIC_ENDPOINTS:
            continue
        url = rule.build({arg: 1 for arg in rule.arguments}, append_unknown=False)[1]
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            response = client.open(url, method=method)
            assert response.status_code == 302, (method, url, response.status_code)
            assert "/login" in response.headers["Location"], (method, url)
            checked += 1
    assert checked >= 10


def test_logged_out_visitor_returns_where_they_were_after_login(client, world):
    response = client.get("/orders/")
    assert response.status_code == 302
    login_url = response.headers["Location"]
    assert "next=" in login_url
    response = client.post(login_url, data={"email": "admin@acme.test", "password": auth_pw()})
    assert response.headers["Location"] == "/orders/"


def test_csrf_less_post_is_refused(client, world):
    response = client.post(
        "/login", data={"email": "admin@acme.test", "password": auth_pw()}, csrf=False
    )
    assert response.status_code == 400
    assert b"security token" in response.data


@pytest.mark.parametrize("path", ["/orders/?q=%00", "/products/?q=a%00b"])
def test_nul_character_in_a_query_is_a_clear_400(logged_in, path):
    response = logged_in.get(path)
    assert response.status_code == 400
    assert b"invalid character" in response.data


def test_nul_character_in_a_form_is_a_clear_400_and_nothing_is_stored(logged_in):
    response = logged_in.post("/warehouses/new", data={"code": "W\x001", "name": "North"})
    assert response.status_code == 400
    assert b"invalid character" in response.data
    assert b"North" not in logged_in.get("/warehouses/").data

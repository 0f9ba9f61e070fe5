"""Sessions and login: throttling, the same work for unknown emails, sessions that end, Secure
cookies, no common passwords, and a user without an account."""

from __future__ import annotations

import uuid

import pytest
import redis

from tests.fixtures.app import PASSWORD, make_user
from tests.security.conftest import login
from wixoms.extensions import db
from wixoms.models import Account, User


def _wrong(client, email="admin@acme.test", **kw):
    return client.post("/login", data={"email": email, "password": "not it"}, **kw)


def test_a_user_with_no_account_gets_the_403_page(app, client, world):
    with app.app_context():
        admin = db.session.get(User, world.admin.id)
        user = User(email="lonely@acme.test", name="Lonely", password_hash=admin.password_hash)
        db.session.add(user)
        db.session.commit()
    login(client, "lonely@acme.test")
    response = client.get("/")
    assert response.status_code == 403
    assert b"Your user belongs to no account. Ask an admin to add you." in response.data
    assert b">Log out</button>" in response.data  # not a link back to this same page
    assert b'id="account-select"' not in response.data  # no empty account picker


def test_a_session_saved_before_logout_no_longer_works(client, world):
    login(client, world.admin.email)
    saved = client.get_cookie("wixoms_session").value
    assert client.post("/logout").status_code == 302
    client.set_cookie("wixoms_session", saved)
    response = client.get("/")
    assert response.status_code == 302
    assert response.location.startswith("/login")


def test_a_password_change_ends_the_sessions_of_that_user(app, client, world):
    login(client, world.admin.email)
    assert client.get("/").status_code == 200
    with app.app_context():
        db.session.get(User, world.admin.id).set_password("a brand new passphrase 42")
        db.session.commit()
    response = client.get("/")
    assert response.status_code == 302 and response.location.startswith("/login")


def test_login_is_throttled_per_email_and_says_when_to_retry(client, world):
    for _ in range(5):
        assert _wrong(client).status_code == 401
    response = client.post("/login", data={"email": "admin@acme.test", "password": PASSWORD})
    assert response.status_code == 429
    assert int(response.headers["Retry-After"]) > 0
    assert b"Too many failed logins" in response.data
    assert client.get("/").status_code == 302  # the right password did not log in


def test_another_email_is_not_blocked_by_someone_elses_failures(client, world):
    for _ in range(5):
        _wrong(client)
    login(client, world.operator.email)


def test_login_is_throttled_per_address_across_emails(client, world):
    for n in range(20):
        assert _wrong(client, email=f"guess{n}@acme.test").status_code == 401
    response = _wrong(client, email="another-guess@acme.test")
    assert response.status_code == 429
    assert "Retry-After" in response.headers


def test_the_throttle_counts_in_redis_when_configured(make_app, world):
    """Several web processes share one count: two apps on one Redis see each other's tries."""
    try:
        redis.Redis.from_url("redis://127.0.0.1:6379/0").ping()
    except redis.RedisError:
        pytest.skip("no Redis at 127.0.0.1:6379")
    prefix = f"wixoms-test-{uuid.uuid4().hex}"
    config = {"RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/0", "RATELIMIT_KEY_PREFIX": prefix}
    first, second = make_app(**config).test_client(), make_app(**config).test_client()
    for client in (first, second, first, second, first):
        assert _wrong(client).status_code == 401
    assert _wrong(second).status_code == 429
    store = redis.Redis.from_url("redis://127.0.0.1:6379/0")
    for key in store.scan_iter(f"*{prefix}*"):
        store.delete(key)


def test_an_unknown_email_costs_a_password_check_too(app, client, world, monkeypatch):
    """The same work for unknown emails (bench/login_timing.py measures the times)."""
    from wixoms.models import account

    checked = []
    real = account.check_password_hash
    monkeypatch.setattr(
        account, "check_password_hash", lambda h, p: checked.append(h) or real(h, p)
    )
    assert _wrong(client, email="nobody@acme.test").status_code == 401
    assert len(checked) == 1


def test_the_session_cookie_is_secure_in_production(make_app, world):
    client = make_app(TESTING=False).test_client()
    response = client.post("/login", data={"email": "admin@acme.test", "password": PASSWORD})
    cookie = response.headers["Set-Cookie"]
    assert "wixoms_session=" in cookie and "Secure" in cookie and "HttpOnly" in cookie


def test_the_session_cookie_can_be_sent_over_http_when_configured(make_app, world):
    client = make_app(TESTING=False, SESSION_COOKIE_SECURE=False).test_client()
    response = client.post("/login", data={"email": "admin@acme.test", "password": PASSWORD})
    assert "Secure" not in response.headers["Set-Cookie"]


@pytest.mark.parametrize(
    ("password", "reason"),
    [
        ("password123", "This is a very common password."),
        ("qwertyuiop", "common password"),
        ("Password1!", "similar to a commonly used password"),
        ("newuser@acme.test", "too easy to guess"),
    ],
)
def test_create_user_refuses_common_passwords(app, password, reason):
    result = app.test_cli_runner().invoke(
        args=[
            "wixoms",
            "create-user",
            "--email",
            "newuser@acme.test",
            "--password",
            password,
            "--account",
            "Acme",
        ]  # fmt: skip
    )
    assert result.exit_code != 0
    assert reason in result.output
    with app.app_context():
        assert db.session.scalar(db.select(User).where(User.email == "newuser@acme.test")) is None


def test_create_user_accepts_a_strong_password(app):
    result = app.test_cli_runner().invoke(
        args=[
            "wixoms",
            "create-user",
            "--email",
            "new@acme.test",
            "--password",
            "violet tractor harbour 7",
            "--account",
            "Acme",
        ]  # fmt: skip
    )
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert db.session.scalar(db.select(Account).where(Account.name == "Acme")) is not None


def test_make_user_helper_still_logs_in(app, client, world):
    with app.app_context():
        acme = db.session.get(Account, world.acme.id)
        make_user("third@acme.test", acme, "operator")
        db.session.commit()
    login(client, "third@acme.test")

"""Configuration: safe defaults, WIXOMS_* environment variables, secrets kept in instance/."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from cryptography.fernet import Fernet
from flask import Flask

DEFAULTS: dict[str, object] = {
    # Database errors are logged without their values (tokens, buyers' data): the SQL is enough.
    "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True, "hide_parameters": True},
    "MAX_CONTENT_LENGTH": 4 * 1024 * 1024,
    "WTF_CSRF_TIME_LIMIT": None,
    # A name of its own: cookies ignore ports, so on one host the Wix sandbox must not share it.
    "SESSION_COOKIE_NAME": "wixoms_session",
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    # Wix hosts: the real ones by default; the demo and tests point both at the sandbox.
    "WIX_API_BASE": "https://www.wixapis.com",
    "WIX_WWW_BASE": "https://www.wix.com",
    "WIX_APP_ID": "",
    "WIX_APP_SECRET": "",
    "WIX_AUTH_FLOW": "oauth",
    "WIX_PUBLIC_KEY": "",
    # The Api URL field accepts these hosts only, so it cannot point the server elsewhere.
    "WIX_ALLOWED_API_HOSTS": "www.wixapis.com",
    "PUBLIC_URL": "",
    "SCHEDULER_ENABLED": False,
    "WIZARD_TTL_MINUTES": 60,
    "LOGO_MAX_BYTES": 256 * 1024,
    "WEBHOOK_MAX_BYTES": 1024 * 1024,
    # Raw webhook bodies (buyer personal data) are blanked after this many days.
    "WEBHOOK_BODY_RETENTION_DAYS": 30,
    # The Orders list asks for new orders this often (its first page, newest first). An order
    # placed in Wix should show within 2 s; an ask with nothing new is one indexed query → 204.
    "ORDERS_LIVE_SECONDS": 1,
    # The inventory push reads Wix's quantities back this often and fixes any drift (0: always).
    "INVENTORY_RECONCILE_HOURS": 24,
    # Processes that run syncs (the scheduler, `flask wixoms sync`) lower their CPU priority by
    # this much (os.nice), so on a small machine the web workers answer /hooks and pages first.
    "SYNC_PROCESS_NICE": 10,
    # Failed logins allowed per email and per client address (Flask-Limiter's notation).
    "LOGIN_LIMIT_PER_EMAIL": "5 per 5 minutes",
    "LOGIN_LIMIT_PER_ADDRESS": "20 per 5 minutes",
    # memory:// counts per process; redis://host:6379/0 shares counts between processes.
    "RATELIMIT_STORAGE_URI": "memory://",
    "RATELIMIT_HEADERS_ENABLED": True,
}


def _instance_secret(instance_path: Path, name: str, make: callable) -> str:
    """Read a secret from instance/<name>, generating it once with 0600 permissions."""
    path = instance_path / name
    if path.exists():
        return path.read_text().strip()
    value = make()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(value)
    return value


def _secure_cookies(app: Flask, overrides: dict) -> None:
    """Cookies only over HTTPS in production; tests and `flask run --debug` use plain http.
    WIXOMS_SESSION_COOKIE_SECURE=false allows http in production (the demo does)."""
    given = "SESSION_COOKIE_SECURE" in overrides or "WIXOMS_SESSION_COOKIE_SECURE" in os.environ
    if not given:
        app.config["SESSION_COOKIE_SECURE"] = not (app.testing or app.debug)
    app.config["REMEMBER_COOKIE_SECURE"] = app.config["SESSION_COOKIE_SECURE"]


def load_config(app: Flask, overrides: dict | None) -> None:
    """Fill app.config from defaults, WIXOMS_* variables, instance secrets and overrides."""
    instance = Path(app.instance_path)
    instance.mkdir(parents=True, exist_ok=True)
    app.config.from_mapping(DEFAULTS)
    app.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{instance / 'wixoms.sqlite'}"
    app.config.from_prefixed_env("WIXOMS")
    if "DATABASE_URL" in app.config:
        app.config["SQLALCHEMY_DATABASE_URI"] = app.config["DATABASE_URL"]
    if overrides:
        app.config.update(overrides)
    _secure_cookies(app, overrides or {})
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _instance_secret(
            instance, "secret_key", lambda: secrets.token_hex(32)
        )
    if not app.config.get("ENCRYPTION_KEY"):
        app.config["ENCRYPTION_KEY"] = _instance_secret(
            instance, "encryption_key", lambda: Fernet.generate_key().decode()
        )
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    if uri.startswith("postgresql://"):
        app.config["SQLALCHEMY_DATABASE_URI"] = (
            "postgresql+psycopg://" + uri[len("postgresql://") :]
        )

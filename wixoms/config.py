"""Configuration: safe defaults, WIXOMS_* environment variables, secrets kept in instance/."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from cryptography.fernet import Fernet
from flask import Flask

DEFAULTS: dict[str, object] = {
    "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
    "MAX_CONTENT_LENGTH": 4 * 1024 * 1024,
    "WTF_CSRF_TIME_LIMIT": None,
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

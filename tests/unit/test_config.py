"""Secrets are generated once into instance/ with 0600 permissions, never in the repo."""

import stat

import pytest

from wixoms import create_app


def test_secret_and_encryption_key_generated_once_with_private_permissions(tmp_path):
    config = {"INSTANCE_PATH": str(tmp_path), "SQLALCHEMY_DATABASE_URI": "sqlite://"}
    app1 = create_app(config)
    app2 = create_app(config)
    assert app1.config["SECRET_KEY"] == app2.config["SECRET_KEY"]
    assert app1.config["ENCRYPTION_KEY"] == app2.config["ENCRYPTION_KEY"]
    for name in ("secret_key", "encryption_key"):
        mode = stat.S_IMODE((tmp_path / name).stat().st_mode)
        assert mode == 0o600


def test_environment_overrides_defaults(tmp_path, monkeypatch):
    monkeypatch.setenv("WIXOMS_WIX_API_BASE", "http://127.0.0.1:9")
    monkeypatch.setenv("WIXOMS_DATABASE_URL", "postgresql://u@h/db")
    app = create_app({"INSTANCE_PATH": str(tmp_path)})
    assert app.config["WIX_API_BASE"] == "http://127.0.0.1:9"
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u@h/db"


def test_a_queue_mode_that_cannot_work_is_refused_at_start_saying_what_to_set(tmp_path):
    base = {"INSTANCE_PATH": str(tmp_path), "SQLALCHEMY_DATABASE_URI": "sqlite://"}
    with pytest.raises(RuntimeError, match="WIXOMS_QUEUE='rabbit' is not one of embedded, celery"):
        create_app({**base, "QUEUE": "rabbit"})
    with pytest.raises(RuntimeError, match="WIXOMS_QUEUE=celery needs WIXOMS_REDIS_URL"):
        create_app({**base, "QUEUE": "celery"})
    assert create_app({**base, "QUEUE": "celery", "REDIS_URL": "redis://127.0.0.1:9/0"})

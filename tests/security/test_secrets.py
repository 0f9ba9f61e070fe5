"""Secrets stay out of logs, and internal errors reach the server log, not the merchant's page."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from sqlalchemy import text

from tests.fixtures.app import TEST_KEY, LiveServer
from tests.integration.views.builders import add_channel
from tests.security.conftest import login
from wixoms.extensions import db
from wixoms.logs import redact
from wixoms.sync import runs
from wixoms.sync.runs import run_now

ROOT = Path(__file__).resolve().parents[2]
HOOK_TOKEN = "hk_" + "S3cr3tT0ken" * 3
SIGNED = "c2lnbmF0dXJl.eyJpbnN0YW5jZUlkIjoiYWJjIn0"


@pytest.mark.parametrize(
    ("line", "secret"),
    [
        (f'"POST /hooks/{HOOK_TOKEN} HTTP/1.1" 200', HOOK_TOKEN),
        (f"GET /wizard/callback?appId=a&instance={SIGNED}&state=st4te HTTP/1.1", SIGNED),
        ("GET /wizard/callback?state=st4te-value&code=0ne-time-code", "0ne-time-code"),
        ("GET /wizard/app-url?token=install-token-123", "install-token-123"),
        ('body {"access_token": "eyJ.tok.en", "refresh_token": "r3fresh"}', "eyJ.tok.en"),
        ("headers {'Authorization': 'Bearer eyJ.tok.en'}", "eyJ.tok.en"),
        ("Authorization: OAUTH2.secret-token", "OAUTH2.secret-token"),
    ],
)
def test_secrets_are_redacted_from_log_lines(line, secret):
    assert secret not in redact(line) and "[redacted]" in redact(line)


def test_deliveries_and_replay_urls_keep_their_ids():
    line = "GET /hooks/endpoints/12/deliveries and POST /hooks/events/7/replay"
    assert redact(line) == line


def test_the_app_log_and_tracebacks_are_redacted(app, caplog):
    log = logging.getLogger("wixoms.test")
    with caplog.at_level(logging.INFO):
        log.info("delivery at %s", f"/hooks/{HOOK_TOKEN}")
        try:
            raise ValueError("bad instance=%s" % SIGNED)  # noqa: UP031
        except ValueError:
            log.exception("failed")
    assert HOOK_TOKEN not in caplog.text and SIGNED not in caplog.text
    assert "/hooks/[redacted]" in caplog.text


def test_the_development_server_access_log_is_redacted(make_app, caplog):
    server = LiveServer(make_app()).start()
    try:
        with caplog.at_level(logging.INFO, logger="werkzeug"):
            requests.post(f"{server.url}/hooks/{HOOK_TOKEN}", data=b"{}", timeout=10)
            requests.get(f"{server.url}/wizard/callback?instance={SIGNED}", timeout=10)
    finally:
        server.stop()
    assert "/hooks/[redacted]" in caplog.text
    assert HOOK_TOKEN not in caplog.text and SIGNED not in caplog.text


def test_the_gunicorn_access_log_of_the_production_command_is_redacted(tmp_path):
    """`gunicorn ... --access-logfile - 'wsgi:app'` as the README runs it."""
    from tests.security.ports import free_port

    port = free_port()
    env = {
        **os.environ,
        "WIXOMS_DATABASE_URL": f"sqlite:///{tmp_path}/gunicorn.sqlite",
        "WIXOMS_SECRET_KEY": "gunicorn-test",
        "WIXOMS_ENCRYPTION_KEY": TEST_KEY,
    }
    subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wixoms", "db", "upgrade"],
        cwd=ROOT, env=env, check=True, capture_output=True,
    )  # fmt: skip
    command = [sys.executable, "-m", "gunicorn", "-w", "1", "--threads", "2", "-b",
               f"127.0.0.1:{port}", "--access-logfile", "-", "wsgi:app"]  # fmt: skip
    process = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                requests.get(f"{base}/health", timeout=5)
                break
            except requests.RequestException:
                time.sleep(0.1)
        requests.post(f"{base}/hooks/{HOOK_TOKEN}", data=b"{}", timeout=10)
        requests.get(f"{base}/wizard/callback?instance={SIGNED}&state=x", timeout=10)
        time.sleep(0.3)
    finally:
        process.terminate()
        output = process.communicate(timeout=20)[0]
    assert "/hooks/[redacted]" in output, output[-2000:]
    assert HOOK_TOKEN not in output and SIGNED not in output


def _crash_with_sql(ctx) -> None:
    """A real database error whose statement and parameters hold a buyer's email."""
    db.session.execute(text("SELECT * FROM no_such_table WHERE email = :e"), {"e": "jane@x.test"})


def test_an_internal_error_shows_a_plain_message_and_logs_the_details(
    app, client, world, monkeypatch, caplog
):
    channel_id = add_channel(app, world.acme.id)
    runs.load_sync_modules()
    monkeypatch.setitem(runs.SYNC_FUNCTIONS, "orders", _crash_with_sql)
    with app.app_context(), caplog.at_level(logging.ERROR):
        run = run_now(channel_id, "orders")
        assert run.state == "failed"
    assert "no_such_table" in caplog.text  # the details are in the server log
    login(client, world.admin.email)
    pages = [
        client.get(f"/channels/{channel_id}/sync-log").get_data(as_text=True),
        client.get(f"/channels/{channel_id}/sync-log/{run.id}").get_data(as_text=True),
        client.get(f"/channels/{channel_id}").get_data(as_text=True),
        client.get("/").get_data(as_text=True),
    ]
    for html in pages:
        assert "no_such_table" not in html and "jane@x.test" not in html
        assert "SELECT" not in html
    assert "An internal error stopped this." in pages[0]

"""wixoms started as in production, for the journey: a private PostgreSQL database migrated with
``flask db upgrade``, gunicorn (threaded workers, as the README runs it), the scheduler as its
own process (``flask wixoms scheduler``), and the Wix sandbox as a subprocess.

Nothing here imports the app: the processes are configured only through WIXOMS_* variables.
"""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
import time
from contextlib import ExitStack, closing
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import requests
from cryptography.fernet import Fernet
from sqlalchemy import create_engine, text

ROOT = Path(__file__).resolve().parents[3]
BIN = Path(sys.executable).parent
DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
APP_ID = "0c6f7c52-5d0e-4a53-9f6c-3a1d2b9e7f01"
ADMIN_EMAIL = "merchant@journey.test"
ACCOUNT = "Acme Outdoor"


def pg_base_url() -> str:
    """The PostgreSQL server the tests use (WIXOMS_TEST_DATABASE_URL, PG_TEST_URL, default)."""
    return os.environ.get("WIXOMS_TEST_DATABASE_URL") or os.environ.get("PG_TEST_URL") or DEFAULT_PG


def pg_unreachable(url: str | None = None) -> str | None:
    """Why PostgreSQL cannot be used (None when it can)."""
    try:
        engine = create_engine(url or pg_base_url(), connect_args={"connect_timeout": 3})
        with engine.connect() as conn:
            conn.execute(text("select 1"))
        engine.dispose()
    except Exception as exc:  # any failure means: not usable
        return f"PostgreSQL at {url or pg_base_url()} is unreachable ({type(exc).__name__})"
    return None


def _with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}", query=""))


def free_port() -> int:
    with closing(socket.socket()) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_http(url: str, timeout: float = 30.0, process: subprocess.Popen | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"{process.args[:3]} exited with {process.returncode}")
        try:
            requests.get(url, timeout=1)
            return
        except requests.RequestException:
            time.sleep(0.1)
    raise TimeoutError(f"{url} did not answer within {timeout:.0f} s")


@dataclass
class Stack:
    """The running processes and how to reach them."""

    logs: Path
    auth_flow: str = "oauth"
    live_seconds: int | None = None  # WIXOMS_ORDERS_LIVE_SECONDS; None: the production default
    password: str = field(default_factory=lambda: secrets.token_urlsafe(12))
    database_url: str = ""
    app_url: str = ""
    wix_url: str = ""
    env: dict[str, str] = field(default_factory=dict)
    _exit: ExitStack = field(default_factory=ExitStack)
    _web: subprocess.Popen | None = None

    # -- lifecycle -----------------------------------------------------------------------
    def __enter__(self) -> Stack:
        self.logs.mkdir(parents=True, exist_ok=True)
        try:
            self._database()
            self._sandbox()
            self._configure()
            self._flask("db", "upgrade")
            self._flask("wixoms", "create-user", "--email", ADMIN_EMAIL, "--password",
                        self.password, "--account", ACCOUNT, "--name", "Merchant")  # fmt: skip
            self.start_web()
            self._start("scheduler", [str(BIN / "flask"), "--app", "wixoms", "wixoms", "scheduler"])
        except BaseException:
            self._exit.close()
            raise
        return self

    def __exit__(self, *exc) -> None:
        self._exit.close()

    def _database(self) -> None:
        base = pg_base_url()
        name = f"wixoms_journey_{os.getpid()}"
        admin = create_engine(_with_database(base, "postgres"), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{name}"'))

        def drop() -> None:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()

        self._exit.callback(drop)
        self.database_url = _with_database(base, name)

    def _start(self, name: str, argv: list[str], **env: str) -> subprocess.Popen:
        log = open(self.logs / f"{name}.log", "ab")  # noqa: SIM115 - closed on exit
        process = subprocess.Popen(
            argv, cwd=ROOT, env={**os.environ, **self.env, **env}, stdout=log,
            stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip

        def stop() -> None:
            if process.poll() is None:
                process.terminate()
                try:
                    process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()
            log.close()

        self._exit.callback(stop)
        return process

    def _sandbox(self) -> None:
        port = free_port()
        self.wix_url = f"http://127.0.0.1:{port}"
        process = self._start(
            "sandbox", [sys.executable, "-m", "wixoms.sandbox", "--port", str(port)]
        )
        wait_http(f"{self.wix_url}/_sandbox/config", process=process)

    def _configure(self) -> None:
        self.app_port = free_port()
        self.app_url = f"http://127.0.0.1:{self.app_port}"
        self.app_secret = secrets.token_urlsafe(24)
        self.register_app()
        public_key = requests.get(
            f"{self.wix_url}/_sandbox/apps/{APP_ID}/public-key", timeout=10
        ).text
        self.env = {
            "FLASK_APP": "wixoms",
            "WIXOMS_DATABASE_URL": self.database_url,
            "WIXOMS_SECRET_KEY": secrets.token_hex(32),
            "WIXOMS_ENCRYPTION_KEY": Fernet.generate_key().decode(),
            "WIXOMS_WIX_APP_ID": APP_ID,
            "WIXOMS_WIX_APP_SECRET": self.app_secret,
            "WIXOMS_WIX_AUTH_FLOW": self.auth_flow,
            "WIXOMS_WIX_PUBLIC_KEY": public_key,
            "WIXOMS_WIX_API_BASE": self.wix_url,
            "WIXOMS_WIX_WWW_BASE": self.wix_url,
            "WIXOMS_WIX_ALLOWED_API_HOSTS": f"www.wixapis.com,{urlsplit(self.wix_url).netloc}",
            "WIXOMS_PUBLIC_URL": self.app_url,
            "WIXOMS_SCHEDULER_ENABLED": "false",
            # Plain http on loopback (as `make demo`); production cookies are Secure only.
            "WIXOMS_SESSION_COOKIE_SECURE": "false",
        }
        if self.live_seconds is not None:
            self.env["WIXOMS_ORDERS_LIVE_SECONDS"] = str(self.live_seconds)

    def register_app(self) -> None:
        """Register (or re-register) the wixoms app in the sandbox with the stack's auth flow."""
        response = requests.post(
            f"{self.wix_url}/_sandbox/apps",
            json={
                "appId": APP_ID, "appSecret": self.app_secret, "name": "wixoms",
                "authFlow": self.auth_flow,
                "appUrl": f"{self.app_url}/wizard/app-url",
                "redirectUrl": f"{self.app_url}/wizard/callback",
                "postInstallationUrl": f"{self.app_url}/wizard/callback",
                # The app's one webhook URL, registered once by whoever runs wixoms (issue 16).
                "webhookUrl": f"{self.app_url}/hooks/wix",
            },
            timeout=10,
        )  # fmt: skip
        response.raise_for_status()

    def _flask(self, *args: str) -> None:
        subprocess.run(
            [str(BIN / "flask"), "--app", "wixoms", *args], cwd=ROOT,
            env={**os.environ, **self.env}, check=True, capture_output=True, timeout=120,
        )  # fmt: skip

    def start_web(self) -> None:
        """gunicorn as the README runs it (threaded workers), scheduler off in the web workers."""
        argv = [str(BIN / "gunicorn"), "-w", "2", "--threads", "4", "-b",
                f"127.0.0.1:{self.app_port}", "wsgi:app"]  # fmt: skip
        self._web = self._start("gunicorn", argv)
        wait_http(f"{self.app_url}/health", process=self._web)

    def server_errors(self) -> list[str]:
        """Tracebacks the web and scheduler processes logged (none expected)."""
        found = []
        for name in ("gunicorn", "scheduler"):
            log = self.logs / f"{name}.log"
            text = log.read_text(errors="replace") if log.exists() else ""
            found += [f"{name}: {chunk[:400]}" for chunk in text.split("Traceback")[1:]]
        return found

    def switch_auth_flow(self, flow: str) -> None:
        """The deployment changes its Wix auth flow: app re-registered, gunicorn restarted."""
        self.auth_flow = flow
        self.env["WIXOMS_WIX_AUTH_FLOW"] = flow
        self.register_app()
        if self._web is not None:
            self._web.terminate()
            self._web.wait(timeout=15)
        self.start_web()

"""Run the sandbox as a real HTTP server in a background thread (tests, benchmarks, demo)."""

from __future__ import annotations

import threading

from flask import Flask
from werkzeug.serving import BaseWSGIServer, make_server

from . import create_sandbox_app


class SandboxServer:
    """`with SandboxServer() as server: requests.get(server.url + "/…")`."""

    def __init__(
        self,
        config: dict | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        app: Flask | None = None,
    ) -> None:
        self.app = app or create_sandbox_app(config)
        self.host = host
        self.port = port
        self._server: BaseWSGIServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        """Base URL, e.g. http://127.0.0.1:51234 (plays both www.wixapis.com and www.wix.com)."""
        if self._server is None:
            raise RuntimeError("the sandbox server is not running")
        return f"http://{self.host}:{self._server.server_port}"

    @property
    def store(self):
        return self.app.extensions["wix_sandbox"]

    def start(self) -> SandboxServer:
        if self._server is None:
            self._server = make_server(self.host, self.port, self.app, threaded=True)
            self._thread = threading.Thread(
                target=self._server.serve_forever, name="wix-sandbox", daemon=True
            )
            self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> SandboxServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

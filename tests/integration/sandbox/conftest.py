"""Helpers for the sandbox's HTTP tests: a site with the app installed and a Wix API session."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
import requests


@dataclass
class Connected:
    """A site with an app installed and an authorised session on the API host."""

    base: str
    site: dict
    app: dict
    instance_id: str
    token: str
    http: requests.Session

    def call(self, method: str, path: str, **kw) -> requests.Response:
        return self.http.request(method, self.base + path, timeout=10, **kw)

    def post(self, path: str, body: dict | None = None) -> requests.Response:
        return self.call("POST", path, json=body or {})

    def get(self, path: str) -> requests.Response:
        return self.call("GET", path)


@pytest.fixture
def connect(sandbox, sandbox_server) -> Callable[..., Connected]:
    """connect("V1_CATALOG") → a fresh site with an oauth app installed and a real token."""

    def _connect(catalog: str = "V3_CATALOG", name: str = "Test Site", **app) -> Connected:
        site = sandbox.create_site(name, catalog)
        registered = sandbox.register_app(auth_flow="oauth", **app)
        install = sandbox.install(registered["appId"], site["id"])
        token = requests.post(
            sandbox_server.url + "/oauth2/token",
            json={
                "grant_type": "client_credentials",
                "client_id": registered["appId"],
                "client_secret": registered["appSecret"],
                "instance_id": install["instanceId"],
            },
            timeout=10,
        ).json()["access_token"]
        http = requests.Session()
        http.headers["Authorization"] = token
        return Connected(sandbox_server.url, site, registered, install["instanceId"], token, http)

    return _connect

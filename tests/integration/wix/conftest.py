"""The wix client against the live sandbox: a registered app, a site per test, a client."""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest

from wixoms.wix import AuthFlow, Credentials, WixApp, WixClient
from wixoms.wix.catalog_v3 import revision_cache
from wixoms.wix.tokens import token_registry
from wixoms.wix.transport import rate_limiters

CATALOGS = ["V1_CATALOG", "V3_CATALOG"]


@dataclass
class Connected:
    """A sandbox site with the app installed, and a client for it."""

    app: WixApp
    site: dict
    install: dict
    client: WixClient
    persisted: list[Credentials]

    @property
    def site_id(self) -> str:
        return self.site["id"]


@pytest.fixture(autouse=True)
def _fresh_registries() -> Iterator[None]:
    for registry in (token_registry, rate_limiters, revision_cache):
        registry.clear()
    yield


@pytest.fixture
def register(sandbox, sandbox_server) -> Callable[..., WixApp]:
    def _register(auth_flow: str = "oauth") -> WixApp:
        doc = sandbox.register_app(
            app_id=f"app-{secrets.token_hex(4)}",
            app_secret=secrets.token_urlsafe(16),
            auth_flow=auth_flow,
        )
        return WixApp(
            doc["appId"],
            doc["appSecret"],
            AuthFlow(auth_flow),
            api_base=sandbox_server.url,
            www_base=sandbox_server.url,
            public_key_pem=doc["publicKey"],
        )

    return _register


@pytest.fixture
def connect(sandbox, register) -> Iterator[Callable[..., Connected]]:
    """connect(catalog="V3_CATALOG", auth_flow="oauth", **client_kw) → Connected."""
    clients: list[WixClient] = []

    def _connect(catalog: str = "V3_CATALOG", auth_flow: str = "oauth", **kw) -> Connected:
        app = register(auth_flow)
        site = sandbox.create_site(f"Shop {secrets.token_hex(2)}", catalog)
        install = sandbox.install(app.app_id, site["id"])
        persisted: list[Credentials] = []
        kw.setdefault("plan", "pro")
        kw.setdefault("location_id", site.get("locationId"))
        client = WixClient(
            app,
            instance_id=install["instanceId"],
            credentials=None,
            on_credentials=persisted.append,
            **kw,
        )
        clients.append(client)
        return Connected(app, site, install, client, persisted)

    yield _connect
    for client in clients:
        client.close()

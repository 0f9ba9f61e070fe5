"""The wizard's world: live wixoms registered in the live sandbox, two sites, a visitor."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.fixtures.app import LiveServer
from tests.integration.wizard.wizard_kit import Env, Visitor


@pytest.fixture(params=["oauth", "legacy"])
def flow(request) -> str:
    return request.param


def _env(make_app, wix_config, register_wix_app, sandbox, sandbox_server, flow, **config):
    app = make_app(**{**wix_config, "WIX_AUTH_FLOW": flow, **config})
    server = LiveServer(app).start()
    register_wix_app(server.url, auth_flow=flow)
    env = Env(
        app=app,
        url=server.url,
        sandbox=sandbox,
        sandbox_url=sandbox_server.url,
        store=sandbox_server.store,
        flow=flow,
    )
    env.sites["first"] = sandbox.create_site("First Shop", "V3_CATALOG")
    env.sites["second"] = sandbox.create_site("Second Shop", "V1_CATALOG")
    return env, server


@pytest.fixture
def env(
    make_app, wix_config, register_wix_app, sandbox, sandbox_server, world, flow
) -> Iterator[Env]:
    """Both flows: live wixoms registered in the sandbox, two sites (v3 "First", v1 "Second")."""
    made, server = _env(make_app, wix_config, register_wix_app, sandbox, sandbox_server, flow)
    yield made
    server.stop()


@pytest.fixture
def make_env(make_app, wix_config, register_wix_app, sandbox, sandbox_server, world):
    """Build an Env with a given flow and extra wixoms config (one per test)."""
    servers: list[LiveServer] = []

    def _make(flow: str = "oauth", **config) -> Env:
        made, server = _env(
            make_app, wix_config, register_wix_app, sandbox, sandbox_server, flow, **config
        )
        servers.append(server)
        return made

    yield _make
    for server in servers:
        server.stop()


@pytest.fixture
def visitor(env) -> Visitor:
    """A visitor logged in as the Acme admin."""
    v = Visitor(env)
    v.login()
    return v

"""Unit-test world for wixoms.wix: an app, a client with recorded sleeps, mocked HTTP."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta

import pytest
import responses

from wixoms.wix import (
    AuthFlow,
    Credentials,
    RateLimiter,
    RetryPolicy,
    WixApp,
    WixClient,
    resolve_plan,
)
from wixoms.wix.catalog_v3 import revision_cache
from wixoms.wix.tokens import token_registry
from wixoms.wix.transport import rate_limiters

BASE = "https://wix.test"


@pytest.fixture(autouse=True)
def _fresh_registries() -> Iterator[None]:
    token_registry.clear()
    rate_limiters.clear()
    revision_cache.clear()
    yield
    token_registry.clear()
    rate_limiters.clear()
    revision_cache.clear()


@pytest.fixture
def oauth_app() -> WixApp:
    return WixApp("app-1", "s3cret", AuthFlow.OAUTH, api_base=BASE, www_base="https://www.wix.test")


@pytest.fixture
def legacy_app() -> WixApp:
    return WixApp(
        "app-1", "s3cret", AuthFlow.LEGACY, api_base=BASE, www_base="https://www.wix.test"
    )


@pytest.fixture
def mocked() -> Iterator[responses.RequestsMock]:
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        yield rsps


class FakeClock:
    """Monotonic time that only moves when something sleeps; sleeps are recorded."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def sleeps(clock) -> list[float]:
    return clock.sleeps


def fresh_credentials(token: str = "tok-1", minutes: int = 60) -> Credentials:
    return Credentials(token, "refresh-1", datetime.now(UTC) + timedelta(minutes=minutes))


@pytest.fixture
def make_client(oauth_app, clock) -> Callable[..., WixClient]:
    """A client whose sleeps are recorded, not slept; fresh token unless told otherwise."""
    clients: list[WixClient] = []

    def make(**kw) -> WixClient:
        kw.setdefault("instance_id", "inst-1")
        kw.setdefault("credentials", fresh_credentials())
        kw.setdefault("plan", "pro")
        kw.setdefault("retry", RetryPolicy(max_attempts=4, backoff_base=0.5, backoff_max=8))
        kw.setdefault("sleep", clock.sleep)
        plan = resolve_plan(kw["plan"])
        kw.setdefault("rate_limiter", RateLimiter.for_plan(plan, clock=clock, sleep=clock.sleep))
        client = WixClient(kw.pop("app", oauth_app), **kw)
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.close()

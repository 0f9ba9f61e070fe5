"""Shared fixtures: plugins in tests/fixtures/ build the world (app, users, sandbox, browser)."""

import os
from pathlib import Path

import pytest

_FIXTURES = Path(__file__).parent / "fixtures"
pytest_plugins = [
    f"tests.fixtures.{name}"
    for name in ("app", "sandbox", "wix", "browser")
    if (_FIXTURES / f"{name}.py").exists()
]


def touches_the_database(item: pytest.Item) -> bool:
    """Does this test run against wixoms' test database (directly or through any fixture)?"""
    return "database_url" in getattr(item, "fixturenames", ()) or bool(
        item.get_closest_marker("postgres")
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """The PostgreSQL run repeats only the tests that touch the database.

    The rest (the Wix client, the sandbox, the official-SDK contract, pure units) never reads
    WIXOMS_TEST_DATABASE_URL and already ran on the SQLite pass; running it twice costs minutes
    and checks nothing new. WIXOMS_TEST_PG_ALL=1 runs everything on PostgreSQL anyway.
    """
    if not os.environ.get("WIXOMS_TEST_DATABASE_URL") or os.environ.get("WIXOMS_TEST_PG_ALL"):
        return
    keep = [item for item in items if touches_the_database(item)]
    if len(keep) < len(items):
        kept = set(map(id, keep))
        config.hook.pytest_deselected(items=[item for item in items if id(item) not in kept])
        items[:] = keep

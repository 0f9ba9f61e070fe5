"""Shared fixtures: plugins in tests/fixtures/ build the world (app, users, sandbox, browser)."""

pytest_plugins = [
    "tests.fixtures.app",
]

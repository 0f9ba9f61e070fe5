"""Shared fixtures: plugins in tests/fixtures/ build the world (app, users, sandbox, browser)."""

from pathlib import Path

_FIXTURES = Path(__file__).parent / "fixtures"
pytest_plugins = [
    f"tests.fixtures.{name}"
    for name in ("app", "sandbox", "wix", "browser")
    if (_FIXTURES / f"{name}.py").exists()
]

"""The contract suite needs Node 20 and the pinned official SDK (``make contract-deps``).

Locally a missing install is a visible skip with the command to run; under CI it fails,
so the contract never goes unchecked silently.
"""

from __future__ import annotations

import os

import pytest

from tests.contract.harness import sdk_ready


@pytest.fixture(scope="session")
def official_sdk() -> None:
    missing = sdk_ready()
    if missing is None:
        return
    if os.environ.get("CI"):
        pytest.fail(f"Wix's official SDK is required under CI: {missing}")
    pytest.skip(missing)

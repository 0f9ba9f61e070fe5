"""Browser fixtures shared by the browser tests."""

from tests.browser.merchant_world import merchant  # noqa: F401

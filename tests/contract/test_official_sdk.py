"""Wix's official JavaScript SDK (@wix/sdk and the @wix/auto_sdk_* packages of wix-api.md §10)
talks to the sandbox the way an app talks to real Wix: its fetch is wrapped so that
https://www.wixapis.com goes to the sandbox. Every call and every answer it parses must work.
"""

from __future__ import annotations

import pytest

from tests.contract.harness import prepare_sdk_world, run_sdk_scenarios

SCENARIOS = [
    "auth: client credentials (AppStrategy with instanceId)",
    "auth: legacy code exchange and refresh (AppStrategy)",
    "appInstances.getAppInstance",
    "catalogVersioning.getCatalogVersion",
    "orders.searchOrders with cursor paging",
    "orders.getOrder",
    "fulfillments: create and list",
    "v1: queryProducts (GET query-platformized ?.r=)",
    "v1: updateProduct (PATCH)",
    "v1: incrementInventory and decrementInventory",
    "v3: queryProducts (GET ?.r=) and getProduct with choice names",
    "v3: createProductWithInventory and updateProduct",
    "v3: queryInventoryItems and bulkUpdateInventoryItems",
    "v3: queryStoresLocations (POST): the default and an added one; none on V1",
    "webhooks.process: order_created JWT",
    "webhooks.process: AppRemoved carries appId",
]


@pytest.fixture(scope="module")
def sdk_checks(official_sdk, sandbox_server) -> dict[str, dict]:
    world = prepare_sdk_world(sandbox_server.url)
    return {check["name"]: check for check in run_sdk_scenarios(world)}


def test_every_scenario_ran(sdk_checks):
    assert sorted(sdk_checks) == sorted(SCENARIOS)


@pytest.mark.parametrize("name", SCENARIOS)
def test_official_sdk_against_the_sandbox(sdk_checks, name):
    check = sdk_checks[name]
    assert check["ok"], check["detail"]

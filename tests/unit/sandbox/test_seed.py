"""The seed is deterministic: the same options give the same Wix, different seeds differ."""

from __future__ import annotations

import json

from wixoms.sandbox import create_sandbox_app
from wixoms.sandbox.seed import digest, seed
from wixoms.sandbox.store import Store


def seeded(value: int, **options) -> Store:
    store = Store()
    seed(store, seed_value=value, **options)
    return store


def test_same_seed_gives_the_same_world():
    assert digest(seeded(7, sites=2, products=6, orders=40)) == digest(
        seeded(7, sites=2, products=6, orders=40)
    )


def test_different_seed_gives_a_different_world():
    assert digest(seeded(1, products=6, orders=10)) != digest(seeded(2, products=6, orders=10))


def test_seed_replaces_previous_sites_and_keeps_apps():
    store = seeded(1, sites=3)
    app = store.register_app({"appId": "app-1"})
    seed(store, sites=1, seed_value=1)
    assert len(store.sites) == 1 and store.apps["app-1"] is app


def test_seed_mixes_catalogs_statuses_and_pickup():
    store = seeded(3, sites=2, catalog="mixed", products=6, orders=200)
    versions = [s.catalog_version for s in store.sites.values()]
    assert versions == ["V1_CATALOG", "V3_CATALOG"]
    orders = [o for o in store.orders.values()]
    assert {o.status for o in orders} == {
        "APPROVED",
        "PENDING",
        "INITIALIZED",
        "CANCELED",
        "REJECTED",
    }
    assert any("pickupDetails" in o.body["shippingInfo"]["logistics"] for o in orders)
    assert any(o.fulfillment_status == "FULFILLED" for o in orders)


def test_seed_command_is_deterministic(tmp_path):
    outputs = []
    for n in range(2):
        app = create_sandbox_app()
        out = tmp_path / f"seed{n}.json"
        result = app.test_cli_runner().invoke(
            args=[
                "seed",
                "--sites",
                "2",
                "--catalog",
                "v1",
                "--products",
                "4",
                "--orders",
                "25",
                "--seed",
                "5",
                "--out",
                str(out),
            ]
        )
        assert result.exit_code == 0, result.output
        outputs.append((json.loads(result.output)["digest"], out.read_text()))
    assert outputs[0] == outputs[1]
    snapshot = json.loads(outputs[0][1])
    assert all(s["catalogVersion"] == "V1_CATALOG" for s in snapshot["sites"].values())
    assert sum(len(s["orders"]) for s in snapshot["sites"].values()) == 50

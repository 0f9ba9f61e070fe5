"""A stock level saved in the OMS reaches Wix at once when the channel pushes inventory by itself
(the journey measured nothing within 60 s: the push waited for its 5-minute slot)."""

from __future__ import annotations

import time

import pytest

from tests.fixtures.app import PASSWORD
from tests.integration.sync.test_inventory_push import Stock
from wixoms.extensions import db
from wixoms.models import SyncRun


@pytest.fixture
def stocked(wix_app, world, sandbox, sandbox_server, connected_channel):
    def _make(**settings) -> Stock:
        channel = connected_channel(catalog="v3", **settings)
        s = Stock(wix_app, sandbox, sandbox_server, channel, world.acme.id)
        s.map_warehouse()
        s.level("TEE-S", 4)
        web = wix_app.test_client()
        web.post("/login", data={"email": "admin@acme.test", "password": PASSWORD})
        s.web = web
        return s

    return _make


def save_on_hand(s: Stock, sku: str, on_hand: int) -> None:
    url = f"/inventory/{s.variants[sku]}/{s.main_id}"
    response = s.web.post(url, data={"on_hand": str(on_hand)})
    assert response.status_code == 302, response.get_data(as_text=True)[-600:]


def inventory_runs(s: Stock) -> list[SyncRun]:
    with s.app.app_context():
        runs = db.session.scalars(db.select(SyncRun).where(SyncRun.kind == "inventory")).all()
        db.session.expunge_all()
        return list(runs)


def wait_for_wix(s: Stock, sku: str, quantity: int, timeout: float = 15.0) -> float:
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        if s.wix_quantities()[sku] == quantity:
            return time.monotonic() - start
        time.sleep(0.1)
    raise AssertionError(f"Wix never showed {quantity} for {sku}: {s.wix_quantities()}")


def test_saved_stock_is_pushed_to_wix_at_once(stocked):
    s = stocked(is_active=True, inventory_auto=True)
    save_on_hand(s, "TEE-S", 17)
    wait_for_wix(s, "TEE-S", 17)
    runs = inventory_runs(s)
    assert [r.trigger for r in runs] == ["stock"]


def test_stock_waits_when_the_channel_does_not_push_inventory_by_itself(stocked):
    s = stocked(is_active=True, inventory_auto=False)
    save_on_hand(s, "TEE-S", 17)
    time.sleep(0.5)
    assert inventory_runs(s) == []
    assert s.wix_quantities()["TEE-S"] != 17


def test_stock_of_an_unmapped_warehouse_pushes_nothing(stocked):
    s = stocked(is_active=True, inventory_auto=True)
    url = f"/inventory/{s.variants['TEE-S']}/{s.other_id}"
    assert s.web.post(url, data={"on_hand": "9"}).status_code == 302
    time.sleep(0.5)
    assert inventory_runs(s) == []

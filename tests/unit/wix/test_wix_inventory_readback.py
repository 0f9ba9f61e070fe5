"""Truth after a timeout: a v3 bulk update whose answer was lost is read back before failing."""

from __future__ import annotations

import requests

from tests.unit.wix.test_wix_catalog import V3, bulk_ok, item
from wixoms.wix import CatalogVersion, VariantRef
from wixoms.wix.catalog_v3 import InventoryItemRef, revision_cache

UPDATE = f"{V3}/bulk/inventory-items/update"
QUERY = f"{V3}/inventory-items/query"
A = VariantRef("p3-1", "a")
MISMATCH = {
    "results": [
        {
            "itemMetadata": {
                "id": "inv-a",
                "originalIndex": 0,
                "success": False,
                "error": {"code": "REVISION_MISMATCH", "description": "stale revision"},
            }
        }
    ]
}


def _cached(revision: str = "1") -> None:
    revision_cache.for_instance("inst-1")[A] = InventoryItemRef("inv-a", revision)


def _in_wix(quantity: int, revision: str = "9") -> dict:
    return {"inventoryItems": [{**item("a", revision=revision), "quantity": quantity}]}


def _updates(mocked) -> int:
    return sum(1 for call in mocked.calls if call.request.url.startswith(UPDATE))


def test_a_timed_out_write_that_wix_applied_is_not_a_revision_mismatch(mocked, make_client):
    """Each write times out, and its retry meets the revision the lost write moved."""
    _cached()
    for _ in range(2):
        mocked.post(UPDATE, body=requests.exceptions.ReadTimeout("read timed out"))
        mocked.post(UPDATE, json=MISMATCH)
    mocked.get(QUERY, json=_in_wix(3))

    result = make_client().catalog(CatalogVersion.V3).set_inventory({A: 3})

    assert result.failed == {}
    assert result.updated == [A]


def test_a_write_never_answered_is_confirmed_by_reading_wix(mocked, make_client):
    _cached()
    for _ in range(4):  # every attempt of the transport times out
        mocked.post(UPDATE, body=requests.exceptions.ReadTimeout("read timed out"))
    mocked.get(QUERY, json=_in_wix(5))

    result = make_client().catalog(CatalogVersion.V3).set_inventory({A: 5})

    assert (result.updated, result.failed) == ([A], {})
    assert _updates(mocked) == 4  # read back instead of writing again


def test_a_lost_write_wix_did_not_apply_is_retried_with_the_fresh_revision(mocked, make_client):
    _cached()
    for _ in range(4):
        mocked.post(UPDATE, body=requests.exceptions.ReadTimeout("read timed out"))
    mocked.get(QUERY, json=_in_wix(1, revision="4"))
    mocked.post(UPDATE, json=bulk_ok([item("a", revision="4")]))

    result = make_client().catalog(CatalogVersion.V3).set_inventory({A: 5})

    assert (result.updated, result.failed) == ([A], {})
    last = mocked.calls[-1].request
    assert b'"revision": "4"' in last.body or b'"revision":"4"' in last.body


def test_a_real_mismatch_is_still_reported(mocked, make_client):
    _cached()
    mocked.post(UPDATE, json=MISMATCH)
    mocked.get(QUERY, json=_in_wix(1))

    result = make_client().catalog(CatalogVersion.V3).set_inventory({A: 5})

    assert result.failed == {A: "revision mismatch"}

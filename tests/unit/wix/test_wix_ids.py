"""Ids in Wix API paths are Wix ids, percent-encoded; redirects from the API are not followed."""

from __future__ import annotations

import pytest

from tests.unit.wix.conftest import BASE
from wixoms.wix import CatalogVersion, WixError
from wixoms.wix.ids import InvalidWixId, is_wix_id, path_id

TRAVERSAL = "../../../_sandbox/config"
BAD_IDS = [TRAVERSAL, "a/b", "p 1", "x?y=1", "#frag", "%2e%2e", "", "é", "a" * 101, None, 7]


@pytest.mark.parametrize("value", BAD_IDS)
def test_values_no_wix_id_looks_like_are_refused(value):
    assert not is_wix_id(value)
    with pytest.raises(InvalidWixId):
        path_id(value)


@pytest.mark.parametrize(
    "value", ["3f1c9a2e-6b0e-4c1a-9e9a-0b2c6d1e4f55", "prod-1", "o_1", "00000000"]
)
def test_wix_shaped_ids_pass_through(value):
    assert path_id(value) == value


@pytest.mark.parametrize(
    "call",
    [
        lambda c: c.orders.get(TRAVERSAL),
        lambda c: c.fulfillments.list(TRAVERSAL),
        lambda c: c.fulfillments.create(
            TRAVERSAL, line_items=[("l", 1)], tracking_number="1", shipping_provider="ups"
        ),
        lambda c: c.catalog(CatalogVersion.V1).get_product(TRAVERSAL),
        lambda c: c.catalog(CatalogVersion.V1).delete_product(TRAVERSAL),
        lambda c: c.catalog(CatalogVersion.V3).get_product(TRAVERSAL),
        lambda c: c.catalog(CatalogVersion.V3).delete_product(TRAVERSAL),
    ],
)
def test_a_path_traversal_id_never_reaches_the_network(mocked, make_client, call):
    with pytest.raises(InvalidWixId):
        call(make_client())
    assert len(mocked.calls) == 0


def test_a_redirect_to_another_host_is_not_followed(mocked, make_client):
    mocked.get(
        f"{BASE}/ecom/v1/orders/o-1", status=302, headers={"Location": "https://evil.test/grab"}
    )
    mocked.get("https://evil.test/grab", json={"order": {"id": "o-1"}})
    with pytest.raises(WixError) as info:
        make_client().orders.get("o-1")
    assert [c.request.url.split("?")[0] for c in mocked.calls] == [f"{BASE}/ecom/v1/orders/o-1"]
    assert info.value.status == 302 and "evil.test" in str(info.value)


@pytest.mark.parametrize("status", [301, 303, 307, 308])
def test_no_redirect_is_followed_whatever_its_kind(mocked, make_client, status):
    mocked.get(f"{BASE}/ecom/v1/orders/o-1", status=status, headers={"Location": "/elsewhere"})
    mocked.get(f"{BASE}/elsewhere", json={"order": {"id": "o-1"}})
    with pytest.raises(WixError):
        make_client().orders.get("o-1")
    assert len(mocked.calls) == 1

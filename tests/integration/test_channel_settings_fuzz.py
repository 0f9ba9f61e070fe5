"""Random form data to every tab of the channel page: a message or a save, never a 500."""

from __future__ import annotations

import io

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.integration.channel_world import add_catalog, add_channel, settings_post
from wixoms.channel_settings import SETTINGS_TABS

# Text a browser can send (no lone surrogates), with the characters that break things most.
TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=90) | st.sampled_from(
    [
        "",
        " ",
        "\x00",
        "0",
        "-1",
        "5",
        "99999999999999999999",
        "1e3",
        "2025-02-30",
        "2025-01-31",
        "https://www.wixapis.com",
        "y",
        "webhooks",
        "from_date",
        "pro",
    ]
)
VALUE = TEXT | st.lists(TEXT, max_size=4)
FUZZ = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def _nul(*values) -> bool:
    """Input with a NUL character is refused up front with a 400 (no column can hold it)."""
    flat = [x for v in values for x in (v if isinstance(v, list) else [v])]
    return any("\x00" in str(x) for x in flat)


@pytest.fixture
def channel_id(app, world) -> int:
    add_catalog(app)
    return add_channel(app)


@pytest.mark.parametrize("tab", sorted(SETTINGS_TABS))
def test_random_data_in_one_settings_tab_never_breaks_save(logged_in, channel_id, tab):
    names = [*SETTINGS_TABS[tab], "is_active", "tab"]

    @FUZZ
    @given(st.dictionaries(st.sampled_from(names), VALUE, max_size=len(names)))
    def post(fields):
        response = logged_in.post(f"/channels/{channel_id}", data=settings_post(**fields))
        expected = (400,) if _nul(*fields.values()) else (302, 422)
        assert response.status_code in expected, response.status_code

    post()


@FUZZ
@given(st.dictionaries(TEXT, VALUE, max_size=6))
def test_random_fields_of_any_name_never_break_save(logged_in, channel_id, fields):
    response = logged_in.post(f"/channels/{channel_id}", data=fields)
    sent_keys = [k for k, v in fields.items() if v != []]  # an empty list posts nothing
    expected = (400,) if _nul(*sent_keys, *fields.values()) else (302, 422)
    assert response.status_code in expected


MAPPING_FORMS = {
    "carriers": ("carrier-add-wix_shipping_title", "carrier-add-carrier_id"),
    "warehouses": ("warehouse-add-warehouse_id", "warehouse-add-wix_location_id"),
    "skus": (
        "sku-add-wix_sku",
        "sku-add-oms_sku",
        "sku-add-wix_product_id",
        "sku-add-wix_variant_id",
    ),
}


@pytest.mark.parametrize("tab", sorted(MAPPING_FORMS))
def test_random_data_in_mapping_tabs_never_breaks(logged_in, channel_id, tab):
    @FUZZ
    @given(st.fixed_dictionaries({}, optional={name: TEXT for name in MAPPING_FORMS[tab]}))
    def post(fields):
        url = f"/channels/{channel_id}/mappings/{tab}"
        response = logged_in.post(url, data=fields, headers={"HX-Request": "true"})
        expected = (400,) if _nul(*fields.values()) else (200, 422)
        assert response.status_code in expected, response.status_code

    post()


@FUZZ
@given(st.binary(max_size=400) | TEXT.map(lambda t: ("wix_sku,oms_sku\n" + t).encode()))
def test_random_csv_files_get_a_report_never_a_500(logged_in, channel_id, content):
    response = logged_in.post(
        f"/channels/{channel_id}/mappings/skus/import",
        data={"file": (io.BytesIO(content), "x.csv")},
        content_type="multipart/form-data",
        headers={"HX-Request": "true"},
    )
    assert response.status_code in (200, 422)


@FUZZ
@given(TEXT, TEXT, TEXT)
def test_random_search_and_cursors_never_break_the_sku_list(logged_in, channel_id, q, a, b):
    for params in ({"q": q, "after": a}, {"q": q, "before": b}):
        response = logged_in.get(
            f"/channels/{channel_id}/mappings/skus",
            query_string=params,
            headers={"HX-Request": "true"},
        )
        assert response.status_code == (400 if _nul(*params.values()) else 200)


@FUZZ
@given(TEXT, TEXT)
def test_random_webhook_endpoint_posts_never_break(logged_in, channel_id, kind, pending):
    response = logged_in.post(
        f"/channels/{channel_id}/webhooks",
        data={"kind": kind, "pending": pending},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == (400 if _nul(kind, pending) else 422)

"""Wix payloads from wix-api.md parse into typed objects; missing used fields are named."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from tests.unit.wix import wix_samples as s
from wixoms.wix import AppInstance, Fulfillment, Order, VariantRef, WixPayloadError
from wixoms.wix.catalog_v1 import parse_product_v1
from wixoms.wix.catalog_v3 import parse_product_v3
from wixoms.wix.models import format_datetime, parse_datetime


def test_order_sample_parses_every_used_field():
    o = Order.from_wix(s.ORDER)
    assert (o.id, o.number, o.status) == (s.ORDER["id"], "10042", "APPROVED")
    assert (o.payment_status, o.fulfillment_status, o.currency) == ("PAID", "NOT_FULFILLED", "USD")
    assert o.created_date == datetime(2025, 2, 1, 10, 0, tzinfo=UTC)
    assert o.updated_date == datetime(2025, 2, 1, 10, 5, 30, 123000, tzinfo=UTC)
    assert (o.buyer.email, o.buyer.contact_id) == ("ada@example.com", "c-1")
    assert (o.buyer.first_name, o.buyer.last_name, o.buyer.phone) == (
        "Ada",
        "Lovelace",
        "+1 555 0100",
    )
    assert o.shipping_address.city == "New York"
    assert o.shipping_address.address_line1 == "5 Main St"
    assert o.billing_contact.company == "AE"
    assert o.shipping_title == "Standard Shipping"
    assert o.is_pickup is False
    assert o.buyer_note == "Leave at the door"
    assert o.totals.subtotal == Decimal("132.00")
    assert o.totals.total == Decimal("148.88")
    assert o.totals.discount == Decimal("5.00")
    assert o.raw["someFutureField"] == {"ignored": True}


def test_order_line_items_carry_variant_or_options_sku_and_decimal_price():
    first, second = Order.from_wix(s.ORDER).line_items
    assert (first.id, first.product_id, first.sku, first.quantity) == (
        "li-1",
        "prod-1",
        "TS-S-BLUE",
        2,
    )
    assert first.variant_id == "00000000-0000-0020-0005-ad9cdc10d3b8"
    assert first.price == Decimal("50.00") and isinstance(first.price, Decimal)
    assert first.name == "T-shirt"
    assert second.variant_id is None
    assert second.options == {"Size": "L", "Color": "Red"}


def test_pickup_order_is_one_whose_logistics_carry_pickup_details():
    o = Order.from_wix(s.pickup_order())
    assert o.is_pickup is True
    assert o.shipping_address.city == "Brooklyn"


def test_order_with_omitted_optional_fields_still_parses():
    o = Order.from_wix(
        {
            "id": "o",
            "number": "1",
            "status": "INITIALIZED",
            "createdDate": "2025-01-01T00:00:00Z",
            "updatedDate": "2025-01-01T00:00:00Z",
        }
    )
    assert o.line_items == [] and o.payment_status is None and o.buyer.email is None
    assert o.totals.total == Decimal("0")
    assert o.shipping_address is None and not o.is_pickup


@pytest.mark.parametrize("missing", ["id", "number", "status", "createdDate", "updatedDate"])
def test_missing_used_order_field_is_named(missing):
    payload = s.order()
    del payload[missing]
    with pytest.raises(WixPayloadError) as info:
        Order.from_wix(payload)
    assert missing in info.value.field


def test_missing_line_item_price_names_the_line():
    payload = s.order()
    del payload["lineItems"][1]["price"]
    with pytest.raises(WixPayloadError, match=r"lineItems\[1\]\.price is missing"):
        Order.from_wix(payload)


def test_bad_amount_and_timestamp_are_payload_errors():
    payload = s.order()
    payload["lineItems"][0]["price"] = {"amount": "lots"}
    with pytest.raises(WixPayloadError, match="not an amount"):
        Order.from_wix(payload)
    with pytest.raises(WixPayloadError, match="not a timestamp"):
        Order.from_wix(s.order(updatedDate="yesterday"))


def test_dates_round_trip_in_wix_format():
    value = parse_datetime("2024-01-01T00:00:00.000Z", "x")
    assert format_datetime(value) == "2024-01-01T00:00:00.000Z"
    assert format_datetime(datetime(2024, 5, 6, 7, 8, 9, 987654, tzinfo=UTC)) == (
        "2024-05-06T07:08:09.987Z"
    )


def test_app_instance_sample_parses():
    body = {
        "instance": {
            "instanceId": "i-1",
            "appName": "wixoms",
            "appVersion": "1",
            "isFree": True,
            "billing": {},
        },
        "site": {
            "siteId": "s-1",
            "siteDisplayName": "Shop",
            "url": "https://x.test",
            "ownerInfo": {"email": "o@x.test"},
            "installedWixApps": [],
        },
    }
    inst = AppInstance.from_wix(body)
    assert (inst.instance_id, inst.site_id, inst.owner_email) == ("i-1", "s-1", "o@x.test")
    with pytest.raises(WixPayloadError, match="instance.instanceId"):
        AppInstance.from_wix({"site": {}})


def test_v1_product_sample_parses_options_variants_and_stock():
    p = parse_product_v1(s.PRODUCT_V1)
    assert p.options == [("Size", ["S", "M"]), ("Color", ["Blue"])]
    assert p.price == Decimal("25.5")
    assert p.numeric_id == "1700000000000001"
    first, second = p.variants
    assert first.ref == VariantRef("prod-1", "00000000-0000-0020-0005-ad9cdc10d3b8")
    assert (first.sku, first.quantity, first.track_quantity) == ("TS-S-BLUE", 3, True)
    assert first.choices == {"Size": "S", "Color": "Blue"}
    assert second.sku is None and second.price == Decimal("27")


def test_v1_simple_product_variant_takes_the_product_sku():
    p = parse_product_v1(s.PRODUCT_V1_SIMPLE)
    assert not p.has_variants
    assert p.variants[0].sku == "MUG"
    assert p.variants[0].id == "00000000-0000-0000-0000-000000000000"
    assert p.price == Decimal("9.99")


def test_v3_product_sample_parses_decimal_string_prices():
    p = parse_product_v3(s.PRODUCT_V3)
    assert p.revision == "4"
    assert p.options == [("Size", ["S", "M"])]
    s_variant, m_variant = p.variants
    assert (s_variant.sku, s_variant.price, s_variant.choices) == (
        "HD-S",
        Decimal("129.99"),
        {"Size": "S"},
    )
    assert m_variant.sku is None and m_variant.visible is False


def test_product_without_name_is_named():
    with pytest.raises(WixPayloadError, match=r"product\[p3-1\]\.name"):
        parse_product_v3({k: v for k, v in s.PRODUCT_V3.items() if k != "name"})


def test_fulfillment_parses_tracking():
    f = Fulfillment.from_wix(
        {
            "id": "f-1",
            "lineItems": [{"id": "li-1", "quantity": 2}],
            "trackingInfo": {
                "trackingNumber": "1Z",
                "shippingProvider": "ups",
                "trackingLink": "https://ups.test/1Z",
            },
            "createdDate": "2025-02-02T00:00:00.000Z",
        }
    )
    assert (f.id, f.line_items, f.tracking_number, f.shipping_provider) == (
        "f-1",
        [("li-1", 2)],
        "1Z",
        "ups",
    )

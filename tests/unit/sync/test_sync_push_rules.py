"""The pure rules of the push syncs: stock arithmetic, product shapes, fingerprints, batching."""

from __future__ import annotations

from decimal import Decimal

import pytest

from wixoms.models import Carrier, Order, OrderLine, Product, Shipment, ShipmentLine, Variant
from wixoms.sync.fulfillments import shipping_provider, tracking_link, wix_line_items
from wixoms.sync.inventory import chunks_by_product
from wixoms.sync.inventory_targets import Target
from wixoms.sync.products import SpecProblem, fingerprint, product_spec
from wixoms.sync.stock import channel_quantity
from wixoms.wix import PLANS, CatalogVersion, VariantRef


@pytest.mark.parametrize(
    ("available", "buffer", "cap", "expected"),
    [
        (10, 0, None, 10),
        (10, 3, None, 7),
        (10, 3, 5, 5),
        (2, 3, None, 0),  # negative → 0
        (-4, 0, None, 0),
        (100, 0, 0, 0),
        (7, 2, 50, 5),
    ],
)
def test_channel_quantity_subtracts_buffer_caps_and_never_goes_negative(
    available, buffer, cap, expected
):
    assert channel_quantity(available, buffer, cap) == expected


def _product(name: str, *variants: tuple[str, dict, str]) -> Product:
    product = Product(name=name, description="")
    product.variants = [
        Variant(sku=sku, options=options, price=Decimal(price)) for sku, options, price in variants
    ]
    return product


def test_product_without_options_is_a_single_sku_spec():
    spec = product_spec(_product("Mug", ("MUG-1", {}, "9.50")))
    assert (spec.sku, spec.price, spec.options, spec.variants) == ("MUG-1", Decimal("9.50"), [], [])


def test_product_with_options_lists_choices_in_order_and_one_variant_per_sku():
    spec = product_spec(
        _product(
            "Tee",
            ("TEE-S-R", {"Size": "S", "Color": "Red"}, "10"),
            ("TEE-M-R", {"Size": "M", "Color": "Red"}, "12"),
            ("TEE-S-B", {"Size": "S", "Color": "Blue"}, "10"),
        )
    )
    assert spec.options == [("Size", ["S", "M"]), ("Color", ["Red", "Blue"])]
    assert [v.sku for v in spec.variants] == ["TEE-S-R", "TEE-M-R", "TEE-S-B"]
    assert spec.price == Decimal("10")
    assert spec.variants[1].price == Decimal("12")


@pytest.mark.parametrize(
    ("variants", "problem"),
    [
        ((), "no SKU"),
        ((("A", {}, "1"), ("B", {}, "1")), "no options"),
        ((("A", {"Size": "S"}, "1"), ("B", {"Color": "Red"}, "1")), "every option"),
        ((("A", {"Size": "S"}, "1"), ("B", {"Size": "S"}, "1")), "same options"),
    ],
)
def test_products_wix_cannot_express_are_refused_with_a_reason(variants, problem):
    with pytest.raises(SpecProblem, match=problem):
        product_spec(_product("Bad", *variants))


def test_fingerprint_changes_with_what_is_sent_and_only_then():
    base = _product("Tee", ("T-S", {"Size": "S"}, "10"), ("T-M", {"Size": "M"}, "10"))
    same = _product("Tee", ("T-S", {"Size": "S"}, "10.00"), ("T-M", {"Size": "M"}, "10"))
    dearer = _product("Tee", ("T-S", {"Size": "S"}, "11"), ("T-M", {"Size": "M"}, "10"))
    v3 = CatalogVersion.V3
    fp = fingerprint(product_spec(base), v3)
    assert fingerprint(product_spec(same), v3) == fp
    assert fingerprint(product_spec(dearer), v3) != fp
    assert fingerprint(product_spec(base), CatalogVersion.V1) != fp


def _targets(products: int, per_product: int, last_known: int | None = None) -> list[Target]:
    return [
        Target(f"S{p}-{v}", p * 10 + v, 5, VariantRef(f"p{p}", f"v{v}"), None, last_known)
        for p in range(products)
        for v in range(per_product)
    ]


def _products_whole(chunks: list[list[Target]]) -> bool:
    seen: set[str] = set()
    for chunk in chunks:
        ids = {t.ref.product_id for t in chunk}
        if ids & seen:
            return False
        seen |= ids
    return True


def test_v1_absolute_updates_are_chunked_to_a_minute_of_calls_with_whole_products():
    plan = PLANS["standard"]  # 120 requests/minute: one PATCH per product
    chunks = list(chunks_by_product(_targets(500, 3), CatalogVersion.V1, plan))
    assert sum(len(c) for c in chunks) == 1500
    assert _products_whole(chunks)
    assert [len({t.ref.product_id for t in c}) for c in chunks] == [120, 120, 120, 120, 20]


def test_v1_delta_updates_stay_in_one_chunk_so_batches_are_full():
    chunks = list(
        chunks_by_product(_targets(3000, 1, last_known=1), CatalogVersion.V1, PLANS["standard"])
    )
    assert len(chunks) == 1  # 3000 increments: 10 calls


def test_v3_bulk_updates_are_chunked_by_estimated_calls():
    plan = PLANS["standard"]
    assert len(list(chunks_by_product(_targets(1000, 1), CatalogVersion.V3, plan))) == 1
    # 20,000 one-variant products: 20 bulk updates (1000 each, Wix's limit) + 200 revision
    # queries (100 products each) = 220 calls > 120 per chunk
    chunks = list(chunks_by_product(_targets(20000, 1), CatalogVersion.V3, plan))
    assert len(chunks) == 2 and _products_whole(chunks)


def _order_with_lines() -> tuple[Order, OrderLine, OrderLine]:
    order = Order(number="1001", external_id="wix-order-1", channel_status="APPROVED")
    a = OrderLine(external_line_id="li-a", quantity=2, sku="A")
    b = OrderLine(external_line_id="li-b", quantity=1, sku="B", external_order_id="wix-order-2")
    order.lines = [a, b]
    return order, a, b


def test_shipment_lines_are_grouped_by_the_wix_order_they_came_from():
    order, a, b = _order_with_lines()
    shipment = Shipment(order=order, tracking_number="1Z")
    shipment.lines = [
        ShipmentLine(order_line=a, quantity=1),
        ShipmentLine(order_line=b, quantity=1),
    ]
    assert wix_line_items(shipment) == {
        "wix-order-1": [("li-a", 1)],
        "wix-order-2": [("li-b", 1)],
    }


def test_shipment_without_lines_ships_the_whole_order():
    order, _a, _b = _order_with_lines()
    shipment = Shipment(order=order, tracking_number="1Z")
    assert wix_line_items(shipment) == {
        "wix-order-1": [("li-a", 2)],
        "wix-order-2": [("li-b", 1)],
    }


def test_carrier_code_is_the_provider_and_the_template_makes_the_link():
    order, _a, _b = _order_with_lines()
    carrier = Carrier(
        name="Pack Co", code="packco", tracking_url_template="https://t.example/{tracking}"
    )
    shipment = Shipment(order=order, carrier=carrier, tracking_number="PX1", tracking_url="")
    assert shipping_provider(shipment) == "packco"
    assert tracking_link(shipment) == "https://t.example/PX1"
    shipment.tracking_url = "https://own.example/PX1"
    assert tracking_link(shipment) == "https://own.example/PX1"

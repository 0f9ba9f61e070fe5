"""Wix's catalog rules: v1 generates cartesian variants, v3 takes every variant from the caller."""

from __future__ import annotations

import pytest

from wixoms.sandbox.catalog import create_v1_product, update_v1_product, update_v1_variants
from wixoms.sandbox.catalog_v3 import create_v3_product, update_v3_product
from wixoms.sandbox.common import ZERO_VARIANT_ID
from wixoms.sandbox.errors import WixError
from wixoms.sandbox.store import Store


@pytest.fixture
def store():
    return Store()


def v1_body(**options) -> dict:
    return {
        "product": {
            "name": "Tee",
            "productType": "physical",
            "priceData": {"price": 10},
            "manageVariants": True,
            "productOptions": [
                {"name": name, "choices": [{"value": c, "description": c} for c in choices]}
                for name, choices in options.items()
            ],
        }
    }


def test_v1_generates_every_combination_of_choices(store):
    site = store.create_site("S", "V1_CATALOG")
    product = create_v1_product(store, site, v1_body(Size=["S", "M", "L"], Color=["Red", "Blue"]))
    combos = [tuple(v.choices.values()) for v in product.variants]
    assert len(combos) == 6 == len(set(combos))
    assert ("L", "Blue") in combos
    assert all(v.sku == "" and v.visible for v in product.variants)


def test_v1_product_without_options_has_the_zero_variant(store):
    site = store.create_site("S", "V1_CATALOG")
    product = create_v1_product(store, site, v1_body())
    assert [v.id for v in product.variants] == [ZERO_VARIANT_ID]


def test_v1_option_change_keeps_surviving_variants_and_adds_new_ones_without_sku(store):
    site = store.create_site("S", "V1_CATALOG")
    product = create_v1_product(store, site, v1_body(Size=["S", "M"]))
    update_v1_variants(
        store,
        product,
        {"variants": [{"choices": {"Size": "S"}, "sku": "TEE-S", "visible": False, "price": 12}]},
    )
    kept = {v.choices["Size"]: v.id for v in product.variants}
    body = v1_body(Size=["S", "M", "L"])
    update_v1_product(
        store, product, {"product": {"productOptions": body["product"]["productOptions"]}}
    )
    by_size = {v.choices["Size"]: v for v in product.variants}
    assert by_size["S"].id == kept["S"] and by_size["M"].id == kept["M"]
    assert (by_size["S"].sku, by_size["S"].visible, by_size["S"].price) == ("TEE-S", False, 12)
    assert by_size["L"].id not in kept.values()
    assert by_size["L"].sku == "" and by_size["L"].visible


def test_v1_switching_to_no_options_and_back(store):
    site = store.create_site("S", "V1_CATALOG")
    product = create_v1_product(store, site, v1_body(Size=["S", "M"]))
    update_v1_product(store, product, {"product": {"productOptions": []}})
    assert [v.id for v in product.variants] == [ZERO_VARIANT_ID]
    assert product.manage_variants is False
    body = v1_body(Size=["S", "M"])
    update_v1_product(
        store, product, {"product": {"productOptions": body["product"]["productOptions"]}}
    )
    assert len(product.variants) == 2 and ZERO_VARIANT_ID not in [v.id for v in product.variants]


def test_v1_variant_update_needs_manage_variants_and_one_target(store):
    site = store.create_site("S", "V1_CATALOG")
    body = v1_body(Size=["S"])
    body["product"]["manageVariants"] = False
    product = create_v1_product(store, site, body)
    with pytest.raises(WixError) as info:
        update_v1_variants(store, product, {"variants": [{"choices": {"Size": "S"}, "sku": "X"}]})
    assert info.value.status == 400
    product.manage_variants = True
    with pytest.raises(WixError):
        update_v1_variants(
            store, product, {"variants": [{"choices": {"Size": "S"}, "variantIds": ["x"]}]}
        )


@pytest.mark.parametrize("name", ["", "x" * 81])
def test_v1_name_is_required_and_at_most_80_chars(store, name):
    site = store.create_site("S", "V1_CATALOG")
    body = v1_body()
    body["product"]["name"] = name
    with pytest.raises(WixError) as info:
        create_v1_product(store, site, body)
    assert info.value.status == 400


def v3_body(options: dict, variants: list[dict]) -> dict:
    return {
        "product": {
            "name": "Hoodie",
            "productType": "PHYSICAL",
            "physicalProperties": {},
            "options": [
                {
                    "name": name,
                    "optionRenderType": "TEXT_CHOICES",
                    "choicesSettings": {
                        "choices": [{"choiceType": "CHOICE_TEXT", "name": c} for c in cs]
                    },
                }
                for name, cs in options.items()
            ],
            "variantsInfo": {"variants": variants},
        }
    }


def v3_variant(price: str = "10.00", sku: str = "", id: str = "", **choices) -> dict:
    variant = {
        "choices": [
            {"optionChoiceNames": {"optionName": k, "choiceName": v, "renderType": "TEXT_CHOICES"}}
            for k, v in choices.items()
        ],
        "price": {"actualPrice": {"amount": price}},
        "physicalProperties": {},
    }
    if sku:
        variant["sku"] = sku
    if id:
        variant["id"] = id
    return variant


def test_v3_variants_info_must_not_be_empty(store):
    site = store.create_site("S", "V3_CATALOG")
    with pytest.raises(WixError) as info:
        create_v3_product(store, site, v3_body({}, []))
    assert "variantsInfo must not be empty" in info.value.message


def test_v3_product_without_options_takes_one_variant(store):
    site = store.create_site("S", "V3_CATALOG")
    product = create_v3_product(store, site, v3_body({}, [v3_variant(sku="H-1")]))
    assert [v.sku for v in product.variants] == ["H-1"]


def test_v3_caller_must_send_every_combination_naming_every_option(store):
    site = store.create_site("S", "V3_CATALOG")
    options = {"Size": ["S", "M"], "Color": ["Red"]}
    missing = [v3_variant(Size="S", Color="Red")]
    with pytest.raises(WixError, match="every combination"):
        create_v3_product(store, site, v3_body(options, missing))
    partial = [v3_variant(Size="S"), v3_variant(Size="M", Color="Red")]
    with pytest.raises(WixError, match="every option"):
        create_v3_product(store, site, v3_body(options, partial))
    full = [v3_variant(Size="S", Color="Red"), v3_variant(Size="M", Color="Red")]
    product = create_v3_product(store, site, v3_body(options, full))
    assert len(product.variants) == 2


def test_v3_update_keeps_a_variant_only_when_its_id_is_sent_and_bumps_revision(store):
    site = store.create_site("S", "V3_CATALOG")
    product = create_v3_product(
        store, site, v3_body({"Size": ["S"]}, [v3_variant(sku="H-S", Size="S")])
    )
    old_id = product.variants[0].id
    body = v3_body(
        {"Size": ["S", "M"]},
        [v3_variant(sku="H-S", id=old_id, Size="S"), v3_variant(sku="H-M", Size="M")],
    )
    body["product"]["revision"] = "1"
    update_v3_product(store, product, body)
    assert product.variants[0].id == old_id and product.revision == 2
    with pytest.raises(WixError) as info:
        update_v3_product(store, product, body)
    assert info.value.status == 409
    # products-v-3 typings, V3VariantsInfo.variants: "If you want to update existing variant
    # you must provide id, otherwise new variant with different id will be created".
    again = v3_body({"Size": ["S", "M"]}, [v3_variant(Size="S"), v3_variant(Size="M")])
    again["product"]["revision"] = "2"
    update_v3_product(store, product, again)
    assert old_id not in [v.id for v in product.variants]

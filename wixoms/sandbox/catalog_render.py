"""Products and inventory as catalog v1 (money as numbers) and v3 (decimal strings) render them."""

from __future__ import annotations

from collections.abc import Collection

from .common import formatted, money_number, price_obj
from .models import Product, Site, Variant


def _omit_empty(doc: dict) -> dict:
    """Wix omits fields that have no value."""
    return {k: v for k, v in doc.items() if v is not None and v != ""}


def variant_price(product: Product, variant: Variant):
    return variant.price if variant.price is not None else product.price


def stock_status(product: Product) -> tuple[bool, str]:
    flags = [v.in_stock for v in product.variants] or [False]
    if all(flags):
        return True, "IN_STOCK"
    if any(flags):
        return True, "PARTIALLY_OUT_OF_STOCK"
    return False, "OUT_OF_STOCK"


def _v1_price(value, currency: str) -> dict:
    number = money_number(value)
    text = formatted(value, currency)
    return {
        "currency": currency,
        "price": number,
        "discountedPrice": number,
        "formatted": {"price": text, "discountedPrice": text},
    }


def render_v1_variant(product: Product, variant: Variant) -> dict:
    price = _v1_price(variant_price(product, variant), product.currency)
    inner = _omit_empty(
        {
            "priceData": price,
            "convertedPriceData": price,
            "weight": variant.weight,
            # unmanaged variants show the product's SKU
            "sku": variant.sku if product.manage_variants else (variant.sku or product.sku),
            "visible": variant.visible,
        }
    )
    stock = {"trackQuantity": variant.track_quantity, "inStock": variant.in_stock}
    if variant.track_quantity:
        stock["quantity"] = variant.quantity
    return {"id": variant.id, "choices": dict(variant.choices), "variant": inner, "stock": stock}


def _v1_options(product: Product) -> list[dict]:
    out = []
    for option in product.options:
        choices = []
        for choice in option.choices:
            having = [v for v in product.variants if v.choices.get(option.name) == choice.value]
            # Choice.value is the label variants use (the description); see parse_v1_options.
            default = "#000000" if option.kind == "color" else choice.value
            value, description = choice.description or default, choice.value
            choices.append(
                {
                    "value": value,
                    "description": description,
                    "inStock": any(v.in_stock for v in having),
                    "visible": any(v.visible for v in having),
                }
            )
        out.append({"optionType": option.kind, "name": option.name, "choices": choices})
    return out


def render_v1_product(product: Product, site: Site, include_variants: bool = True) -> dict:
    """A catalog v1 product."""
    in_stock, status = stock_status(product)
    stock: dict = {
        "trackInventory": product.track_inventory,
        "inStock": in_stock,
        "inventoryStatus": status,
    }
    if product.track_inventory:
        stock["quantity"] = sum(v.quantity for v in product.variants)
    prices = [variant_price(product, v) for v in product.variants] or [product.price]
    price = _v1_price(product.price, product.currency)
    doc = _omit_empty(
        {
            "id": product.id,
            "name": product.name,
            "slug": product.slug,
            "visible": product.visible,
            "productType": "physical",
            "description": product.description,
            "sku": product.sku,
            "weight": product.weight,
            "stock": stock,
            "price": price,
            "priceData": price,
            "convertedPriceData": price,
            "priceRange": {
                "minValue": money_number(min(prices)),
                "maxValue": money_number(max(prices)),
            },
            "manageVariants": product.manage_variants,
            "productOptions": _v1_options(product),
            "productPageUrl": {"base": site.url + "/", "path": f"/product-page/{product.slug}"},
            "numericId": str(product.numeric_id),
            "inventoryItemId": product.inventory_item_id,
            "discount": {"type": "NONE", "value": 0},
            "collectionIds": [],
            "customTextFields": [],
            "ribbons": [],
            "brand": product.brand,
            "lastUpdated": product.updated,
            "createdDate": product.created,
        }
    )
    if include_variants:
        doc["variants"] = [render_v1_variant(product, v) for v in product.variants]
    return doc


def render_v1_inventory(product: Product) -> dict:
    """A v1 inventory item: one per product, stock per variant."""
    variants = []
    for v in product.variants:
        item = {"variantId": v.id, "inStock": v.in_stock}
        if product.track_inventory:
            item["quantity"] = v.quantity
        variants.append(item)
    return {
        "id": product.inventory_item_id,
        "externalId": product.id,
        "productId": product.id,
        "trackQuantity": product.track_inventory,
        "variants": variants,
        "lastUpdated": product.updated,
        "numericId": str(product.numeric_id),
        "preorderInfo": {"enabled": False},
    }


# --- catalog v3 ---------------------------------------------------------------------------


def _render_type(product: Product, option_name: str) -> str:
    for option in product.options:
        if option.name == option_name:
            return "SWATCH_CHOICES" if option.kind == "color" else "TEXT_CHOICES"
    return "TEXT_CHOICES"


def variant_name(product: Product, variant: Variant) -> str:
    return " / ".join(variant.choices.values()) if variant.choices else product.name


CHOICE_NAMES = "VARIANT_OPTION_CHOICE_NAMES"
PLAIN_DESCRIPTION = "PLAIN_DESCRIPTION"


def render_v3_variant(product: Product, variant: Variant, fields: Collection[str] = ()) -> dict:
    """A v3 variant; its choices carry names only when ``fields`` asks for
    VARIANT_OPTION_CHOICE_NAMES (products-v-3 typings, ``OptionChoice.optionChoiceNames``)."""
    ids = {o.name: (o.id, {c.value: c.id for c in o.choices}) for o in product.options}
    choices = []
    for name, value in variant.choices.items():
        option_id, choice_ids = ids.get(name, ("", {}))
        choice: dict = {
            "optionChoiceIds": {"optionId": option_id, "choiceId": choice_ids.get(value, "")}
        }
        if CHOICE_NAMES in fields:
            choice["optionChoiceNames"] = {
                "optionName": name,
                "choiceName": value,
                "renderType": _render_type(product, name),
            }
        choices.append(choice)
    doc = {
        "id": variant.id,
        "visible": variant.visible,
        "sku": variant.sku,
        "choices": choices,
        "price": {"actualPrice": price_obj(variant_price(product, variant), product.currency)},
        "inventoryStatus": {"inStock": variant.in_stock, "preorderEnabled": False},
    }
    # every variant of a PHYSICAL product carries physicalProperties (products-v-3 typings)
    doc["physicalProperties"] = {} if variant.weight is None else {"weight": variant.weight}
    return _omit_empty(doc)


def render_v3_product(
    product: Product, include_variants: bool = True, fields: Collection[str] = ()
) -> dict:
    """A catalog v3 product; queries leave variantsInfo out. ``fields`` as the request's
    ``fields``: choice names and ``plainDescription`` only when asked for."""
    options = []
    for option in product.options:
        choices = []
        for c in option.choices:
            having = [v for v in product.variants if v.choices.get(option.name) == c.value]
            choice = {
                "choiceId": c.id,
                "choiceType": "ONE_COLOR" if option.kind == "color" else "CHOICE_TEXT",
                "key": c.value.lower(),
                "name": c.value,
                "inStock": any(v.in_stock for v in having),
                "visible": any(v.visible for v in having),
            }
            if option.kind == "color" and c.description:
                choice["colorCodes"] = [c.description]
            choices.append(choice)
        options.append(
            {
                "id": option.id,
                "name": option.name,
                "optionRenderType": _render_type(product, option.name),
                "choicesSettings": {"choices": choices},
            }
        )
    prices = [variant_price(product, v) for v in product.variants] or [product.price]
    _in_stock, status = stock_status(product)
    doc = _omit_empty(
        {
            "id": product.id,
            "revision": str(product.revision),
            "createdDate": product.created,
            "updatedDate": product.updated,
            "name": product.name,
            "slug": product.slug,
            "plainDescription": product.description if PLAIN_DESCRIPTION in fields else None,
            "visible": product.visible,
            "visibleInPos": True,
            "productType": "PHYSICAL",
            "physicalProperties": {},
            "options": options,
            "variantSummary": {"variantCount": len(product.variants)},
            "inventory": {"availabilityStatus": status, "preorderStatus": "DISABLED"},
            "actualPriceRange": {
                "minValue": price_obj(min(prices), product.currency),
                "maxValue": price_obj(max(prices), product.currency),
            },
            "currency": product.currency,
        }
    )
    if product.brand:
        doc["brand"] = {"name": product.brand}
    if include_variants:
        doc["variantsInfo"] = {
            "variants": [render_v3_variant(product, v, fields) for v in product.variants]
        }
    return doc


def render_v3_inventory_item(product: Product, variant: Variant, site: Site) -> dict:
    """An inventory item v3: one per variant at the site's default location."""
    doc = {
        "id": variant.inventory_id,
        "revision": str(variant.inventory_revision),
        "createdDate": product.created,
        "updatedDate": variant.inventory_updated or product.updated,
        "variantId": variant.id,
        "locationId": site.location_id,
        "productId": product.id,
        "trackQuantity": variant.track_quantity,
        "availabilityStatus": "IN_STOCK" if variant.in_stock else "OUT_OF_STOCK",
        "preorderInfo": {"enabled": False},
        "product": _omit_empty(
            {
                "name": product.name,
                "variantName": variant_name(product, variant),
                "variantSku": variant.sku,
                "variantVisible": variant.visible,
            }
        ),
    }
    if variant.track_quantity:
        doc["quantity"] = variant.quantity
    else:
        doc["inStock"] = variant.in_stock
    return doc

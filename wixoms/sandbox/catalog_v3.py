"""Catalog v3 rules: the caller sends every variant; updates need the current revision.

Sources (wix-api.md §7 and §10; ``@wix/auto_sdk_stores_products-v-3`` 1.0.226 typings):
- Create Product makes no inventory items; ``products-with-inventory`` makes one per variant
  that carries ``inventoryItem`` (``VariantWithInventory.inventoryItem``);
- an update replaces the variants whole ("Partial update of variants is not supported"): a
  variant sent without its ``id`` is a new variant with a new GUID, and what a variant omits
  (its SKU, say) is gone;
- ``sku`` is 1–40 characters and unique in the store (``SKU_ALREADY_EXIST_ERROR``);
- PHYSICAL products and each of their variants must carry ``physicalProperties``.
"""

from __future__ import annotations

from dataclasses import replace

from .catalog import check_name, check_quantity, check_revision, new_product, parse_price, set_stock
from .common import new_id
from .errors import WixError, invalid
from .models import V3, Choice, Option, Product, Site, Variant
from .store import Store

MAX_SKU = 40


def parse_v3_options(raw: object, old: list[Option]) -> list[Option]:
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise invalid("product.options", "must be a list", "FORMAT")
    old_by_name = {o.name: o for o in old}
    options = []
    for i, item in enumerate(raw):
        name = item.get("name") if isinstance(item, dict) else None
        if not name:
            raise invalid(f"product.options[{i}].name", "is required")
        render = item.get("optionRenderType", "TEXT_CHOICES")
        if render not in ("TEXT_CHOICES", "SWATCH_CHOICES"):
            raise invalid(f"product.options[{i}].optionRenderType", "unknown", "FORMAT")
        prev = old_by_name.get(name)
        prev_choices = {c.value: c for c in prev.choices} if prev else {}
        choices = []
        for c in (item.get("choicesSettings") or {}).get("choices") or []:
            if not c.get("name"):
                raise invalid(f"product.options[{i}].choicesSettings.choices.name", "is required")
            kept = prev_choices.get(c["name"])
            colour = (c.get("colorCodes") or [""])[0]
            choices.append(Choice(c["name"], colour, kept.id if kept else new_id()))
        if not choices:
            raise invalid(f"product.options[{i}].choicesSettings.choices", "must not be empty")
        kind = "color" if render == "SWATCH_CHOICES" else "drop_down"
        options.append(Option(name, kind, choices, prev.id if prev else new_id()))
    return options


def _check_sku(sku: object, field: str) -> str:
    """minLength 1, maxLength 40: a variant without SKU omits the field."""
    if sku is None:
        return ""
    if not isinstance(sku, str) or not sku:
        raise invalid(field, "must be 1 to 40 characters; omit it for no SKU", "MIN_LENGTH")
    if len(sku) > MAX_SKU:
        raise invalid(field, f"must be at most {MAX_SKU} characters", "MAX_LENGTH")
    return sku


def _choices_of(item: dict, field: str, options: list[Option]) -> dict[str, str]:
    allowed = {o.name: {c.value: c for c in o.choices} for o in options}
    by_id = {(o.id, c.id): (o.name, c.value) for o in options for c in o.choices}
    choices = {}
    for c in item.get("choices") or []:
        pair = c.get("optionChoiceNames") or {}
        opt, choice = pair.get("optionName"), pair.get("choiceName")
        if not opt and c.get("optionChoiceIds"):
            ids = c["optionChoiceIds"]
            opt, choice = by_id.get((ids.get("optionId"), ids.get("choiceId")), (None, None))
        if opt not in allowed or choice not in allowed[opt]:
            raise invalid(f"{field}.choices", f"unknown option choice {opt}: {choice}")
        choices[opt] = choice
    if set(choices) != set(allowed):
        raise invalid(f"{field}.choices", "each variant must name every option")
    return choices


def parse_v3_variants(raw: object, options: list[Option], old: list[Variant], physical: bool):
    """variantsInfo.variants: one per combination, each naming every option; an existing
    variant is kept only when its ``id`` is sent."""
    variants_raw = (raw or {}).get("variants") if isinstance(raw, dict) else None
    if not variants_raw:
        raise invalid("product.variantsInfo", "variantsInfo must not be empty")
    by_id = {v.id: v for v in old}
    seen: set = set()
    variants = []
    for i, item in enumerate(variants_raw):
        field = f"product.variantsInfo.variants[{i}]"
        choices = _choices_of(item, field, options)
        key = tuple(sorted(choices.items()))
        if key in seen:
            raise invalid(f"{field}.choices", "duplicate variant", "UNIQUE")
        seen.add(key)
        if physical and not isinstance(item.get("physicalProperties"), dict):
            raise invalid(f"{field}.physicalProperties", "is required for PHYSICAL products")
        amount_raw = ((item.get("price") or {}).get("actualPrice") or {}).get("amount")
        price = parse_price(amount_raw, f"{field}.price.actualPrice.amount")
        if item.get("id") and item["id"] not in by_id:
            raise invalid(f"{field}.id", f"no variant {item['id']} on this product", "NOT_FOUND")
        inventory = item.get("inventoryItem")
        if inventory is not None:
            if not isinstance(inventory, dict):
                raise invalid(f"{field}.inventoryItem", "must be an object", "FORMAT")
            check_quantity(inventory.get("quantity"), f"{field}.inventoryItem.quantity")
        # a copy: nothing changes on the stored product until every variant is valid
        base = by_id.get(item.get("id", "")) or Variant(id=new_id(), choices=choices)
        variant = replace(
            base,
            choices=choices,
            price=price,
            sku=_check_sku(item.get("sku"), f"{field}.sku"),
            visible=bool(item.get("visible", True)),
            weight=(item.get("physicalProperties") or {}).get("weight"),
        )
        variants.append((variant, inventory))
    expected = 1
    for o in options:
        expected *= len(o.choices)
    if len(variants) != expected:
        raise invalid(
            "product.variantsInfo.variants",
            f"send every combination of the options' choices ({expected} variants)",
        )
    return variants


def _check_unique_skus(store: Store, site: Site, product_id: str, variants: list) -> None:
    """SKUs are unique across the store (SKU_ALREADY_EXIST_ERROR)."""
    mine = [v.sku for v, _inv in variants if v.sku]
    if len(set(mine)) != len(mine):
        raise WixError(409, "variant SKUs must be unique", "SKU_ALREADY_EXIST_ERROR")
    taken = {
        v.sku
        for p in store.site_products[site.id].values()
        if p.id != product_id
        for v in p.variants
        if v.sku
    }
    clash = sorted(taken.intersection(mine))
    if clash:
        raise WixError(
            409, f"SKU {clash[0]} already exists in this store", "SKU_ALREADY_EXIST_ERROR"
        )


def _apply_inventory(store: Store, variant: Variant, inventory: dict) -> None:
    """``inventoryItem`` of a variant (checked already): quantity (tracked) or inStock; makes
    the item when the variant has none."""
    quantity = inventory.get("quantity")
    if not variant.inventory_id:
        variant.inventory_id = new_id()
        variant.inventory_revision = 1
    else:
        variant.inventory_revision += 1
    if quantity is not None:
        set_stock(variant, True, quantity, None)
    else:
        set_stock(variant, False, None, bool(inventory.get("inStock", True)))
    variant.inventory_updated = store.stamp()


def _product_raw(body: dict) -> dict:
    raw = body.get("product") if isinstance(body, dict) else None
    if not isinstance(raw, dict):
        raise invalid("product", "is required")
    return raw


def create_v3_product(
    store: Store, site: Site, body: dict, *, with_inventory: bool = False
) -> Product:
    """POST /stores/v3/products (no inventory items) or /stores/v3/products-with-inventory."""
    raw = _product_raw(body)
    name = check_name(raw.get("name"))
    product_type = raw.get("productType", "PHYSICAL")
    if product_type not in ("PHYSICAL", "DIGITAL"):
        raise invalid("product.productType", "must be PHYSICAL or DIGITAL", "FORMAT")
    physical = product_type == "PHYSICAL"
    if physical and not isinstance(raw.get("physicalProperties"), dict):
        raise invalid("product.physicalProperties", "is required for PHYSICAL products")
    options = parse_v3_options(raw.get("options"), [])
    variants = parse_v3_variants(raw.get("variantsInfo"), options, [], physical)
    with store.lock:
        _check_unique_skus(store, site, "", variants)
        product = new_product(store, site, V3, name, min(v.price for v, _ in variants))
        product.options = options
        product.variants = [v for v, _inv in variants]
        apply_v3_fields(product, raw)
        for variant, inventory in variants:
            variant.inventory_updated = product.created
            if with_inventory and inventory is not None:
                _apply_inventory(store, variant, inventory)
        store.add_product(product)
    store.emit("product_created", product)
    return product


def apply_v3_fields(product: Product, raw: dict) -> list[str]:
    changed = []
    for key, attr in (("name", "name"), ("slug", "slug"), ("plainDescription", "description")):
        if key in raw:
            value = check_name(raw[key]) if key == "name" else (raw[key] or "")
            setattr(product, attr, value)
            changed.append(key)
    if "visible" in raw:
        product.visible = bool(raw["visible"])
        changed.append("visible")
    if "brand" in raw:
        product.brand = (raw["brand"] or {}).get("name", "")
        changed.append("brand")
    return changed


def update_v3_product(
    store: Store, product: Product, body: dict, *, with_inventory: bool = False
) -> Product:
    """PATCH /stores/v3/products/{id} (or products-with-inventory/{id}) with the revision."""
    raw = _product_raw(body)
    with store.lock:
        check_revision(raw.get("revision"), product.revision)
        site = store.sites[product.site_id]
        options = product.options
        if "options" in raw:
            options = parse_v3_options(raw["options"], product.options)
            if "variantsInfo" not in raw:
                raise invalid("product.variantsInfo", "send every variant when options change")
        variants = None
        if "variantsInfo" in raw:
            variants = parse_v3_variants(raw["variantsInfo"], options, product.variants, True)
            _check_unique_skus(store, site, product.id, variants)
        changed = apply_v3_fields(product, raw)
        if "options" in raw:
            changed.append("options")
        if variants is not None:
            store.drop_product(product)
            product.options, product.variants = options, [v for v, _inv in variants]
            product.price = min(v.price for v in product.variants)
            for variant, inventory in variants:
                if with_inventory and inventory is not None:
                    _apply_inventory(store, variant, inventory)
            store.add_product(product)
            changed.append("variantsInfo")
        product.revision += 1
        product.updated = store.stamp()
    store.emit("product_updated", product, changed_fields=changed)
    return product


def create_inventory_item(store: Store, site: Site, raw: object, field: str) -> tuple:
    """Bulk Create Inventory Items: one item for a variant that has none (default location)."""
    if not isinstance(raw, dict):
        raise invalid(field, "must be an object", "FORMAT")
    product = store.site_products[site.id].get(str(raw.get("productId") or ""))
    variant = (
        next((v for v in product.variants if v.id == raw.get("variantId")), None)
        if product
        else None
    )
    if variant is None:
        raise WixError(404, "no such product variant", "VARIANT_NOT_FOUND")
    if raw.get("locationId") not in (None, site.location_id):
        raise WixError(404, f"location {raw['locationId']} not found", "LOCATION_NOT_FOUND")
    if variant.inventory_id:
        raise WixError(409, "the variant already has an inventory item", "ALREADY_EXISTS")
    check_quantity(raw.get("quantity"), f"{field}.quantity")
    _apply_inventory(store, variant, {k: raw[k] for k in ("quantity", "inStock") if k in raw})
    store.add_product(product)
    return product, variant

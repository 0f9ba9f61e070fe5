"""Catalog v3 rules: the caller sends every variant; updates need the current revision."""

from __future__ import annotations

from .catalog import check_name, check_revision, new_product, parse_price
from .common import new_id
from .errors import invalid
from .models import V3, Choice, Option, Product, Site, Variant
from .store import Store


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


def parse_v3_variants(raw: object, options: list[Option], old: list[Variant], currency: str):
    """variantsInfo.variants: one per combination, each naming every option."""
    variants_raw = (raw or {}).get("variants") if isinstance(raw, dict) else None
    if not variants_raw:
        raise invalid("product.variantsInfo", "variantsInfo must not be empty")
    names = [o.name for o in options]
    allowed = {o.name: {c.value for c in o.choices} for o in options}
    by_id = {v.id: v for v in old}
    by_choices = {tuple(sorted(v.choices.items())): v for v in old}
    seen: set = set()
    variants = []
    for i, item in enumerate(variants_raw):
        field = f"product.variantsInfo.variants[{i}]"
        choices = {}
        for c in item.get("choices") or []:
            pair = c.get("optionChoiceNames") or {}
            opt, choice = pair.get("optionName"), pair.get("choiceName")
            if opt not in allowed or choice not in allowed[opt]:
                raise invalid(f"{field}.choices", f"unknown option choice {opt}: {choice}")
            choices[opt] = choice
        if set(choices) != set(names):
            raise invalid(f"{field}.choices", "each variant must name every option")
        key = tuple(sorted(choices.items()))
        if key in seen:
            raise invalid(f"{field}.choices", "duplicate variant", "UNIQUE")
        seen.add(key)
        amount_raw = ((item.get("price") or {}).get("actualPrice") or {}).get("amount")
        price = parse_price(amount_raw, f"{field}.price.actualPrice.amount")
        prev = by_id.get(item.get("id", "")) or by_choices.get(key)
        variant = prev or Variant(id=new_id(), choices=choices, inventory_id=new_id())
        variant.choices = choices
        variant.price = price
        variant.sku = item.get("sku", variant.sku) or ""
        variant.visible = bool(item.get("visible", True))
        weight = (item.get("physicalProperties") or {}).get("weight")
        if weight is not None:
            variant.weight = weight
        variants.append(variant)
    expected = 1
    for o in options:
        expected *= len(o.choices)
    if len(variants) != expected:
        raise invalid(
            "product.variantsInfo.variants",
            f"send every combination of the options' choices ({expected} variants)",
        )
    return variants


def create_v3_product(store: Store, site: Site, body: dict) -> Product:
    """POST /stores/v3/products: the caller sends every variant."""
    raw = body.get("product") if isinstance(body, dict) else None
    if not isinstance(raw, dict):
        raise invalid("product", "is required")
    name = check_name(raw.get("name"))
    if raw.get("productType", "PHYSICAL") not in ("PHYSICAL", "DIGITAL"):
        raise invalid("product.productType", "must be PHYSICAL or DIGITAL", "FORMAT")
    options = parse_v3_options(raw.get("options"), [])
    variants = parse_v3_variants(raw.get("variantsInfo"), options, [], site.currency)
    with store.lock:
        product = new_product(store, site, V3, name, min(v.price for v in variants))
        product.options = options
        product.variants = variants
        apply_v3_fields(product, raw)
        for v in variants:
            v.inventory_updated = product.created
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


def update_v3_product(store: Store, product: Product, body: dict) -> Product:
    """PATCH /stores/v3/products/{id} with the current revision."""
    raw = body.get("product") if isinstance(body, dict) else None
    if not isinstance(raw, dict):
        raise invalid("product", "is required")
    with store.lock:
        check_revision(raw.get("revision"), product.revision)
        changed = apply_v3_fields(product, raw)
        options = product.options
        if "options" in raw:
            options = parse_v3_options(raw["options"], product.options)
            changed.append("options")
            if "variantsInfo" not in raw:
                raise invalid("product.variantsInfo", "send every variant when options change")
        if "variantsInfo" in raw:
            variants = parse_v3_variants(raw["variantsInfo"], options, product.variants, "")
            for variant in variants:
                if variant.inventory_id not in store.inventory_index:
                    variant.inventory_updated = store.stamp()
            store.drop_product(product)
            product.options, product.variants = options, variants
            product.price = min(v.price for v in variants)
            store.add_product(product)
            changed.append("variantsInfo")
        product.revision += 1
        product.updated = store.stamp()
    store.emit("product_updated", product, changed_fields=changed)
    return product

"""Wix catalog behaviour: v1 generates cartesian variants, v3 takes every variant as sent."""

from __future__ import annotations

import itertools
import random
import secrets
from decimal import Decimal, InvalidOperation

from .common import ZERO_VARIANT_ID, new_id, slugify
from .errors import WixError, invalid
from .models import V1, V3, Choice, Option, Product, Site, Variant
from .store import Store

MAX_NAME = 80


def v1_variant_id(rng: random.Random | None, index: int) -> str:
    """Variant ids look like 00000000-0000-0020-0005-ad9cdc10d3b8."""
    tail = f"{rng.getrandbits(48):012x}" if rng else secrets.token_hex(6)
    return f"00000000-0000-{(index // 100) % 10000:04d}-{index % 100 + 1:04d}-{tail}"


def parse_price(value: object, field: str) -> Decimal:
    if isinstance(value, bool) or value is None:
        raise invalid(field, "is required")
    try:
        price = Decimal(str(value))
    except InvalidOperation as exc:
        raise invalid(field, "must be a number", "FORMAT") from exc
    if price < 0:
        raise invalid(field, "must not be negative", "MIN")
    return price


def check_name(name: object, field: str = "product.name") -> str:
    if not isinstance(name, str) or not name.strip():
        raise invalid(field, "is required")
    if len(name) > MAX_NAME:
        raise invalid(field, f"must be at most {MAX_NAME} characters", "MAX_LENGTH")
    return name


def new_product(store: Store, site: Site, catalog: str, name: str, price: Decimal) -> Product:
    stamp = store.stamp()
    site.next_numeric_id += 1
    return Product(
        id=new_id(),
        site_id=site.id,
        catalog=catalog,
        name=name,
        slug=slugify(name),
        price=price,
        currency=site.currency,
        numeric_id=site.next_numeric_id,
        created=stamp,
        updated=stamp,
        inventory_item_id=new_id(),
    )


# --- catalog v1 ---------------------------------------------------------------------------


def parse_v1_options(raw: object) -> list[Option]:
    """productOptions [{name, optionType, choices [{value, description}]}]."""
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise invalid("product.productOptions", "must be a list", "FORMAT")
    options: list[Option] = []
    for i, item in enumerate(raw):
        name = item.get("name") if isinstance(item, dict) else None
        if not name:
            raise invalid(f"product.productOptions[{i}].name", "is required")
        kind = item.get("optionType", "drop_down")
        if kind not in ("drop_down", "color"):
            raise invalid(f"product.productOptions[{i}].optionType", "drop_down or color", "FORMAT")
        choices: list[Choice] = []
        for c in item.get("choices") or []:
            # Variants key a choice by its description (wix-api.md §10), falling back to the
            # value; Choice.value keeps that label and Choice.description the sent value
            # (a colour's hex code).
            label = c.get("description") or c.get("value")
            if not label:
                raise invalid(f"product.productOptions[{i}].choices.value", "is required")
            raw = c.get("value", "")
            choices.append(Choice(value=label, description=raw if raw != label else ""))
        if not choices:
            raise invalid(f"product.productOptions[{i}].choices", "must not be empty")
        if len({c.value for c in choices}) != len(choices):
            raise invalid(f"product.productOptions[{i}].choices", "duplicate choice", "UNIQUE")
        options.append(Option(name=name, kind=kind, choices=choices))
    if len({o.name for o in options}) != len(options):
        raise invalid("product.productOptions", "duplicate option name", "UNIQUE")
    return options


def regenerate_v1_variants(product: Product, rng: random.Random | None = None) -> None:
    """Every cartesian combination becomes a variant; surviving combinations keep id and
    overrides, new ones have no SKU and are visible (Wix's default)."""
    existing = {tuple(sorted(v.choices.items())): v for v in product.variants}
    if not product.options:
        keep = existing.get(())
        product.variants = [
            keep or Variant(id=ZERO_VARIANT_ID, choices={}, track_quantity=product.track_inventory)
        ]
        return
    combos = itertools.product(*[[c.value for c in o.choices] for o in product.options])
    names = [o.name for o in product.options]
    variants = []
    for index, combo in enumerate(combos):
        choices = dict(zip(names, combo, strict=True))
        keep = existing.get(tuple(sorted(choices.items())))
        if keep is None:
            keep = Variant(
                id=v1_variant_id(rng, index),
                choices=choices,
                track_quantity=product.track_inventory,
                in_stock=not product.track_inventory,
            )
        variants.append(keep)
    product.variants = variants


def create_v1_product(store: Store, site: Site, body: dict, rng=None) -> Product:
    """POST /stores/v1/products."""
    raw = body.get("product") if isinstance(body, dict) else None
    if not isinstance(raw, dict):
        raise invalid("product", "is required")
    name = check_name(raw.get("name"))
    ptype = raw.get("productType")
    if ptype not in ("physical", "digital"):
        raise invalid("product.productType", "must be physical or digital", "FORMAT")
    price = parse_price((raw.get("priceData") or {}).get("price"), "product.priceData.price")
    with store.lock:
        product = new_product(store, site, V1, name, price)
        product.options = parse_v1_options(raw.get("productOptions"))
        apply_v1_fields(product, raw)
        regenerate_v1_variants(product, rng)
        store.add_product(product)
    store.emit("product_created", product)
    return product


def apply_v1_fields(product: Product, raw: dict) -> list[str]:
    """Plain field updates shared by create and PATCH; returns the changed field names."""
    changed = []
    if "name" in raw:
        product.name = check_name(raw["name"])
        changed.append("name")
    if "slug" in raw:
        product.slug = raw["slug"]
        changed.append("slug")
    for key, attr in (("description", "description"), ("sku", "sku"), ("brand", "brand")):
        if key in raw:
            setattr(product, attr, raw[key] or "")
            changed.append(key)
    if "visible" in raw:
        product.visible = bool(raw["visible"])
        changed.append("visible")
    if "weight" in raw:
        product.weight = raw["weight"]
        changed.append("weight")
    if "manageVariants" in raw:
        product.manage_variants = bool(raw["manageVariants"])
        changed.append("manageVariants")
    if "priceData" in raw and "price" in (raw["priceData"] or {}):
        product.price = parse_price(raw["priceData"]["price"], "product.priceData.price")
        changed.append("price")
    return changed


def update_v1_product(store: Store, product: Product, body: dict) -> Product:
    """PATCH /stores/v1/products/{id}; new options regenerate the cartesian variants."""
    raw = body.get("product") if isinstance(body, dict) else None
    if not isinstance(raw, dict):
        raise invalid("product", "is required")
    with store.lock:
        changed = apply_v1_fields(product, raw)
        if "productOptions" in raw:
            product.options = parse_v1_options(raw["productOptions"])
            if not product.options:
                product.manage_variants = False
            regenerate_v1_variants(product)
            changed.append("productOptions")
        product.updated = store.stamp()
        product.revision += 1
    store.emit("product_updated", product, changed_fields=changed)
    return product


def update_v1_variants(store: Store, product: Product, body: dict) -> list[Variant]:
    """PATCH /stores/v1/products/{id}/variants: target by choices or by variantIds."""
    items = body.get("variants") if isinstance(body, dict) else None
    if not isinstance(items, list) or not items:
        raise invalid("variants", "is required")
    if not product.manage_variants:
        raise WixError(
            400, "manageVariants must be true to update variants", "MANAGE_VARIANTS_DISABLED"
        )
    touched: list[Variant] = []
    with store.lock:
        for i, item in enumerate(items):
            if ("choices" in item) == ("variantIds" in item):
                raise invalid(f"variants[{i}]", "send either choices or variantIds", "ONE_OF")
            if "choices" in item:
                want = item["choices"] or {}
                targets = [
                    v
                    for v in product.variants
                    if all(v.choices.get(k) == c for k, c in want.items())
                ]
            else:
                ids = set(item["variantIds"] or [])
                targets = [v for v in product.variants if v.id in ids]
            if not targets:
                raise invalid(f"variants[{i}]", "matches no variant", "NOT_FOUND")
            for variant in targets:
                if "sku" in item:
                    variant.sku = item["sku"] or ""
                if "visible" in item:
                    variant.visible = bool(item["visible"])
                if "price" in item:
                    variant.price = parse_price(item["price"], f"variants[{i}].price")
                if "weight" in item:
                    variant.weight = item["weight"]
                if variant not in touched:
                    touched.append(variant)
        product.updated = store.stamp()
    store.emit("variants_changed", product, variants=touched)
    return touched


def check_revision(sent: object, current: int, field: str = "product.revision") -> None:
    """v3 updates must carry the current revision; stale → 409."""
    if sent is None or sent == "":
        raise invalid(field, "is required")
    try:
        sent_int = int(sent)
    except (TypeError, ValueError) as exc:
        raise invalid(field, "must be a number", "FORMAT") from exc
    if sent_int != current:
        raise WixError(409, "revision mismatch", "REVISION_MISMATCH")


def delete_product(store: Store, product: Product) -> None:
    with store.lock:
        store.drop_product(product)
    store.emit("product_deleted", product)


def product_of(store: Store, site: Site, product_id: str) -> Product:
    product = store.site_products.get(site.id, {}).get(product_id)
    if product is None:
        raise WixError(404, f"Product with id {product_id} not found", "PRODUCT_NOT_FOUND")
    return product


MIN_QUANTITY, MAX_QUANTITY = -99999, 99999  # inventory-items-v-3 typings: quantity range


def check_quantity(value: object, field: str) -> int | None:
    """A quantity as Wix takes it: an integer from −99999 to 99999 (negative = oversold)."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise invalid(field, "must be an integer", "FORMAT")
    if not MIN_QUANTITY <= value <= MAX_QUANTITY:
        raise invalid(field, f"must be between {MIN_QUANTITY} and {MAX_QUANTITY}", "MAX")
    return value


def set_stock(variant: Variant, track: bool, quantity: int | None, in_stock: bool | None) -> None:
    """Tracked quantity decides inStock (it may go negative: Wix sells past zero when an
    order was already paid); untracked variants only carry the flag."""
    variant.track_quantity = track
    if track:
        if quantity is not None:
            variant.quantity = int(quantity)
        variant.in_stock = variant.quantity > 0
    elif in_stock is not None:
        variant.in_stock = bool(in_stock)


def require_catalog(site: Site, version: str) -> None:
    """/stores/v3 on a V1 site (and v1 on a V3 site) answers 428."""
    if site.catalog_version != version:
        wanted = "V3" if version == V3 else "V1"
        raise WixError(
            428,
            f"This site's catalog is {site.catalog_version}; Catalog {wanted} APIs are unavailable",
            "CATALOG_VERSION_MISMATCH",
        )

"""Short-hand product, inventory and automation specs for the control API and the dashboard."""

from __future__ import annotations

import itertools

from . import catalog, catalog_v3
from .catalog_render import CHOICE_NAMES, PLAIN_DESCRIPTION, render_v1_product, render_v3_product
from .common import new_id
from .errors import WixError, invalid
from .models import V1, V3, Automation, Product, Site
from .store import Store

BODY_STYLES = ("data_order", "order", "entire", "custom")


def render_product(product: Product, site: Site) -> dict:
    """The product as the site's catalog API renders it."""
    if product.catalog == V1:
        return render_v1_product(product, site)
    return render_v3_product(product, fields=(CHOICE_NAMES, PLAIN_DESCRIPTION))


def _option_spec(raw: object) -> list[tuple[str, list[str]]]:
    """{"Size": ["S", "M"]} or [{"name": "Size", "choices": ["S", "M"]}]."""
    if not raw:
        return []
    if isinstance(raw, dict):
        return [(k, list(v)) for k, v in raw.items()]
    return [(o["name"], list(o["choices"])) for o in raw]


def create_simple_product(store: Store, site: Site, spec: dict) -> Product:
    """{name, price, sku, options, skus {"S/Black": sku}, quantity, trackQuantity, visible}.

    Goes through the same code as the catalog APIs, so webhooks fire as they would."""
    name = spec.get("name") or "Test product"
    price = spec.get("price", 10)
    options = _option_spec(spec.get("options"))
    skus = spec.get("skus") or {}
    if site.catalog_version == V1:
        body = {
            "product": {
                "name": name,
                "productType": "physical",
                "priceData": {"price": price},
                "sku": spec.get("sku", ""),
                "visible": spec.get("visible", True),
                "manageVariants": spec.get("manageVariants", bool(options)),
                "productOptions": [
                    {"name": o, "choices": [{"value": c, "description": c} for c in cs]}
                    for o, cs in options
                ],
            }
        }
        product = catalog.create_v1_product(store, site, body)
        with store.lock:
            for variant in product.variants:
                key = "/".join(variant.choices.values())
                if key in skus and product.manage_variants:
                    variant.sku = skus[key]
                elif not variant.choices and spec.get("sku"):
                    variant.sku = spec["sku"] if product.manage_variants else ""
    elif site.catalog_version == V3:
        combos = list(itertools.product(*[cs for _o, cs in options]))
        variants = []
        for combo in combos:
            key = "/".join(combo)
            variant = {
                "choices": [
                    {"optionChoiceNames": {"optionName": o, "choiceName": c}}
                    for (o, _cs), c in zip(options, combo, strict=True)
                ],
                "price": {"actualPrice": {"amount": str(price)}},
                "physicalProperties": {},
                "visible": True,
                # the Wix dashboard makes an inventory item for every variant it creates
                "inventoryItem": {"inStock": True},
            }
            sku = skus.get(key, spec.get("sku", "") if not options else "")
            if sku:
                variant["sku"] = sku
            variants.append(variant)
        body = {
            "product": {
                "name": name,
                "productType": "PHYSICAL",
                "physicalProperties": {},
                "visible": spec.get("visible", True),
                "options": [
                    {
                        "name": o,
                        "optionRenderType": "TEXT_CHOICES",
                        "choicesSettings": {
                            "choices": [{"choiceType": "CHOICE_TEXT", "name": c} for c in cs]
                        },
                    }
                    for o, cs in options
                ],
                "variantsInfo": {"variants": variants},
            }
        }
        product = catalog_v3.create_v3_product(store, site, body, with_inventory=True)
    else:
        raise WixError(428, "Wix Stores is not installed on this site")
    if "quantity" in spec or "trackQuantity" in spec:
        quantity = spec.get("quantity", 0)
        set_inventory(
            store,
            product,
            {
                "trackQuantity": spec.get("trackQuantity", True),
                "variants": [{"variantId": v.id, "quantity": quantity} for v in product.variants],
            },
            notify=False,
        )
    return product


def set_inventory(store: Store, product: Product, spec: dict, notify: bool = True) -> None:
    """{trackQuantity, variants: [{variantId | sku | choices, quantity, inStock}]}."""
    changed = []
    with store.lock:
        track = spec.get("trackQuantity")
        if track is not None and product.catalog == V1:
            product.track_inventory = bool(track)
        for i, entry in enumerate(spec.get("variants") or []):
            variant = next(
                (
                    v
                    for v in product.variants
                    if v.id == entry.get("variantId")
                    or (entry.get("sku") and v.sku == entry.get("sku"))
                    or (entry.get("choices") is not None and v.choices == entry.get("choices"))
                ),
                None,
            )
            if variant is None:
                raise invalid(f"variants[{i}]", "matches no variant")
            want_track = variant.track_quantity if track is None else bool(track)
            catalog.set_stock(variant, want_track, entry.get("quantity"), entry.get("inStock"))
            variant.inventory_revision += 1
            variant.inventory_updated = store.stamp()
            changed.append(variant)
        product.updated = store.stamp()
    if notify and changed:
        store.emit("inventory_changed", product, variants=changed)


def new_automation(store: Store, site: Site, data: dict) -> Automation:
    """Order placed → Send HTTP Request → URL → Activate."""
    url = (data.get("url") or "").strip()
    if not url.startswith(("http://", "https://")):
        raise invalid("url", "must be an http(s) URL", "FORMAT")
    style = data.get("bodyStyle", store.config["automation_body"])
    if style not in BODY_STYLES:
        raise invalid("bodyStyle", f"one of {', '.join(BODY_STYLES)}", "FORMAT")
    automation = Automation(
        id=new_id(),
        site_id=site.id,
        name=data.get("name") or "Send order to OMS",
        url=url,
        body_style=style,
        custom_keys=list(data.get("customKeys") or []),
        active=bool(data.get("active", True)),
        created=store.stamp(),
    )
    store.add_automation(automation)
    return automation

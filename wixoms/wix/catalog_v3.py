"""Catalog v3: products with revisions and caller-sent variants (§7, corrected by §10).

Read from Wix's SDK ``@wix/auto_sdk_stores_products-v-3`` 1.0.226 and followed here:
- a variant's choices carry option/choice *ids* only, unless the request asks for
  ``fields=VARIANT_OPTION_CHOICE_NAMES``; every read here asks, and ids resolve as a fallback;
- an update must send each existing variant's ``id``, or Wix makes a new variant (new GUID);
- Create Product makes no inventory items: products are created with
  ``POST /stores/v3/products-with-inventory``, and variants an update adds get theirs by
  Bulk Create Inventory Items;
- a variant ``sku`` is 1–40 characters (omitted when there is none, never ``""``) and unique
  in the store; PHYSICAL products and their variants carry ``physicalProperties``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from .catalog import CatalogBase, CatalogVersion, check_spec, choices_key, combinations
from .ids import path_id
from .inventory_v3 import (
    InventoryItemRef,
    InventoryItemsV3,
    RevisionCache,
    query_pages,
    revision_cache,
)
from .models import (
    InventoryResult,
    Product,
    ProductSpec,
    Variant,
    VariantRef,
    VariantSpec,
    _get,
    req,
    to_decimal,
)
from .throughput import ThroughputPlan

__all__ = ["CatalogV3", "InventoryItemRef", "RevisionCache", "parse_product_v3", "revision_cache"]

TEXT = "TEXT_CHOICES"
CHOICE_NAMES = ["VARIANT_OPTION_CHOICE_NAMES"]


def _choice_names(p: Mapping[str, Any]) -> tuple[dict[str, str], dict[tuple[str, str], str]]:
    """Option id → name and (option id, choice id) → choice name, from the product's options."""
    options: dict[str, str] = {}
    choices: dict[tuple[str, str], str] = {}
    for o in p.get("options") or []:
        option_id = str(o.get("id") or "")
        options[option_id] = str(o.get("name"))
        for c in _get(o, "choicesSettings.choices") or []:
            choices[(option_id, str(c.get("choiceId") or ""))] = str(c.get("name"))
    return options, choices


def _variant_choices(v: Mapping[str, Any], ids: tuple[dict, dict]) -> dict[str, str]:
    option_names, choice_names = ids
    choices = {}
    for c in v.get("choices") or []:
        names = c.get("optionChoiceNames") or {}
        option, choice = names.get("optionName"), names.get("choiceName")
        if not option or not choice:  # names not asked for: resolve the ids
            refs = c.get("optionChoiceIds") or {}
            option_id, choice_id = str(refs.get("optionId") or ""), str(refs.get("choiceId") or "")
            option = option or option_names.get(option_id)
            choice = choice or choice_names.get((option_id, choice_id))
        if option and choice:
            choices[str(option)] = str(choice)
    return choices


def parse_product_v3(p: Mapping[str, Any]) -> Product:
    """A v3 product; variants only when the payload carries ``variantsInfo``."""
    where = f"product[{p.get('id', '?')}]"
    product_id = str(req(p, "id", where))
    options = [
        (str(req(o, "name", f"{where}.options")),
         [str(c.get("name")) for c in _get(o, "choicesSettings.choices") or []])
        for o in p.get("options") or []
    ]  # fmt: skip
    ids = _choice_names(p)
    variants = []
    for i, v in enumerate(_get(p, "variantsInfo.variants") or []):
        vw = f"{where}.variantsInfo.variants[{i}]"
        amount = _get(v, "price.actualPrice.amount")
        variants.append(
            Variant(
                id=str(req(v, "id", vw)),
                product_id=product_id,
                sku=v.get("sku") or None,
                choices=_variant_choices(v, ids),
                visible=bool(v.get("visible", True)),
                price=to_decimal(amount, f"{vw}.price.actualPrice.amount") if amount else None,
            )
        )
    prices = [v.price for v in variants if v.price is not None]
    return Product(
        id=product_id,
        name=str(req(p, "name", where)),
        visible=bool(p.get("visible", True)),
        sku=variants[0].sku if variants and not options else None,
        price=min(prices) if prices else None,
        options=options,
        variants=variants,
        revision=str(p["revision"]) if p.get("revision") is not None else None,
        raw=dict(p),
    )


class CatalogV3(CatalogBase):
    """Catalog v3: the caller sends every variant; updates carry the current revision."""

    version = CatalogVersion.V3

    def __init__(
        self,
        request: Any,
        plan: ThroughputPlan,
        *,
        instance_id: str = "",
        location_id: str | None = None,
        cache: RevisionCache = revision_cache,
    ) -> None:
        super().__init__(request, plan)
        self.location_id = location_id
        self.inventory = InventoryItemsV3(
            request, plan, instance_id=instance_id, location_id=location_id, cache=cache
        )

    # --- reading --------------------------------------------------------------------------

    def iter_products(self) -> Iterator[Product]:
        """Query pages; products whose page lacks ``variantsInfo`` are read one by one."""
        query = {"sort": [{"fieldName": "createdDate", "order": "ASC"}]}
        pages = query_pages(
            self._request, "/stores/v3/products/query", query, "products",
            limit=self.plan.products_page_size,
        )  # fmt: skip
        for page in pages:
            for raw in page:
                yield (
                    parse_product_v3(raw) if _get(raw, "variantsInfo.variants")
                    else self.get_product(str(req(raw, "id", "product")))
                )  # fmt: skip

    def get_product(self, product_id: str) -> Product:
        """One product with its variants, choices by name (asked for explicitly)."""
        body = self._request(
            "GET",
            f"/stores/v3/products/{path_id(product_id, 'product id')}",
            params={"productId": product_id, "fields": CHOICE_NAMES},
        )
        return parse_product_v3(req(body, "product", "response"))

    def find_variants_by_sku(self, skus: Iterable[str]) -> dict[str, VariantRef]:
        """Read inventory items (one per variant, 1000 per call) rather than every product."""
        wanted = {s for s in skus if s}
        found, saw_sku_field = self.inventory.skus(wanted)
        if not saw_sku_field and wanted - found.keys():
            found.update(super().find_variants_by_sku(wanted - found.keys()))
        return found

    def inventory_levels(self) -> dict[VariantRef, int]:
        """Tracked quantity of every variant, read from inventory items (revisions cached)."""
        return self.inventory.levels()

    # --- writing --------------------------------------------------------------------------

    def _variant_body(
        self, spec: ProductSpec, combo: dict[str, str], want: VariantSpec | None
    ) -> dict[str, Any]:
        variant: dict[str, Any] = {
            "choices": [
                {"optionChoiceNames": {"optionName": n, "choiceName": c, "renderType": TEXT}}
                for n, c in combo.items()
            ],
            "price": {"actualPrice": {"amount": str(spec.price)}},
            "physicalProperties": {},  # required for PHYSICAL products, even empty
        }
        if not combo:
            sku, visible = spec.sku, True
        elif want is not None:
            sku, visible = want.sku, want.visible
            if want.price is not None:
                variant["price"] = {"actualPrice": {"amount": str(want.price)}}
        else:
            # A combination the OMS lacks: hidden, and without SKU (sending none clears one
            # left from before: variants are replaced whole, and "" is below minLength 1).
            sku, visible = None, False
        if sku:
            variant["sku"] = sku
        variant["visible"] = visible
        return variant

    def _product_body(self, spec: ProductSpec, existing: Product | None) -> dict[str, Any]:
        current = {choices_key(v.choices): v for v in existing.variants} if existing else {}
        wanted = {choices_key(v.choices): v for v in spec.variants}
        variants = []
        for combo in combinations(spec.options) or [{}]:
            variant = self._variant_body(spec, combo, wanted.get(choices_key(combo)))
            known = current.get(choices_key(combo))
            if known is not None:
                variant = {"id": known.id, **variant}  # keep the variant (and its stock)
            elif existing is None:
                variant["inventoryItem"] = {"quantity": 0}  # tracked from the start
            variants.append(variant)
        return {
            "name": spec.name,
            "productType": "PHYSICAL",
            "visible": spec.visible,
            "physicalProperties": {},
            "plainDescription": spec.description,
            "options": [
                {
                    "name": name,
                    "optionRenderType": TEXT,
                    "choicesSettings": {
                        "choices": [{"choiceType": "CHOICE_TEXT", "name": c} for c in choices]
                    },
                }
                for name, choices in spec.options
            ],
            "variantsInfo": {"variants": variants},
        }

    def create_product(self, spec: ProductSpec) -> Product:
        """Create the product with an inventory item per variant (products-with-inventory)."""
        check_spec(spec)
        body = self._request(
            "POST",
            "/stores/v3/products-with-inventory",
            json={"product": self._product_body(spec, None), "fields": CHOICE_NAMES},
        )
        return parse_product_v3(req(body, "product", "response"))

    def update_product(self, product_id: str, spec: ProductSpec) -> Product:
        """GET for the revision and variant ids, PATCH every combination, then give variants
        the update added an inventory item (Wix gives them none)."""
        check_spec(spec)
        current = self.get_product(product_id)
        product = {**self._product_body(spec, current), "id": product_id}
        product["revision"] = current.revision
        body = self._request(
            "PATCH",
            f"/stores/v3/products/{path_id(product_id, 'product id')}",
            json={"product": product, "fields": CHOICE_NAMES},
        )
        updated = parse_product_v3(req(body, "product", "response"))
        known = {v.id for v in current.variants}
        added = [v.id for v in updated.variants if v.id not in known]
        if added:
            self.inventory.create_missing(product_id, added)
        return updated

    def delete_product(self, product_id: str) -> None:
        self._request(
            "DELETE",
            f"/stores/v3/products/{path_id(product_id, 'product id')}",
            params={"productId": product_id},
        )

    def set_inventory(
        self,
        levels: Mapping[VariantRef, int],
        *,
        last_known: Mapping[VariantRef, int] | None = None,
    ) -> InventoryResult:
        """Bulk-update absolute quantities (1000 per call, Wix's limit); the OMS never sends
        a negative level, though Wix holds them down to −99999."""
        last_known = last_known or {}
        changed = {r: max(0, int(q)) for r, q in levels.items() if last_known.get(r) != q}
        return self.inventory.set_levels(changed)

"""Catalog v1 (Wix Stores): products under /stores/v1, inventory under /stores/v2 (§6, §10).

From Wix's SDK ``@wix/auto_sdk_stores_products`` 1.0.108 (``QueryProductsRequest`` typings):
the products query leaves hidden products out unless it sends ``includeHiddenProducts``, so
every query here sends it (SKU mapping and stock must see hidden products too). A variant's
``choices`` are keyed by option name and the choice's *description* (§10), so options are
read by description as well.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterator, Mapping
from typing import Any

from .catalog import (
    CatalogBase,
    CatalogVersion,
    as_json_number,
    check_spec,
    choices_key,
    combinations,
)
from .ids import path_id
from .inventory_calls import CallEstimate, by_product
from .models import (
    InventoryResult,
    Product,
    ProductSpec,
    Variant,
    VariantRef,
    _get,
    money,
    req,
    to_decimal,
)

# A product without options has exactly one variant with this id (wix-api.md §6).
DEFAULT_VARIANT_ID = "00000000-0000-0000-0000-000000000000"


def _choice_label(choice: Mapping[str, Any]) -> str:
    """The name a variant's ``choices`` use for this choice: its description (else value)."""
    return str(choice.get("description") or choice.get("value"))


def parse_product_v1(p: Mapping[str, Any]) -> Product:
    """A v1 product (with ``variants`` when queried with includeVariants)."""
    where = f"product[{p.get('id', '?')}]"
    product_id = str(req(p, "id", where))
    price = money(p, "priceData.price", where) if _get(p, "priceData.price") is not None else None
    options = [
        (str(req(o, "name", f"{where}.productOptions")),
         [_choice_label(c) for c in o.get("choices") or []])
        for o in p.get("productOptions") or []
    ]  # fmt: skip
    variants = []
    for i, v in enumerate(p.get("variants") or []):
        vw = f"{where}.variants[{i}]"
        vprice = _get(v, "variant.priceData.price")
        variants.append(
            Variant(
                id=str(req(v, "id", vw)),
                product_id=product_id,
                sku=_get(v, "variant.sku") or (p.get("sku") if not options else None) or None,
                choices={str(k): str(x) for k, x in (v.get("choices") or {}).items()},
                visible=bool(_get(v, "variant.visible", True)),
                price=to_decimal(vprice, f"{vw}.variant.priceData.price") if vprice else price,
                quantity=_get(v, "stock.quantity"),
                track_quantity=_get(v, "stock.trackQuantity"),
                in_stock=_get(v, "stock.inStock"),
            )
        )
    return Product(
        id=product_id,
        name=str(req(p, "name", where)),
        visible=bool(p.get("visible", True)),
        sku=p.get("sku") or None,
        price=price,
        options=options,
        variants=variants,
        numeric_id=str(p["numericId"]) if p.get("numericId") is not None else None,
        raw=dict(p),
    )


class CatalogV1(CatalogBase):
    """Catalog v1: Wix generates variants from options; stock per variant in inventory items."""

    version = CatalogVersion.V1

    def iter_products(self) -> Iterator[Product]:
        """Keyset paging by numericId: offset paging fails past ~10,000 items (§6)."""
        limit = self.plan.products_page_size
        last: str | None = None
        while True:
            query: dict[str, Any] = {
                "sort": json.dumps([{"numericId": "asc"}]),
                "paging": {"limit": limit, "offset": 0},
            }
            if last is not None:
                query["filter"] = json.dumps({"numericId": {"$gt": _numeric(last)}})
            body = self._request(
                "POST",
                "/stores/v1/products/query",
                json={"query": query, "includeVariants": True, "includeHiddenProducts": True},
                safe_to_retry=True,
            )
            products = body.get("products") or []
            for raw in products:
                product = parse_product_v1(raw)
                yield product
                if product.numeric_id is not None:
                    last = product.numeric_id
            total = body.get("totalResults")
            if len(products) < limit or (isinstance(total, int) and total <= len(products)):
                return
            if last is None:
                raise ValueError("v1 products carry no numericId: cannot page past the first")

    def inventory_levels(self) -> dict[VariantRef, int]:
        """Tracked quantity of every variant (products are queried with their variants)."""
        return {
            v.ref: int(v.quantity or 0)
            for p in self.iter_products()
            for v in p.variants
            if v.track_quantity
        }

    def get_product(self, product_id: str) -> Product:
        # The official SDK reads single products from the reader service, id repeated as query.
        body = self._request(
            "GET",
            f"/stores-reader/v1/products/{path_id(product_id, 'product id')}",
            params={"id": product_id},
        )
        return parse_product_v1(req(body, "product", "response"))

    def _product_body(self, spec: ProductSpec) -> dict[str, Any]:
        body: dict[str, Any] = {
            "name": spec.name,
            "productType": "physical",
            "visible": spec.visible,
            "description": spec.description,
            "priceData": {"price": as_json_number(spec.price)},
            "manageVariants": bool(spec.options),
            "productOptions": [
                {
                    "name": name,
                    "optionType": "drop_down",
                    "choices": [{"value": c, "description": c} for c in choices],
                }
                for name, choices in spec.options
            ],
        }
        if not spec.options:
            body["sku"] = spec.sku or ""
        return body

    def create_product(self, spec: ProductSpec) -> Product:
        check_spec(spec)
        body = self._request(
            "POST", "/stores/v1/products", json={"product": self._product_body(spec)}
        )
        product = parse_product_v1(req(body, "product", "response"))
        return self._apply_variants(product, spec)

    def update_product(self, product_id: str, spec: ProductSpec) -> Product:
        """PATCH the product (Wix regenerates the cartesian variants), then set variant SKUs."""
        check_spec(spec)
        body = self._request(
            "PATCH",
            f"/stores/v1/products/{path_id(product_id, 'product id')}",
            json={"product": {**self._product_body(spec), "id": product_id}},
            safe_to_retry=True,
        )
        product = parse_product_v1(req(body, "product", "response"))
        return self._apply_variants(product, spec)

    def _apply_variants(self, product: Product, spec: ProductSpec) -> Product:
        """Set SKUs/prices of the spec's variants; hide generated combinations it lacks."""
        if not spec.options:
            return product
        if not product.variants:
            product = self.get_product(product.id)
        wanted = {choices_key(v.choices): v for v in spec.variants}
        current = {choices_key(v.choices): v for v in product.variants}
        overrides: list[dict[str, Any]] = []
        for combo in combinations(spec.options):
            key = choices_key(combo)
            want = wanted.get(key)
            if want is not None:
                override: dict[str, Any] = {
                    "choices": combo,
                    "sku": want.sku,
                    "visible": want.visible,
                }
                if want.price is not None:
                    override["price"] = as_json_number(want.price)
            else:
                override = {"choices": combo, "visible": False}
                if current.get(key) is not None and current[key].sku:
                    override["sku"] = ""  # a SKU left from before must not stay on a hidden variant
            overrides.append(override)
        body = self._request(
            "PATCH",
            f"/stores/v1/products/{path_id(product.id, 'product id')}/variants",
            json={"id": product.id, "variants": overrides},
            safe_to_retry=True,
        )
        if body.get("variants"):
            return parse_product_v1({**product.raw, "variants": body["variants"]})
        return self.get_product(product.id)

    def delete_product(self, product_id: str) -> None:
        self._request(
            "DELETE",
            f"/stores/v1/products/{path_id(product_id, 'product id')}",
            params={"id": product_id},
        )

    def set_inventory(
        self,
        levels: Mapping[VariantRef, int],
        *,
        last_known: Mapping[VariantRef, int] | None = None,
    ) -> InventoryResult:
        """Increment/decrement from ``last_known`` (≤300 per call) or PATCH per product.

        Deltas are only possible where the last Wix quantity is known; whichever strategy
        needs fewer calls wins (§9), ties go to PATCH because absolute sets can be repeated.
        """
        last_known = last_known or {}
        changed = {r: max(0, int(q)) for r, q in levels.items() if last_known.get(r) != q}
        result = InventoryResult(strategy="none")
        if not changed:
            return result
        estimate = CallEstimate(self.version, self.plan)
        for group in by_product(changed).values():
            estimate.add(group, last_known)
        if not estimate.uses_deltas:
            result.strategy = "patch_per_product"
            self._patch_products(changed, result)
            return result
        unknown_products = {r.product_id for r in changed if r not in last_known}
        result.strategy = "increment_decrement" if not unknown_products else "mixed"
        self._patch_products(
            {r: q for r, q in changed.items() if r.product_id in unknown_products}, result
        )
        self._send_deltas(
            {
                r: q - last_known[r]
                for r, q in changed.items()
                if r.product_id not in unknown_products
            },
            result,
        )
        return result

    def _patch_products(self, levels: Mapping[VariantRef, int], result: InventoryResult) -> None:
        by_product: dict[str, list[VariantRef]] = defaultdict(list)
        for ref in levels:
            by_product[ref.product_id].append(ref)
        for product_id, refs in by_product.items():
            variants = [{"variantId": r.variant_id, "quantity": levels[r]} for r in refs]
            self._request(
                "PATCH",
                f"/stores/v2/inventoryItems/product/{path_id(product_id, 'product id')}",
                json={
                    "inventoryItem": {
                        "trackQuantity": True,
                        "variants": variants,
                        "productId": product_id,
                    }
                },
                safe_to_retry=True,
            )
            result.calls += 1
            result.updated.extend(refs)

    def _send_deltas(self, deltas: Mapping[VariantRef, int], result: InventoryResult) -> None:
        batch = self.plan.inventory_batch_v1
        for kind, sign, path in (
            ("increment", 1, "/stores/v2/inventoryItems/increment"),
            ("decrement", -1, "/stores/v2/inventoryItems/decrement"),
        ):
            refs = [r for r, d in deltas.items() if d * sign > 0]
            for start in range(0, len(refs), batch):
                chunk = refs[start : start + batch]
                items = [
                    {
                        "productId": r.product_id,
                        "variantId": r.variant_id,
                        f"{kind}By": abs(deltas[r]),
                    }
                    for r in chunk
                ]
                # Deltas must not be repeated after an unknown outcome: not safe to retry.
                self._request(
                    "POST",
                    path,
                    json={f"{kind}Data": items},
                    safe_to_retry=False,
                )
                result.calls += 1
                result.updated.extend(chunk)


def _numeric(value: str) -> int | str:
    return int(value) if value.isdigit() else value

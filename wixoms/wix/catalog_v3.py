"""Catalog v3: products with revisions and caller-sent variants; inventory items (§7)."""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from .catalog import CatalogBase, CatalogVersion, check_spec, choices_key, combinations
from .errors import WixConflict
from .models import (
    InventoryResult,
    Product,
    ProductSpec,
    Variant,
    VariantRef,
    _get,
    req,
    to_decimal,
)
from .throughput import ThroughputPlan

TEXT = "TEXT_CHOICES"


def parse_product_v3(p: Mapping[str, Any]) -> Product:
    """A v3 product; variants only when the payload carries ``variantsInfo``."""
    where = f"product[{p.get('id', '?')}]"
    product_id = str(req(p, "id", where))
    options = [
        (str(req(o, "name", f"{where}.options")),
         [str(c.get("name")) for c in _get(o, "choicesSettings.choices") or []])
        for o in p.get("options") or []
    ]  # fmt: skip
    variants = []
    for i, v in enumerate(_get(p, "variantsInfo.variants") or []):
        vw = f"{where}.variantsInfo.variants[{i}]"
        choices = {}
        for c in v.get("choices") or []:
            names = c.get("optionChoiceNames") or {}
            choices[str(names.get("optionName"))] = str(names.get("choiceName"))
        amount = _get(v, "price.actualPrice.amount")
        variants.append(
            Variant(
                id=str(req(v, "id", vw)),
                product_id=product_id,
                sku=v.get("sku") or None,
                choices=choices,
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


@dataclass(frozen=True)
class InventoryItemRef:
    item_id: str
    revision: str | None
    location_id: str | None = None


class RevisionCache:
    """Inventory item ids and revisions per variant, per instance, kept between pushes."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._items: dict[str, dict[VariantRef, InventoryItemRef]] = {}

    def for_instance(self, instance_id: str) -> dict[VariantRef, InventoryItemRef]:
        with self._lock:
            return self._items.setdefault(instance_id, {})

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


revision_cache = RevisionCache()


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
        self._items = cache.for_instance(instance_id)

    # --- products -------------------------------------------------------------------------

    def _query_pages(self, path: str, query: dict[str, Any], key: str) -> Iterator[list[dict]]:
        cursor: str | None = None
        limit = self.plan.products_page_size
        while True:
            q = {"cursorPaging": {"limit": limit, "cursor": cursor}}
            if cursor is None:
                q = {**query, **q}
            body = self._request("POST", path, json={"query": q}, safe_to_retry=True)
            yield body.get(key) or []
            meta = body.get("pagingMetadata") or body.get("metadata") or {}
            cursor = _get(meta, "cursors.next")
            if not cursor or meta.get("hasNext") is False:
                return

    def iter_products(self) -> Iterator[Product]:
        """Query pages; products whose page lacks ``variantsInfo`` are read one by one."""
        query = {"sort": [{"fieldName": "createdDate", "order": "ASC"}]}
        for page in self._query_pages("/stores/v3/products/query", query, "products"):
            for raw in page:
                yield (
                    parse_product_v3(raw) if _get(raw, "variantsInfo.variants")
                    else self.get_product(str(req(raw, "id", "product")))
                )  # fmt: skip

    def get_product(self, product_id: str) -> Product:
        body = self._request("GET", f"/stores/v3/products/{product_id}")
        return parse_product_v3(req(body, "product", "response"))

    def find_variants_by_sku(self, skus: Iterable[str]) -> dict[str, VariantRef]:
        """Read inventory items (one per variant, ~100 per call) rather than every product."""
        wanted = {s for s in skus if s}
        found: dict[str, VariantRef] = {}
        saw_sku_field = False
        for page in self._query_pages("/stores/v3/inventory-items/query", {}, "inventoryItems"):
            for item in page:
                self._remember(item)
                sku = _get(item, "product.variantSku")
                saw_sku_field = saw_sku_field or sku is not None
                if sku in wanted and sku not in found:
                    found[sku] = VariantRef(str(item["productId"]), str(item["variantId"]))
            if wanted <= found.keys():
                return found
        if not saw_sku_field and wanted - found.keys():
            found.update(super().find_variants_by_sku(wanted - found.keys()))
        return found

    def inventory_levels(self) -> dict[VariantRef, int]:
        """Tracked quantity of every variant, read from inventory items (revisions cached)."""
        levels: dict[VariantRef, int] = {}
        for page in self._query_pages("/stores/v3/inventory-items/query", {}, "inventoryItems"):
            for item in page:
                self._remember(item)
                if item.get("trackQuantity") and item.get("productId") and item.get("variantId"):
                    ref = VariantRef(str(item["productId"]), str(item["variantId"]))
                    levels[ref] = int(item.get("quantity") or 0)
        return levels

    def _product_body(self, spec: ProductSpec, existing: Product | None) -> dict[str, Any]:
        current = {choices_key(v.choices): v for v in existing.variants} if existing else {}
        wanted = {choices_key(v.choices): v for v in spec.variants}
        variants = []
        for combo in combinations(spec.options) or [{}]:
            key = choices_key(combo)
            want = wanted.get(key)
            variant: dict[str, Any] = {
                "choices": [
                    {"optionChoiceNames": {"optionName": n, "choiceName": c, "renderType": TEXT}}
                    for n, c in combo.items()
                ],
                "price": {"actualPrice": {"amount": str(spec.price)}},
            }
            if not combo:
                variant.update(sku=spec.sku or "", visible=True)
            elif want is not None:
                variant.update(sku=want.sku, visible=want.visible)
                if want.price is not None:
                    variant["price"] = {"actualPrice": {"amount": str(want.price)}}
            else:
                variant["visible"] = False  # a combination the OMS lacks: hidden, no SKU
                if key in current and current[key].sku:
                    variant["sku"] = ""  # a SKU left from before must not stay on it
            if key in current:
                variant["id"] = current[key].id
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
        check_spec(spec)
        body = self._request(
            "POST", "/stores/v3/products", json={"product": self._product_body(spec, None)}
        )
        return parse_product_v3(req(body, "product", "response"))

    def update_product(self, product_id: str, spec: ProductSpec) -> Product:
        """GET for the revision and variant ids, then PATCH with every combination."""
        check_spec(spec)
        current = self.get_product(product_id)
        product = {**self._product_body(spec, current), "id": product_id}
        product["revision"] = current.revision
        body = self._request(
            "PATCH", f"/stores/v3/products/{product_id}", json={"product": product}
        )
        return parse_product_v3(req(body, "product", "response"))

    def delete_product(self, product_id: str) -> None:
        self._request("DELETE", f"/stores/v3/products/{product_id}")

    # --- inventory ------------------------------------------------------------------------

    def _remember(self, item: Mapping[str, Any]) -> None:
        if not item.get("id") or not item.get("variantId") or not item.get("productId"):
            return
        ref = VariantRef(str(item["productId"]), str(item["variantId"]))
        location = item.get("locationId")
        known = self._items.get(ref)
        if self.location_id and location and location != self.location_id:
            return
        # Without a configured location keep the first item seen: one location is the norm.
        if known is None or known.item_id == item["id"] or self.location_id:
            rev = item.get("revision")
            self._items[ref] = InventoryItemRef(
                str(item["id"]), str(rev) if rev is not None else None, location
            )

    def _load_items(self, product_ids: set[str], result: InventoryResult) -> None:
        ids = sorted(product_ids)
        for start in range(0, len(ids), 100):
            chunk = ids[start : start + 100]
            query = {"filter": {"productId": {"$in": chunk}}}
            for page in self._query_pages(
                "/stores/v3/inventory-items/query", query, "inventoryItems"
            ):
                result.calls += 1
                for item in page:
                    self._remember(item)

    def set_inventory(
        self,
        levels: Mapping[VariantRef, int],
        *,
        last_known: Mapping[VariantRef, int] | None = None,
    ) -> InventoryResult:
        """Bulk-update absolute quantities; revisions come from the cache or one query per
        100 products; stale revisions (409) are re-read and retried once."""
        last_known = last_known or {}
        changed = {r: max(0, int(q)) for r, q in levels.items() if last_known.get(r) != q}
        result = InventoryResult(strategy="bulk_update" if changed else "none")
        pending = dict(changed)
        for attempt in range(2):
            missing = {r.product_id for r in pending if r not in self._items}
            if missing:
                self._load_items(missing, result)
            for ref in [r for r in pending if r not in self._items]:
                result.failed[ref] = "variant has no inventory item in Wix"
                del pending[ref]
            stale = self._bulk_update(pending, result)
            if not stale:
                break
            for ref in stale:
                self._items.pop(ref, None)
            pending = {r: pending[r] for r in stale}
            if attempt == 1:
                result.failed.update({r: "revision mismatch" for r in stale})
        return result

    def _bulk_update(self, levels: Mapping[VariantRef, int], result: InventoryResult) -> list:
        stale: list[VariantRef] = []
        refs = list(levels)
        size = self.plan.inventory_batch_v3
        for start in range(0, len(refs), size):
            chunk = refs[start : start + size]
            items = [
                {"inventoryItem": {
                    "id": self._items[r].item_id, "revision": self._items[r].revision,
                    "trackQuantity": True, "quantity": levels[r],
                }}
                for r in chunk
            ]  # fmt: skip
            try:
                # Absolute quantities guarded by revisions cannot double-apply: safe to repeat.
                body = self._request(
                    "POST",
                    "/stores/v3/bulk/inventory-items/update",
                    json={"inventoryItems": items, "returnEntity": True, "reason": "MANUAL"},
                    safe_to_retry=True,
                )
            except WixConflict:
                result.calls += 1
                stale.extend(chunk)
                continue
            result.calls += 1
            stale.extend(self._read_bulk_results(chunk, body, result))
        return stale

    def _read_bulk_results(
        self, chunk: list[VariantRef], body: Mapping[str, Any], result: InventoryResult
    ) -> list[VariantRef]:
        stale = []
        results = body.get("results")
        if not isinstance(results, list):
            result.updated.extend(chunk)
            for ref in chunk:
                self._items.pop(ref, None)  # new revision unknown: re-read next time
            return stale
        for i, ref in enumerate(chunk):
            entry = results[i] if i < len(results) else {}
            meta = entry.get("itemMetadata") or {}
            index = meta.get("originalIndex")
            if isinstance(index, int) and 0 <= index < len(chunk):
                ref = chunk[index]
            if meta.get("success", True) is False:
                error = meta.get("error") or {}
                text = f"{error.get('code', '')} {error.get('description', '')}".strip()
                if "revision" in text.lower() or "conflict" in text.lower():
                    stale.append(ref)
                else:
                    result.failed[ref] = text or "rejected by Wix"
                continue
            result.updated.append(ref)
            item = entry.get("item")
            if isinstance(item, Mapping) and item.get("revision") is not None:
                self._remember(item)
            else:
                self._items.pop(ref, None)
        return stale

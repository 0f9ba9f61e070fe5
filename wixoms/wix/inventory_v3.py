"""Catalog v3 inventory items: one per variant and location, absolute quantities (§7, §10).

What Wix's own SDK (``@wix/auto_sdk_stores_inventory-items-v-3`` 1.0.98) says and this module
follows: the query is ``GET /stores/v3/inventory-items/query?.r=…`` with cursor pages of up to
1000 items, only the cursor after the first page and no ``hasNext`` in the metadata; Bulk Update
takes 1–1000 items, each ``{"inventoryItem": {"id", "revision", "quantity"}}`` (``trackQuantity``
is read-only: sending a quantity makes the item quantity-tracked); Bulk Create makes the items a
variant lacks (Create Product makes none).
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from .catalog import Request, sdk_query
from .errors import WixConflict, WixServerError, WixUnavailable
from .models import InventoryResult, VariantRef, _get
from .throughput import WIX_V3_INVENTORY_PAGE_MAX, ThroughputPlan

QUERY_PATH = "/stores/v3/inventory-items/query"
# productId $in filters travel base64-encoded in the URL: 100 ids keep it near 5 KB.
PRODUCTS_PER_QUERY = 100


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


def query_pages(
    request: Request,
    path: str,
    query: Mapping[str, Any],
    key: str,
    *,
    limit: int,
    fields: list[str] | None = None,
) -> Iterator[list[dict]]:
    """Cursor pages of a v3 query, sent as the official SDK sends it (GET with ``.r``).

    After the first page only the cursor (and limit) goes out: Wix forbids repeating filter
    and sort. The last page is the one without ``cursors.next`` (``hasNext`` may be absent).
    """
    cursor: str | None = None
    while True:
        paging: dict[str, Any] = {"limit": limit}
        if cursor:
            payload: dict[str, Any] = {"query": {"cursorPaging": {"cursor": cursor, **paging}}}
        else:
            payload = {"query": {**query, "cursorPaging": paging}}
        if fields:
            payload["fields"] = list(fields)
        body = request("GET", path, params=sdk_query(payload))
        yield body.get(key) or []
        meta = body.get("pagingMetadata") or body.get("metadata") or {}
        cursor = _get(meta, "cursors.next")
        if not cursor or meta.get("hasNext") is False:
            return


class InventoryItemsV3:
    """Reads and sets the stock of v3 variants through their inventory items."""

    def __init__(
        self,
        request: Request,
        plan: ThroughputPlan,
        *,
        instance_id: str = "",
        location_id: str | None = None,
        cache: RevisionCache = revision_cache,
    ) -> None:
        self._request = request
        self.plan = plan
        self.location_id = location_id
        self._items = cache.for_instance(instance_id)
        self._unanswered: set[VariantRef] = set()  # writes whose answer was lost (set_levels)

    def pages(self, query: Mapping[str, Any] | None = None) -> Iterator[list[dict]]:
        """Every inventory item (of the products the filter names), 1000 per call."""
        return query_pages(
            self._request, QUERY_PATH, query or {}, "inventoryItems",
            limit=WIX_V3_INVENTORY_PAGE_MAX,
        )  # fmt: skip

    def levels(self) -> dict[VariantRef, int]:
        """Tracked quantity of every variant (negative when Wix oversold); revisions cached."""
        levels: dict[VariantRef, int] = {}
        for page in self.pages():
            for item in page:
                self.remember(item)
                if item.get("trackQuantity") and item.get("productId") and item.get("variantId"):
                    ref = VariantRef(str(item["productId"]), str(item["variantId"]))
                    levels[ref] = int(item.get("quantity") or 0)
        return levels

    def skus(self, wanted: set[str]) -> tuple[dict[str, VariantRef], bool]:
        """SKUs found among the items' ``product.variantSku``; False when none carried one."""
        found: dict[str, VariantRef] = {}
        saw_sku_field = False
        for page in self.pages():
            for item in page:
                self.remember(item)
                sku = _get(item, "product.variantSku")
                saw_sku_field = saw_sku_field or sku is not None
                if sku in wanted and sku not in found:
                    found[sku] = VariantRef(str(item["productId"]), str(item["variantId"]))
            if wanted <= found.keys():
                break
        return found, saw_sku_field

    def remember(self, item: Mapping[str, Any]) -> None:
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

    def create_missing(self, product_id: str, variant_ids: Iterable[str]) -> None:
        """Bulk Create Inventory Items for variants Wix gave none (quantity 0, tracked)."""
        items = []
        for variant_id in variant_ids:
            item: dict[str, Any] = {"variantId": variant_id, "productId": product_id, "quantity": 0}
            if self.location_id:
                item["locationId"] = self.location_id
            items.append(item)
        for start in range(0, len(items), self.plan.inventory_batch_v3):
            chunk = items[start : start + self.plan.inventory_batch_v3]
            body = self._request(
                "POST",
                "/stores/v3/bulk/inventory-items/create",
                json={"inventoryItems": chunk, "returnEntity": True},
            )
            for entry in body.get("results") or []:
                if isinstance(entry.get("item"), Mapping):
                    self.remember(entry["item"])

    # --- pushing absolute quantities ---------------------------------------------------

    def _load(self, product_ids: set[str], result: InventoryResult) -> None:
        ids = sorted(product_ids)
        for start in range(0, len(ids), PRODUCTS_PER_QUERY):
            query = {"filter": {"productId": {"$in": ids[start : start + PRODUCTS_PER_QUERY]}}}
            for page in self.pages(query):
                result.calls += 1
                for item in page:
                    self.remember(item)

    def set_levels(self, changed: Mapping[VariantRef, int]) -> InventoryResult:
        """Bulk-update absolute quantities; revisions come from the cache or one query per
        100 products; stale revisions (409) are re-read and retried once.

        A write whose answer was lost (timeout, 5xx after the transport's retries) may have
        been applied, and then its retry meets a revision it moved itself: before reporting
        such a variant failed, Wix is read back, and a quantity Wix already has is a success.
        """
        result = InventoryResult(strategy="bulk_update" if changed else "none")
        pending = dict(changed)
        self._unanswered = set()
        for attempt in range(2):
            missing = {r.product_id for r in pending if r not in self._items}
            if missing:
                self._load(missing, result)
            for ref in [r for r in pending if r not in self._items]:
                result.failed[ref] = "variant has no inventory item in Wix"
                del pending[ref]
            stale = self._bulk_update(pending, result)
            if not stale:
                break
            for ref in stale:
                self._items.pop(ref, None)
            pending = {r: pending[r] for r in stale}
            if self._unanswered or attempt == 1:
                pending = self._read_back(pending, result)
            if attempt == 1:
                result.failed.update(
                    {
                        r: "no answer from Wix (timed out)"
                        if r in self._unanswered
                        else "revision mismatch"
                        for r in pending
                    }
                )
            if not pending:
                break
        return result

    def _read_back(
        self, levels: Mapping[VariantRef, int], result: InventoryResult
    ) -> dict[VariantRef, int]:
        """Read the items from Wix; those already at their quantity count as updated.

        Returns the rest (their revisions are now fresh in the cache for a retry).
        """
        wix: dict[VariantRef, int] = {}
        ids = sorted({r.product_id for r in levels})
        for start in range(0, len(ids), PRODUCTS_PER_QUERY):
            query = {"filter": {"productId": {"$in": ids[start : start + PRODUCTS_PER_QUERY]}}}
            for page in self.pages(query):
                result.calls += 1
                for item in page:
                    self.remember(item)
                    if item.get("trackQuantity") and item.get("variantId"):
                        ref = VariantRef(str(item["productId"]), str(item["variantId"]))
                        if self._items.get(ref) and self._items[ref].item_id == item["id"]:
                            wix[ref] = int(item.get("quantity") or 0)
        rest = {}
        for ref, quantity in levels.items():
            if wix.get(ref) == quantity:
                result.updated.append(ref)
                self._unanswered.discard(ref)
            else:
                rest[ref] = quantity
        return rest

    def _bulk_update(self, levels: Mapping[VariantRef, int], result: InventoryResult) -> list:
        stale: list[VariantRef] = []
        refs = list(levels)
        size = self.plan.inventory_batch_v3
        for start in range(0, len(refs), size):
            chunk = refs[start : start + size]
            items = [
                {"inventoryItem": {
                    "id": self._items[r].item_id, "revision": self._items[r].revision,
                    "quantity": levels[r],
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
            except (WixUnavailable, WixServerError):
                # The answer was lost: the write may or may not be in Wix. Read back, then retry.
                result.calls += 1
                self._unanswered.update(chunk)
                stale.extend(chunk)
                continue
            result.calls += 1
            stale.extend(self._read_results(chunk, body, result))
        return stale

    def _read_results(
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
                self.remember(item)
            else:
                self._items.pop(ref, None)
        return stale

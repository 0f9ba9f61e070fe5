"""The SKUs a site sells, for pickers: one line per SKU with its product and variant names.

Catalog V3: inventory items (one per variant and location) carry ``product.name``,
``product.variantName`` and ``product.variantSku`` (npm @wix/auto_sdk_stores_inventory-items-v-3,
meta.d.ts, interface Product), so a few queries list the whole store (wix-api.md §7, §10).
Catalog V1: the products query with variants (§6). Either way the list stops at ``limit``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from .catalog import CatalogVersion
from .client import WixClient
from .inventory_v3 import QUERY_PATH, query_pages
from .throughput import WIX_V3_INVENTORY_PAGE_MAX


@dataclass(frozen=True)
class WixSku:
    sku: str
    product_name: str
    variant_name: str = ""

    @property
    def label(self) -> str:
        """'TEE-L — Wix Tee (L)'."""
        names = self.product_name + (f" ({self.variant_name})" if self.variant_name else "")
        return f"{self.sku} — {names}" if names else self.sku


def list_skus(client: WixClient, version: CatalogVersion, limit: int = 1000) -> list[WixSku]:
    """The site's distinct SKUs (variants without a SKU are left out), at most ``limit``."""
    found: dict[str, WixSku] = {}
    if version is CatalogVersion.V3:
        _collect(found, _v3_skus(client), limit)
    if not found:  # V1, or inventory items that do not name their SKU: read the products
        _collect(found, _product_skus(client, version), limit)
    return sorted(found.values(), key=lambda s: s.sku.lower())


def _collect(found: dict[str, WixSku], source: Iterator[WixSku], limit: int) -> None:
    for item in source:
        if item.sku and item.sku not in found:
            found[item.sku] = item
            if len(found) >= limit:
                return


def _v3_skus(client: WixClient) -> Iterator[WixSku]:
    """Pages of inventory items, read as the official SDK does (GET with ``.r``)."""
    pages = query_pages(
        client.request, QUERY_PATH, {}, "inventoryItems", limit=WIX_V3_INVENTORY_PAGE_MAX
    )
    for page in pages:
        for item in page:
            product = item.get("product") or {}
            yield WixSku(
                str(product.get("variantSku") or ""),
                str(product.get("name") or ""),
                str(product.get("variantName") or ""),
            )


def _product_skus(client: WixClient, version: CatalogVersion) -> Iterator[WixSku]:
    for product in client.catalog(version).iter_products():
        for variant in product.variants:
            choices = " / ".join(str(v) for v in (variant.choices or {}).values())
            yield WixSku(variant.sku or "", product.name, choices)

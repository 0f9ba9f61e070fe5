"""The catalog interface shared by Catalog v1 and Catalog v3 (wix-api.md §5–§7)."""

from __future__ import annotations

import base64
import itertools
import json
from collections.abc import Callable, Iterable, Iterator, Mapping
from decimal import Decimal
from enum import Enum
from typing import Any, Protocol, runtime_checkable

from .models import InventoryResult, Product, ProductSpec, Variant, VariantRef
from .throughput import ThroughputPlan

# (method, path, *, json=None, safe_to_retry=None) -> decoded JSON body
Request = Callable[..., Any]


class CatalogVersion(Enum):
    """The site's Wix Stores catalog (GET /stores/v3/provision/version); permanent per site."""

    V1 = "V1_CATALOG"
    V3 = "V3_CATALOG"
    NOT_INSTALLED = "STORES_NOT_INSTALLED"


@runtime_checkable
class CatalogGateway(Protocol):
    """Products, variants and stock of one site, whatever its catalog version."""

    version: CatalogVersion

    def iter_products(self) -> Iterator[Product]:
        """Every product with its variants, fetched page by page (never all in memory)."""
        ...

    def find_variants_by_sku(self, skus: Iterable[str]) -> dict[str, VariantRef]:
        """Map the given SKUs to their Wix variants; SKUs not in Wix are absent."""
        ...

    def create_product(self, spec: ProductSpec) -> Product:
        """Create a product with its options and variants as the spec says."""
        ...

    def update_product(self, product_id: str, spec: ProductSpec) -> Product:
        """Make the product match the spec, converting with-variants ↔ without as needed.

        Combinations of the options that the spec lacks stay in Wix hidden and without SKU.
        """
        ...

    def delete_product(self, product_id: str) -> None:
        """Delete the product in Wix."""
        ...

    def set_inventory(
        self,
        levels: Mapping[VariantRef, int],
        *,
        last_known: Mapping[VariantRef, int] | None = None,
    ) -> InventoryResult:
        """Set absolute stock quantities in as few calls as the API allows."""
        ...

    def generated_variants_without_sku(self, product: Product) -> list[Variant]:
        """Variants Wix generated (cartesian combinations) that carry no SKU."""
        ...

    def inventory_levels(self) -> dict[VariantRef, int]:
        """Wix's tracked quantity of every variant now (a ``last_known`` for set_inventory)."""
        ...


class CatalogBase:
    """What both versions share: the request function, plan and spec checks."""

    version: CatalogVersion

    def __init__(self, request: Request, plan: ThroughputPlan) -> None:
        self._request = request
        self.plan = plan

    def find_variants_by_sku(self, skus: Iterable[str]) -> dict[str, VariantRef]:
        wanted = {s for s in skus if s}
        found: dict[str, VariantRef] = {}
        if not wanted:
            return found
        for product in self.iter_products():  # type: ignore[attr-defined]
            for variant in product.variants:
                if variant.sku in wanted and variant.sku not in found:
                    found[variant.sku] = variant.ref
            if len(found) == len(wanted):
                break
        return found

    def generated_variants_without_sku(self, product: Product) -> list[Variant]:
        if not product.has_variants:
            return []
        return [v for v in product.variants if not v.sku]


def combinations(options: list[tuple[str, list[str]]]) -> list[dict[str, str]]:
    """Every cartesian combination of the options' choices, as Wix generates them."""
    if not options:
        return []
    names = [name for name, _ in options]
    return [
        dict(zip(names, combo, strict=True))
        for combo in itertools.product(*(choices for _, choices in options))
    ]


def check_spec(spec: ProductSpec) -> None:
    """Reject specs Wix would reject or that would silently lose data."""
    if not spec.name or len(spec.name) > 80:
        raise ValueError("product name must be 1..80 characters (Wix limit)")
    if not spec.options:
        if spec.variants:
            raise ValueError("variants need options")
        return
    names = [name for name, _ in spec.options]
    for variant in spec.variants:
        if set(variant.choices) != set(names):
            raise ValueError(f"variant {variant.sku} must choose every option {names}")
        for name, value in variant.choices.items():
            if value not in dict(spec.options)[name]:
                raise ValueError(f"variant {variant.sku}: {value!r} is not a choice of {name}")
    skus = [v.sku for v in spec.variants]
    if len(set(skus)) != len(skus):
        raise ValueError("variant SKUs must be unique")


def choices_key(choices: Mapping[str, str]) -> frozenset[tuple[str, str]]:
    return frozenset(choices.items())


def sdk_query(payload: Mapping[str, Any]) -> dict[str, str]:
    """Query parameters as Wix's SDK sends a query: ``.r`` = base64url(JSON), unpadded.

    (``@wix/sdk-runtime`` rest-modules ``toURLSearchParams``: nested payloads of GET queries
    are serialised whole into the ``.r`` parameter.)
    """
    text = json.dumps(payload, separators=(",", ":"), ensure_ascii=False)
    return {".r": base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")}


def as_json_number(value: Decimal) -> float | int:
    """Catalog v1 sends prices as JSON numbers (wix-api.md §6)."""
    return int(value) if value == value.to_integral_value() else float(value)

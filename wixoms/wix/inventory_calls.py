"""How many Wix calls an inventory update costs: the one place this is counted (§9).

Catalog v1 chooses between PATCH per product (absolute) and batched increment/decrement
(deltas, possible only where Wix's current quantity is known) by this count; the inventory push
uses the same count to cut its work into groups that fit the plan's rate.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, replace

from .catalog import CatalogVersion
from .inventory_v3 import PRODUCTS_PER_QUERY
from .models import VariantRef
from .throughput import ThroughputPlan


@dataclass
class CallEstimate:
    """Calls ``set_inventory`` makes for the products added so far, one product at a time."""

    version: CatalogVersion
    plan: ThroughputPlan
    products: int = 0
    refs: int = 0
    absolute_products: int = 0  # v1: products with a variant whose Wix quantity is unknown
    increments: int = 0
    decrements: int = 0

    def add(self, levels: Mapping[VariantRef, int], last_known: Mapping[VariantRef, int]) -> None:
        """Count one product's changed variants (``levels``) against what Wix has."""
        self.products += 1
        self.refs += len(levels)
        if any(r not in last_known for r in levels):
            self.absolute_products += 1
            return
        self.increments += sum(1 for r, q in levels.items() if q > last_known[r])
        self.decrements += sum(1 for r, q in levels.items() if q < last_known[r])

    def plus(self, levels: Mapping[VariantRef, int], last_known: Mapping[VariantRef, int]) -> int:
        """The calls if one more product were added."""
        other = replace(self)
        other.add(levels, last_known)
        return other.calls

    @property
    def uses_deltas(self) -> bool:
        """v1: deltas win only when strictly cheaper (absolute sets can be repeated safely)."""
        if self.version is not CatalogVersion.V1 or not self.increments + self.decrements:
            return False
        batch = self.plan.inventory_batch_v1
        deltas = (
            self.absolute_products
            + math.ceil(self.increments / batch)
            + math.ceil(self.decrements / batch)
        )
        return deltas < self.products

    @property
    def calls(self) -> int:
        if self.version is CatalogVersion.V1:
            if not self.uses_deltas:
                return self.products
            batch = self.plan.inventory_batch_v1
            return (
                self.absolute_products
                + math.ceil(self.increments / batch)
                + math.ceil(self.decrements / batch)
            )
        return math.ceil(self.refs / self.plan.inventory_batch_v3) + math.ceil(
            self.products / PRODUCTS_PER_QUERY
        )


def by_product(refs: Mapping[VariantRef, int]) -> dict[str, dict[VariantRef, int]]:
    """Levels grouped by Wix product, in the order given."""
    groups: dict[str, dict[VariantRef, int]] = {}
    for ref, quantity in refs.items():
        groups.setdefault(ref.product_id, {})[ref] = quantity
    return groups

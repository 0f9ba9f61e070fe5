"""The sync kinds and their functions: ``@sync_kind("orders")`` registers ``fn(ctx)``."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from wixoms.sync.runs.context import RunContext

KINDS = ("orders", "inventory", "products", "catalog_import", "fulfillments")
KIND_LABELS = {
    "orders": "Orders download",
    "inventory": "Inventory push",
    "products": "Product push",
    "catalog_import": "Catalog import",
    "fulfillments": "Fulfillment push",
}

SYNC_FUNCTIONS: dict[str, Callable[[RunContext], None]] = {}


def sync_kind(kind: str) -> Callable[[Callable[[RunContext], None]], Callable[[RunContext], None]]:
    """Register ``fn`` as the sync function of ``kind``."""
    if kind not in KINDS:
        raise ValueError(f"unknown sync kind {kind!r}; one of {KINDS}")

    def register(fn: Callable[[RunContext], None]) -> Callable[[RunContext], None]:
        SYNC_FUNCTIONS[kind] = fn
        return fn

    return register


def load_sync_modules() -> None:
    """Import wixoms.sync.<kind> modules so their @sync_kind functions are registered."""
    for kind in KINDS:
        name = f"wixoms.sync.{kind}"
        try:
            importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise

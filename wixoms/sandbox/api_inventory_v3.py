"""Catalog v3 inventory items (/stores/v3/inventory-items, /stores/v3/bulk/inventory-items).

Sources: wix-api.md §7 and §10; ``@wix/auto_sdk_stores_inventory-items-v-3`` 1.0.98 typings.
An item exists only for a variant that was given one (products-with-inventory or Bulk Create);
the query pages up to 1000 items and its metadata has no ``hasNext``; Bulk Update takes 1–1000
items; ``trackQuantity`` is read-only (a quantity makes an item quantity-tracked, ``inStock``
status-tracked); quantities run from −99999 to 99999.
"""

from __future__ import annotations

from flask import Blueprint, jsonify

from . import catalog, catalog_v3, scopes
from .api_catalog_v3 import paged, v3_site
from .catalog_render import render_v3_inventory_item
from .errors import WixError, invalid
from .gateway import body, bulk_meta, item_error, store, wix_api

bp = Blueprint("wix_inventory_v3", __name__)

INVENTORY, INVENTORY_READ = scopes.INVENTORY_MANAGE, scopes.INVENTORY_READ


def _inventory_docs(site) -> list[dict]:
    st = store()
    with st.lock:
        return [
            render_v3_inventory_item(p, v, site)
            for p in st.site_products[site.id].values()
            for v in p.variants
            if v.inventory_id
        ]


@bp.route("/stores/v3/inventory-items/query", methods=["GET", "POST"])
@wix_api(scope=INVENTORY_READ)
def query_inventory(caller):
    """The official SDK sends ``GET …/inventory-items/query?.r=<base64 JSON>``."""
    site = v3_site(caller)
    limit = store().config["inventory_page_max"]
    query = body().get("query") or {}
    return paged("inventoryItems", _inventory_docs(site), query, "v3inventory", limit)


def _locate(site, item_id: str):
    st = store()
    where = st.inventory_index.get(item_id)
    product = st.products.get(where[0]) if where else None
    if product is None or product.site_id != site.id:
        raise WixError(404, f"inventory item {item_id} not found", "INVENTORY_ITEM_NOT_FOUND")
    variant = next(v for v in product.variants if v.id == where[1])
    return product, variant


def _apply_item(site, item: dict):
    """Absolute quantity (or inStock) with the current revision; trackQuantity is read-only."""
    st = store()
    product, variant = _locate(site, str(item.get("id") or ""))
    catalog.check_revision(
        item.get("revision"), variant.inventory_revision, "inventoryItem.revision"
    )
    quantity = catalog.check_quantity(item.get("quantity"), "inventoryItem.quantity")
    if quantity is not None:
        catalog.set_stock(variant, True, quantity, None)
    elif item.get("inStock") is not None:
        catalog.set_stock(variant, False, None, bool(item["inStock"]))
    variant.inventory_revision += 1
    variant.inventory_updated = st.stamp()
    return product, variant


@bp.get("/stores/v3/inventory-items/<item_id>")
@wix_api(scope=INVENTORY_READ)
def get_inventory_item(caller, item_id: str):
    site = v3_site(caller)
    with store().lock:
        product, variant = _locate(site, item_id)
        return jsonify({"inventoryItem": render_v3_inventory_item(product, variant, site)})


@bp.patch("/stores/v3/inventory-items/<item_id>")
@wix_api(scope=INVENTORY)
def update_inventory_item(caller, item_id: str):
    site = v3_site(caller)
    item = body().get("inventoryItem")
    if not isinstance(item, dict):
        raise invalid("inventoryItem", "is required")
    st = store()
    with st.lock:
        product, variant = _apply_item(site, {**item, "id": item_id})
        doc = render_v3_inventory_item(product, variant, site)
    st.emit("inventory_changed", product, variants=[variant])
    return jsonify({"inventoryItem": doc})


def _bulk(caller, apply, id_of=lambda raw: None) -> tuple[list[dict], list[tuple]]:
    """A bulk call of 1–1000 items: ``apply(site, index, raw)`` per item, each its own
    result (``id_of(raw)``: the item id a failure still names); a failing item fails alone.
    Returns (results, changed (product, variant))."""
    site = v3_site(caller)
    data = body()
    items = data.get("inventoryItems")
    st = store()
    limit = st.config["bulk_inventory_max"]
    if not isinstance(items, list) or not 1 <= len(items) <= limit:
        raise invalid("inventoryItems", f"send 1 to {limit} items", "MAX_SIZE")
    results, changed = [], []
    with st.lock:
        for index, raw in enumerate(items):
            meta: dict = {"originalIndex": index, "success": True}
            if id_of(raw):
                meta["id"] = id_of(raw)
            result: dict = {"itemMetadata": meta}
            try:
                product, variant = apply(site, index, raw)
            except WixError as exc:
                meta["success"] = False
                meta["error"] = item_error(exc.code, exc.message)
            else:
                meta["id"] = variant.inventory_id
                changed.append((product, variant))
                if data.get("returnEntity"):
                    result["item"] = render_v3_inventory_item(product, variant, site)
            results.append(result)
    return results, changed


def _bulk_answer(results: list[dict]):
    return jsonify({"results": results, "bulkActionMetadata": bulk_meta(results)})


@bp.post("/stores/v3/bulk/inventory-items/update")
@wix_api(scope=INVENTORY)
def bulk_update_inventory(caller):
    """Per-item results: a stale revision fails that item, not the call."""

    def item(wrapper) -> dict:
        return (wrapper or {}).get("inventoryItem") or {} if isinstance(wrapper, dict) else {}

    def update(site, _index, wrapper):
        return _apply_item(site, item(wrapper))

    results, changed = _bulk(caller, update, id_of=lambda wrapper: item(wrapper).get("id"))
    for product, variant in changed:
        store().emit("inventory_changed", product, variants=[variant])
    return _bulk_answer(results)


@bp.post("/stores/v3/bulk/inventory-items/create")
@wix_api(scope=INVENTORY)
def bulk_create_inventory(caller):
    """Items for variants that have none (e.g. variants an update added)."""

    def create(site, index, raw):
        return catalog_v3.create_inventory_item(store(), site, raw, f"inventoryItems[{index}]")

    results, _changed = _bulk(caller, create)
    return _bulk_answer(results)

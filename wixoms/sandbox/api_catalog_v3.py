"""Catalog v3 (/stores/v3): version check, products, inventory items."""

from __future__ import annotations

from flask import Blueprint, jsonify

from . import catalog, catalog_v3
from .catalog_render import render_v3_inventory_item, render_v3_product
from .errors import WixError, invalid
from .filters import cursor_page, read_cursor_paging, sort_spec_v3
from .gateway import body, store, wix_api
from .models import V3

bp = Blueprint("wix_catalog_v3", __name__)

READ = "SCOPE.DC-STORES.READ-PRODUCTS"
MANAGE = "SCOPE.DC-STORES.MANAGE-PRODUCTS"
INVENTORY = "SCOPE.DC-STORES.MANAGE-INVENTORY"


@bp.get("/stores/v3/provision/version")
@wix_api()
def catalog_version(caller):
    """Works on every site, whatever its catalog."""
    return jsonify({"catalogVersion": caller.site.catalog_version})


def _v3_site(caller):
    catalog.require_catalog(caller.site, V3)
    return caller.site


def _paged(items_key: str, docs: list[dict], query: dict, scope: str):
    if not isinstance(query, dict):
        raise invalid("query", "must be an object", "FORMAT")
    limit, cursor = read_cursor_paging(query.get("cursorPaging"))
    flt, sort = query.get("filter"), query.get("sort")
    if cursor and (flt or sort) and store().config["strict_cursor"]:
        raise invalid("query.cursorPaging.cursor", "filter and sort must not be sent with a cursor")
    spec = sort_spec_v3(sort)
    page, next_cursor = cursor_page(docs, flt, spec, limit, cursor, scope)
    cursors = {"next": next_cursor} if next_cursor else {}
    meta = {"count": len(page), "cursors": cursors, "hasNext": next_cursor is not None}
    return jsonify({items_key: page, "pagingMetadata": meta})


def _product_docs(site, include_variants: bool = False) -> list[dict]:
    st = store()
    with st.lock:
        return [render_v3_product(p, include_variants) for p in st.site_products[site.id].values()]


@bp.post("/stores/v3/products/query")
@wix_api(scope=READ)
def query_products(caller):
    """Cursor paging; variants are not returned by a query."""
    site = _v3_site(caller)
    return _paged("products", _product_docs(site), body().get("query") or {}, "v3products")


@bp.post("/stores/v3/products/search")
@wix_api(scope=READ)
def search_products(caller):
    site = _v3_site(caller)
    search = body().get("search") or {}
    expression = search.get("expression") or (search.get("search") or {}).get("expression") or ""
    docs = _product_docs(site)
    if expression:
        needle = expression.lower()
        docs = [d for d in docs if needle in d["name"].lower() or needle in d["slug"]]
    query = {k: v for k, v in search.items() if k in ("filter", "sort", "cursorPaging")}
    return _paged("products", docs, query, "v3search")


@bp.get("/stores/v3/products/<product_id>")
@wix_api(scope=READ)
def get_product(caller, product_id: str):
    """The only read that gives variantsInfo."""
    site = _v3_site(caller)
    with store().lock:
        product = catalog.product_of(store(), site, product_id)
        return jsonify({"product": render_v3_product(product)})


@bp.post("/stores/v3/products")
@wix_api(scope=MANAGE)
def create_product(caller):
    site = _v3_site(caller)
    product = catalog_v3.create_v3_product(store(), site, body())
    with store().lock:
        return jsonify({"product": render_v3_product(product)})


@bp.patch("/stores/v3/products/<product_id>")
@wix_api(scope=MANAGE)
def update_product(caller, product_id: str):
    site = _v3_site(caller)
    product = catalog.product_of(store(), site, product_id)
    catalog_v3.update_v3_product(store(), product, body())
    with store().lock:
        return jsonify({"product": render_v3_product(product)})


@bp.delete("/stores/v3/products/<product_id>")
@wix_api(scope=MANAGE)
def delete_product(caller, product_id: str):
    site = _v3_site(caller)
    catalog.delete_product(store(), catalog.product_of(store(), site, product_id))
    return jsonify({})


def _bulk_meta(results: list[dict]) -> dict:
    ok = sum(1 for r in results if r["itemMetadata"]["success"])
    return {"totalSuccesses": ok, "totalFailures": len(results) - ok, "undetailedFailures": 0}


def _item_error(code: str, description: str) -> dict:
    return {"code": code, "description": description, "data": {}}


@bp.post("/stores/v3/bulk/products/delete")
@wix_api(scope=MANAGE)
def bulk_delete(caller):
    """1–100 ids; 200 with a result per item."""
    site = _v3_site(caller)
    ids = body().get("productIds")
    if not isinstance(ids, list) or not 1 <= len(ids) <= 100:
        raise invalid("productIds", "send 1 to 100 product ids", "MAX_SIZE")
    st = store()
    results = []
    for index, product_id in enumerate(ids):
        meta = {"id": product_id, "originalIndex": index, "success": True}
        product = st.site_products[site.id].get(product_id)
        if product is None:
            meta["success"] = False
            meta["error"] = _item_error("PRODUCT_NOT_FOUND", f"product {product_id} not found")
        else:
            catalog.delete_product(st, product)
        results.append({"itemMetadata": meta})
    return jsonify({"results": results, "bulkActionMetadata": _bulk_meta(results)})


# --- inventory items v3 -------------------------------------------------------------------


def _inventory_docs(site) -> list[dict]:
    st = store()
    with st.lock:
        return [
            render_v3_inventory_item(p, v, site)
            for p in st.site_products[site.id].values()
            for v in p.variants
        ]


@bp.post("/stores/v3/inventory-items/query")
@wix_api(scope=READ)
def query_inventory(caller):
    site = _v3_site(caller)
    return _paged("inventoryItems", _inventory_docs(site), body().get("query") or {}, "v3inventory")


def _locate(site, item_id: str):
    st = store()
    where = st.inventory_index.get(item_id)
    product = st.products.get(where[0]) if where else None
    if product is None or product.site_id != site.id:
        raise WixError(404, f"inventory item {item_id} not found", "INVENTORY_ITEM_NOT_FOUND")
    variant = next(v for v in product.variants if v.id == where[1])
    return product, variant


def _apply_item(site, item: dict):
    """Absolute quantity with the current revision; quantity only counts when tracked."""
    st = store()
    product, variant = _locate(site, str(item.get("id") or ""))
    catalog.check_revision(
        item.get("revision"), variant.inventory_revision, "inventoryItem.revision"
    )
    track = bool(item.get("trackQuantity", variant.track_quantity))
    catalog.set_stock(variant, track, item.get("quantity"), item.get("inStock"))
    variant.inventory_revision += 1
    variant.inventory_updated = st.stamp()
    return product, variant


@bp.get("/stores/v3/inventory-items/<item_id>")
@wix_api(scope=READ)
def get_inventory_item(caller, item_id: str):
    site = _v3_site(caller)
    with store().lock:
        product, variant = _locate(site, item_id)
        return jsonify({"inventoryItem": render_v3_inventory_item(product, variant, site)})


@bp.patch("/stores/v3/inventory-items/<item_id>")
@wix_api(scope=INVENTORY)
def update_inventory_item(caller, item_id: str):
    site = _v3_site(caller)
    item = body().get("inventoryItem")
    if not isinstance(item, dict):
        raise invalid("inventoryItem", "is required")
    st = store()
    with st.lock:
        product, variant = _apply_item(site, {**item, "id": item_id})
        doc = render_v3_inventory_item(product, variant, site)
    st.emit("inventory_changed", product, variants=[variant])
    return jsonify({"inventoryItem": doc})


@bp.post("/stores/v3/bulk/inventory-items/update")
@wix_api(scope=INVENTORY)
def bulk_update_inventory(caller):
    """Per-item results: a stale revision fails that item, not the call."""
    site = _v3_site(caller)
    data = body()
    items = data.get("inventoryItems")
    st = store()
    limit = st.config["bulk_inventory_max"]
    if not isinstance(items, list) or not 1 <= len(items) <= limit:
        raise invalid("inventoryItems", f"send 1 to {limit} items", "MAX_SIZE")
    results, changed = [], []
    with st.lock:
        for index, wrapper in enumerate(items):
            item = (wrapper or {}).get("inventoryItem") or {}
            meta = {"id": item.get("id", ""), "originalIndex": index, "success": True}
            result: dict = {"itemMetadata": meta}
            try:
                product, variant = _apply_item(site, item)
            except WixError as exc:
                meta["success"] = False
                meta["error"] = _item_error(exc.code, exc.message)
            else:
                changed.append((product, variant))
                if data.get("returnEntity"):
                    result["item"] = render_v3_inventory_item(product, variant, site)
            results.append(result)
    for product, variant in changed:
        st.emit("inventory_changed", product, variants=[variant])
    return jsonify({"results": results, "bulkActionMetadata": _bulk_meta(results)})

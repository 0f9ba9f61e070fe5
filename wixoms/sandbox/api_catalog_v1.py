"""Catalog v1 (/stores/v1, /stores-reader/v1) and inventory v1 (/stores/v2/inventoryItems)."""

from __future__ import annotations

from flask import Blueprint, jsonify

from . import catalog, scopes
from .catalog_render import render_v1_inventory, render_v1_product, render_v1_variant
from .errors import WixError, invalid
from .filters import (
    cursor_page,
    offset_page,
    parse_json_string,
    read_cursor_paging,
    read_offset_paging,
    sort_spec_v1,
    sort_spec_v3,
)
from .gateway import body, caller_may, permission_denied, store, wix_api
from .models import V1

bp = Blueprint("wix_catalog_v1", __name__)

READ, MANAGE = scopes.PRODUCTS_READ, scopes.PRODUCTS_MANAGE
INVENTORY, INVENTORY_READ = scopes.INVENTORY_MANAGE, scopes.INVENTORY_READ
MAX_INVENTORY_BATCH = 300


def _v1_site(caller):
    catalog.require_catalog(caller.site, V1)
    return caller.site


def _query_parts(data: dict) -> tuple:
    query = data.get("query") or {}
    if not isinstance(query, dict):
        raise invalid("query", "must be an object", "FORMAT")
    flt = parse_json_string(query.get("filter"), "query.filter")
    spec = sort_spec_v1(parse_json_string(query.get("sort"), "query.sort"))
    limit, offset = read_offset_paging(query.get("paging"), 100, store().config["v1_max_offset"])
    return flt, spec, limit, offset


def _product_docs(site, include_variants: bool, include_hidden: bool) -> list[dict]:
    st = store()
    with st.lock:
        return [
            render_v1_product(p, site, include_variants)
            for p in st.site_products[site.id].values()
            if include_hidden or p.visible
        ]


@bp.post("/stores/v1/products/query")
@bp.post("/stores-reader/v1/products/query", endpoint="reader_query_products")
@wix_api(scope=READ)
def query_products(caller):
    """Offset paging, limit ≤ 100; filter and sort are JSON strings.

    Hidden products are left out — silently, ``totalResults`` counting visible ones only —
    unless ``includeHiddenProducts`` is true, which needs the manage-products permission
    (@wix/auto_sdk_stores_products typings, ``QueryProductsRequest`` and ``Product.visible``).
    """
    site = _v1_site(caller)
    data = body()
    flt, spec, limit, offset = _query_parts(data)
    include_hidden = bool(data.get("includeHiddenProducts"))
    if include_hidden and not caller_may(scopes.V1_HIDDEN_PRODUCTS):
        raise permission_denied(scopes.V1_HIDDEN_PRODUCTS)
    docs = _product_docs(site, bool(data.get("includeVariants")), include_hidden)
    page, total = offset_page(docs, flt, spec, limit, offset)
    return jsonify(
        {
            "products": page,
            "metadata": {"items": len(page), "offset": offset},
            "totalResults": total,
        }
    )


@bp.route("/stores-reader/v1/products/query-platformized", methods=["GET", "POST"])
@wix_api(scope=READ)
def query_products_platformized(caller):
    """The official SDK's v1 ``queryProducts()``: ``GET …/query-platformized?.r=<base64>``
    (@wix/auto_sdk_stores_products meta ``queryProducts``), filter an object, sort a list of
    {fieldName, order}, offset or cursor paging; no variants; hidden products left out."""
    site = _v1_site(caller)
    query = body().get("query") or {}
    if not isinstance(query, dict):
        raise invalid("query", "must be an object", "FORMAT")
    docs = _product_docs(site, include_variants=False, include_hidden=False)
    flt, spec = query.get("filter"), sort_spec_v3(query.get("sort"))
    if query.get("cursorPaging") is not None:
        limit, cursor = read_cursor_paging(query["cursorPaging"])
        page, next_cursor = cursor_page(docs, flt, spec, limit, cursor, "v1platformized")
        meta = {"count": len(page), "cursors": {"next": next_cursor} if next_cursor else {}}
        return jsonify({"products": page, "metadata": meta})
    limit, offset = read_offset_paging(query.get("paging"), 100, store().config["v1_max_offset"])
    page, total = offset_page(docs, flt, spec, limit, offset)
    return jsonify(
        {"products": page, "metadata": {"count": len(page), "offset": offset, "total": total}}
    )


@bp.get("/stores/v1/products/<product_id>")
@bp.get("/stores-reader/v1/products/<product_id>", endpoint="reader_get_product")
@wix_api(scope=READ)
def get_product(caller, product_id: str):
    site = _v1_site(caller)
    with store().lock:
        product = catalog.product_of(store(), site, product_id)
        return jsonify({"product": render_v1_product(product, site)})


@bp.post("/stores/v1/products")
@wix_api(scope=MANAGE)
def create_product(caller):
    site = _v1_site(caller)
    product = catalog.create_v1_product(store(), site, body())
    with store().lock:
        return jsonify({"product": render_v1_product(product, site)})


@bp.patch("/stores/v1/products/<product_id>")
@wix_api(scope=MANAGE)
def update_product(caller, product_id: str):
    site = _v1_site(caller)
    product = catalog.product_of(store(), site, product_id)
    catalog.update_v1_product(store(), product, body())
    with store().lock:
        return jsonify({"product": render_v1_product(product, site)})


@bp.delete("/stores/v1/products/<product_id>")
@wix_api(scope=MANAGE)
def delete_product(caller, product_id: str):
    site = _v1_site(caller)
    catalog.delete_product(store(), catalog.product_of(store(), site, product_id))
    return jsonify({})


@bp.patch("/stores/v1/products/<product_id>/variants")
@wix_api(scope=MANAGE)
def update_variants(caller, product_id: str):
    """Overrides per variant, targeted by choices or by variantIds."""
    site = _v1_site(caller)
    product = catalog.product_of(store(), site, product_id)
    touched = catalog.update_v1_variants(store(), product, body())
    with store().lock:
        return jsonify({"variants": [render_v1_variant(product, v) for v in touched]})


@bp.post("/stores/v1/products/<product_id>/variants/query")
@wix_api(scope=READ)
def query_variants(caller, product_id: str):
    site = _v1_site(caller)
    data = body()
    st = store()
    with st.lock:
        product = catalog.product_of(st, site, product_id)
        variants = product.variants
        if data.get("variantIds"):
            wanted = set(data["variantIds"])
            variants = [v for v in variants if v.id in wanted]
        if data.get("choices"):
            want = data["choices"]
            variants = [v for v in variants if all(v.choices.get(k) == c for k, c in want.items())]
        limit, offset = read_offset_paging(data.get("paging"), 100, st.config["v1_max_offset"])
        page = variants[offset : offset + limit]
        docs = [render_v1_variant(product, v) for v in page]
    return jsonify(
        {
            "variants": docs,
            "metadata": {"items": len(docs), "offset": offset},
            "totalResults": len(variants),
        }
    )


# --- inventory v1 -------------------------------------------------------------------------


@bp.patch("/stores/v2/inventoryItems/product/<product_id>")
@wix_api(scope=INVENTORY)
def update_inventory(caller, product_id: str):
    """Absolute quantities (or in-stock flags) for one product's variants."""
    site = _v1_site(caller)
    item = body().get("inventoryItem")
    if not isinstance(item, dict):
        raise invalid("inventoryItem", "is required")
    st = store()
    with st.lock:
        product = catalog.product_of(st, site, product_id)
        track = bool(item.get("trackQuantity", product.track_inventory))
        by_id = {v.id: v for v in product.variants}
        updates = item.get("variants") or []
        for i, entry in enumerate(updates):
            if entry.get("variantId") not in by_id:
                raise invalid(f"inventoryItem.variants[{i}].variantId", "unknown variant")
            catalog.check_quantity(entry.get("quantity"), f"inventoryItem.variants[{i}].quantity")
        if track != product.track_inventory:
            product.track_inventory = track
            for variant in product.variants:
                catalog.set_stock(variant, track, None, None)
        changed = []
        for entry in updates:
            variant = by_id[entry["variantId"]]
            catalog.set_stock(variant, track, entry.get("quantity"), entry.get("inStock"))
            changed.append(variant)
        product.updated = st.stamp()
    st.emit("inventory_changed", product, variants=changed)
    return jsonify({})


def _adjust(direction: int):
    key, amount_key = (
        ("incrementData", "incrementBy")
        if direction > 0
        else (
            "decrementData",
            "decrementBy",
        )
    )
    items = body().get(key)
    if not isinstance(items, list) or not items:
        raise invalid(key, "is required")
    if len(items) > MAX_INVENTORY_BATCH:
        raise invalid(key, f"at most {MAX_INVENTORY_BATCH} items", "MAX_SIZE")
    return key, amount_key, items


def _apply_adjust(caller, direction: int):
    site = _v1_site(caller)
    key, amount_key, items = _adjust(direction)
    st = store()
    touched: dict[str, list] = {}
    with st.lock:
        plan = []
        for i, entry in enumerate(items):
            product = catalog.product_of(st, site, str(entry.get("productId") or ""))
            variant = next((v for v in product.variants if v.id == entry.get("variantId")), None)
            if variant is None:
                raise invalid(f"{key}[{i}].variantId", "unknown variant")
            delta = entry.get(amount_key)
            if not isinstance(delta, int) or delta < 0:
                raise invalid(f"{key}[{i}].{amount_key}", "must be a positive number", "MIN")
            if not product.track_inventory:
                raise WixError(400, "inventory of this product is not tracked", "NOT_TRACKED")
            plan.append((product, variant, delta))
        for product, variant, delta in plan:
            # v1 stock may go negative (wix-api.md §10): a decrement is never refused
            catalog.set_stock(variant, True, variant.quantity + direction * delta, None)
            product.updated = st.stamp()
            touched.setdefault(product.id, [product, []])[1].append(variant)
    for product, variants in touched.values():
        st.emit("inventory_changed", product, variants=variants)
    return jsonify({})


@bp.post("/stores/v2/inventoryItems/increment")
@wix_api(scope=INVENTORY)
def increment_inventory(caller):
    """Deltas for up to 300 variants across products."""
    return _apply_adjust(caller, +1)


@bp.post("/stores/v2/inventoryItems/decrement")
@wix_api(scope=INVENTORY)
def decrement_inventory(caller):
    return _apply_adjust(caller, -1)


@bp.post("/stores/v2/inventoryItems/query")
@bp.post("/stores-reader/v2/inventoryItems/query", endpoint="reader_query_inventory")
@wix_api(scope=INVENTORY_READ)
def query_inventory(caller):
    site = _v1_site(caller)
    flt, spec, limit, offset = _query_parts(body())
    st = store()
    with st.lock:
        docs = [render_v1_inventory(p) for p in st.site_products[site.id].values()]
    page, total = offset_page(docs, flt, spec, limit, offset)
    return jsonify(
        {
            "inventoryItems": page,
            "metadata": {"items": len(page), "offset": offset},
            "totalResults": total,
        }
    )


@bp.get("/stores/v2/inventoryItems/<item_id>")
@wix_api(scope=INVENTORY_READ)
def get_inventory(caller, item_id: str):
    site = _v1_site(caller)
    st = store()
    with st.lock:
        for product in st.site_products[site.id].values():
            if item_id in (product.inventory_item_id, product.id):
                return jsonify({"inventoryItem": render_v1_inventory(product)})
    raise WixError(404, f"inventory item {item_id} not found", "NOT_FOUND")

"""Catalog v3 (/stores/v3): version check and products (inventory items: api_inventory_v3)."""

from __future__ import annotations

from flask import Blueprint, jsonify, request

from . import catalog, catalog_v3, scopes
from .catalog_render import render_v3_inventory_item, render_v3_product
from .errors import WixError, invalid
from .filters import cursor_page, read_cursor_paging, sort_spec_v3
from .gateway import body, bulk_meta, caller_may, item_error, store, wix_api
from .models import V3

bp = Blueprint("wix_catalog_v3", __name__)

READ, MANAGE = scopes.PRODUCTS_READ, scopes.PRODUCTS_MANAGE
INVENTORY, INVENTORY_READ = scopes.INVENTORY_MANAGE, scopes.INVENTORY_READ


@bp.get("/stores/v3/provision/version")
@wix_api(scope=scopes.CATALOG_VERSION)
def catalog_version(caller):
    """Works on every site, whatever its catalog."""
    return jsonify({"catalogVersion": caller.site.catalog_version})


def v3_site(caller):
    catalog.require_catalog(caller.site, V3)
    return caller.site


def paged(items_key: str, docs: list[dict], query: dict, scope: str, max_limit: int = 100):
    """One cursor page; ``hasNext`` is left out where Wix's metadata has none."""
    if not isinstance(query, dict):
        raise invalid("query", "must be an object", "FORMAT")
    limit, cursor = read_cursor_paging(query.get("cursorPaging"), max_limit=max_limit)
    flt, sort = query.get("filter"), query.get("sort")
    if cursor and (flt or sort) and store().config["strict_cursor"]:
        raise invalid("query.cursorPaging.cursor", "filter and sort must not be sent with a cursor")
    spec = sort_spec_v3(sort)
    page, next_cursor = cursor_page(docs, flt, spec, limit, cursor, scope)
    cursors = {"next": next_cursor} if next_cursor else {}
    meta = {"count": len(page), "cursors": cursors}
    if items_key == "products":  # inventory's PlatformPagingMetadataV2 has no hasNext
        meta["hasNext"] = next_cursor is not None
    return jsonify({items_key: page, "pagingMetadata": meta})


def _fields(data: dict) -> tuple[str, ...]:
    """The request's ``fields`` (a list in a body, one or more query parameters in a GET)."""
    raw = data.get("fields") or ()
    return tuple(raw) if isinstance(raw, list) else (str(raw),)


def _sees_hidden() -> bool:
    """v3 non-visible products need the admin read permission (wix-api.md §10)."""
    return caller_may(scopes.V3_HIDDEN_PRODUCTS)


def _product_docs(site, fields: tuple[str, ...] = ()) -> list[dict]:
    st = store()
    hidden = _sees_hidden()
    with st.lock:
        return [
            render_v3_product(p, include_variants=False, fields=fields)
            for p in st.site_products[site.id].values()
            if hidden or p.visible
        ]


def _product_of(site, product_id: str):
    product = catalog.product_of(store(), site, product_id)
    if not product.visible and not _sees_hidden():
        raise WixError(404, f"Product with id {product_id} not found", "PRODUCT_NOT_FOUND")
    return product


@bp.route("/stores/v3/products/query", methods=["GET", "POST"])
@wix_api(scope=READ)
def query_products(caller):
    """Cursor paging; variants are not returned by a query. The official SDK sends it as
    ``GET …/query?.r=<base64 JSON>`` (products-v-3 meta ``queryProducts``)."""
    site = v3_site(caller)
    data = body()
    docs = _product_docs(site, _fields(data))
    return paged("products", docs, data.get("query") or {}, "v3products")


@bp.route("/stores/v3/products/search", methods=["GET", "POST"])
@wix_api(scope=READ)
def search_products(caller):
    site = v3_site(caller)
    data = body()
    search = data.get("search") or {}
    expression = search.get("expression") or (search.get("search") or {}).get("expression") or ""
    docs = _product_docs(site, _fields(data))
    if expression:
        needle = expression.lower()
        docs = [d for d in docs if needle in d["name"].lower() or needle in d["slug"]]
    query = {k: v for k, v in search.items() if k in ("filter", "sort", "cursorPaging")}
    return paged("products", docs, query, "v3search")


@bp.get("/stores/v3/products/<product_id>")
@wix_api(scope=READ)
def get_product(caller, product_id: str):
    """The only read that gives variantsInfo; choice names only with
    ``fields=VARIANT_OPTION_CHOICE_NAMES``."""
    site = v3_site(caller)
    fields = tuple(request.args.getlist("fields"))
    with store().lock:
        product = _product_of(site, product_id)
        return jsonify({"product": render_v3_product(product, fields=fields)})


def _created(product, data: dict, inventory: bool):
    doc = {"product": render_v3_product(product, fields=_fields(data))}
    if inventory:
        items = [v for v in product.variants if v.inventory_id]
        doc["inventoryResults"] = _inventory_results(product, items, data.get("returnEntity"))
    return jsonify(doc)


def _inventory_results(product, variants, return_entity) -> dict:
    site = store().sites[product.site_id]
    results = []
    for index, variant in enumerate(variants):
        entry: dict = {
            "itemMetadata": {"id": variant.inventory_id, "originalIndex": index, "success": True}
        }
        if return_entity:
            entry["item"] = render_v3_inventory_item(product, variant, site)
        results.append(entry)
    return {"results": results, "bulkActionMetadata": bulk_meta(results)}


@bp.post("/stores/v3/products")
@wix_api(scope=MANAGE)
def create_product(caller):
    """Creates no inventory items (products-v-3 typings; wix-api.md §10)."""
    site = v3_site(caller)
    data = body()
    product = catalog_v3.create_v3_product(store(), site, data)
    with store().lock:
        return _created(product, data, inventory=False)


@bp.post("/stores/v3/products-with-inventory")
@wix_api(scope=MANAGE)
def create_product_with_inventory(caller):
    """Each variant's ``inventoryItem`` becomes its inventory item at the default location."""
    site = v3_site(caller)
    data = body()
    product = catalog_v3.create_v3_product(store(), site, data, with_inventory=True)
    with store().lock:
        return _created(product, data, inventory=True)


def _update(caller, product_id: str, inventory: bool):
    site = v3_site(caller)
    data = body()
    product = _product_of(site, product_id)
    catalog_v3.update_v3_product(store(), product, data, with_inventory=inventory)
    with store().lock:
        return _created(product, data, inventory=inventory)


@bp.patch("/stores/v3/products/<product_id>")
@wix_api(scope=MANAGE)
def update_product(caller, product_id: str):
    return _update(caller, product_id, inventory=False)


@bp.patch("/stores/v3/products-with-inventory/<product_id>")
@wix_api(scope=MANAGE)
def update_product_with_inventory(caller, product_id: str):
    return _update(caller, product_id, inventory=True)


@bp.delete("/stores/v3/products/<product_id>")
@wix_api(scope=MANAGE)
def delete_product(caller, product_id: str):
    site = v3_site(caller)
    catalog.delete_product(store(), catalog.product_of(store(), site, product_id))
    return jsonify({})


@bp.post("/stores/v3/bulk/products/delete")
@wix_api(scope=MANAGE)
def bulk_delete(caller):
    """1–100 ids; 200 with a result per item."""
    site = v3_site(caller)
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
            meta["error"] = item_error("PRODUCT_NOT_FOUND", f"product {product_id} not found")
        else:
            catalog.delete_product(st, product)
        results.append({"itemMetadata": meta})
    return jsonify({"results": results, "bulkActionMetadata": bulk_meta(results)})

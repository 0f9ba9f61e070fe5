"""eCommerce orders search/get and fulfillments (/ecom/v1)."""

from __future__ import annotations

import json

from flask import Blueprint, Response, jsonify

from . import fulfillments as ff
from . import scopes
from .errors import invalid
from .filters import read_cursor_paging, sort_spec_v3
from .gateway import body, store, wix_api
from .order_search import search_page
from .orders import order_json, order_of, render_order

bp = Blueprint("wix_orders", __name__)

READ, MANAGE = scopes.ORDERS_READ, scopes.ORDERS_MANAGE
DEFAULT_SORT = [("createdDate", False)]


@bp.post("/ecom/v1/orders/search")
@wix_api(scope=READ)
def search_orders(caller):
    """Cursor paging (limit ≤ 100, default sort createdDate DESC); never INITIALIZED orders."""
    search = body().get("search") or {}
    if not isinstance(search, dict):
        raise invalid("search", "must be an object", "FORMAT")
    limit, cursor = read_cursor_paging(search.get("cursorPaging"))
    flt, sort = search.get("filter"), search.get("sort")
    st = store()
    if cursor and (flt or sort) and st.config["strict_cursor"]:
        raise invalid(
            "search.cursorPaging.cursor", "filter and sort must not be sent with a cursor"
        )
    spec = sort_spec_v3(sort) or DEFAULT_SORT
    page, next_cursor = search_page(st, caller.site.id, flt, spec, limit, cursor)
    cursors = {"next": next_cursor} if next_cursor else {}
    meta = {"count": len(page), "cursors": cursors, "hasNext": next_cursor is not None}
    with st.lock:
        orders = ",".join(order_json(st.orders[doc["id"]]) for doc in page)
    # cached JSON text per order: a page is joined, not re-encoded
    text = f'{{"orders":[{orders}],"metadata":{json.dumps(meta)}}}'
    return Response(text, mimetype="application/json")


@bp.get("/ecom/v1/orders/<order_id>")
@wix_api(scope=READ)
def get_order(caller, order_id: str):
    """Any order, INITIALIZED included."""
    with store().lock:
        return jsonify({"order": render_order(order_of(store(), caller.site, order_id))})


@bp.post("/ecom/v1/fulfillments/orders/<order_id>/create-fulfillment")
@wix_api(scope=MANAGE)
def create_fulfillment(caller, order_id: str):
    st = store()
    order = order_of(st, caller.site, order_id)
    fulfillment = ff.create_fulfillment(st, order, body())
    with st.lock:
        return jsonify(
            {"fulfillmentId": fulfillment.id, "orderWithFulfillments": ff.with_fulfillments(order)}
        )


@bp.patch("/ecom/v1/fulfillments/<fulfillment_id>/orders/<order_id>")
@wix_api(scope=MANAGE)
def update_fulfillment(caller, fulfillment_id: str, order_id: str):
    st = store()
    order = order_of(st, caller.site, order_id)
    ff.update_fulfillment(st, order, fulfillment_id, body())
    with st.lock:
        return jsonify({"orderWithFulfillments": ff.with_fulfillments(order)})


@bp.delete("/ecom/v1/fulfillments/<fulfillment_id>/orders/<order_id>")
@wix_api(scope=MANAGE)
def delete_fulfillment(caller, fulfillment_id: str, order_id: str):
    st = store()
    order = order_of(st, caller.site, order_id)
    ff.delete_fulfillment(st, order, fulfillment_id)
    with st.lock:
        return jsonify({"orderWithFulfillments": ff.with_fulfillments(order)})


@bp.get("/ecom/v1/fulfillments/orders/<order_id>")
@wix_api(scope=READ)
def list_fulfillments(caller, order_id: str):
    st = store()
    with st.lock:
        order = order_of(st, caller.site, order_id)
        return jsonify({"orderWithFulfillments": ff.with_fulfillments(order)})


@bp.post("/ecom/v1/fulfillments/list-by-ids")
@wix_api(scope=READ)
def list_fulfillments_by_ids(caller):
    ids = body().get("orderIds")
    if not isinstance(ids, list) or not 1 <= len(ids) <= 100:
        raise invalid("orderIds", "send 1 to 100 order ids", "MAX_SIZE")
    st = store()
    with st.lock:
        found = [st.orders[i] for i in ids if i in st.orders]
        docs = [ff.with_fulfillments(o) for o in found if o.site_id == caller.site.id]
    return jsonify({"ordersWithFulfillments": docs})

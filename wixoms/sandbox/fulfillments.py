"""Fulfillments with tracking info; the order's fulfillmentStatus follows them."""

from __future__ import annotations

from urllib.parse import quote

from .common import new_id
from .errors import WixError, invalid
from .models import Fulfillment, Order
from .orders import touch
from .store import Store

MAX_LINE_ITEMS = 300
TRACKING_LINKS = {
    "ups": "https://www.ups.com/track?tracknum={}",
    "usps": "https://tools.usps.com/go/TrackConfirmAction?tLabels={}",
    "fedex": "https://www.fedex.com/fedextrack/?trknbr={}",
    "dhl": "https://www.dhl.com/global-en/home/tracking.html?tracking-id={}",
    "canadaPost": "https://www.canadapost-postescanada.ca/track-reperage/en#/details/{}",
}


def render_fulfillment(f: Fulfillment) -> dict:
    return {
        "id": f.id,
        "createdDate": f.created,
        "lineItems": [dict(li) for li in f.line_items],
        "trackingInfo": dict(f.tracking),
        "completed": True,
    }


def with_fulfillments(order: Order) -> dict:
    return {
        "orderId": order.id,
        "fulfillments": [render_fulfillment(f) for f in order.fulfillments],
    }


def _tracking(raw: object, order: Order, exclude: str = "", others: tuple[Order, ...] = ()) -> dict:
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise invalid("fulfillment.trackingInfo", "must be an object", "FORMAT")
    number = raw.get("trackingNumber") or ""
    provider = raw.get("shippingProvider") or ""
    link = raw.get("trackingLink") or ""
    if number and not provider:
        raise invalid("fulfillment.trackingInfo.shippingProvider", "is required")
    if provider and provider not in TRACKING_LINKS and not link:
        raise invalid(
            "fulfillment.trackingInfo.trackingLink", "custom shipping providers must send a link"
        )
    if provider in TRACKING_LINKS and number and not link:
        link = TRACKING_LINKS[provider].format(quote(number))
    if number:
        taken = [f for o in (order, *others) for f in o.fulfillments]
        for f in taken:
            if f.id != exclude and f.tracking.get("trackingNumber") == number:
                raise WixError(
                    409,
                    f"tracking number {number} already exists",
                    "TRACKING_NUMBER_ALREADY_EXISTS",
                )
    info = {"trackingNumber": number, "shippingProvider": provider, "trackingLink": link}
    return {k: v for k, v in info.items() if v}


def _fulfilled_quantities(order: Order, exclude: str = "") -> dict[str, int]:
    done: dict[str, int] = {}
    for f in order.fulfillments:
        if f.id == exclude:
            continue
        for li in f.line_items:
            done[li["id"]] = done.get(li["id"], 0) + li.get("quantity", 0)
    return done


def _line_items(raw: object, order: Order, exclude: str = "") -> list[dict]:
    if not isinstance(raw, list) or not raw:
        raise invalid("fulfillment.lineItems", "is required")
    if len(raw) > MAX_LINE_ITEMS:
        raise invalid("fulfillment.lineItems", f"at most {MAX_LINE_ITEMS}", "MAX_SIZE")
    ordered = {li["id"]: li["quantity"] for li in order.body["lineItems"]}
    done = _fulfilled_quantities(order, exclude)
    seen = set()
    items = []
    for i, li in enumerate(raw):
        line_id = (li or {}).get("id")
        if line_id not in ordered:
            raise invalid(f"fulfillment.lineItems[{i}].id", "not a line item of this order")
        if line_id in seen:
            raise invalid(f"fulfillment.lineItems[{i}].id", "line item listed twice", "UNIQUE")
        seen.add(line_id)
        quantity = li.get("quantity", ordered[line_id] - done.get(line_id, 0))
        if not isinstance(quantity, int) or quantity < 1:
            raise invalid(f"fulfillment.lineItems[{i}].quantity", "must be at least 1", "MIN")
        if done.get(line_id, 0) + quantity > ordered[line_id]:
            raise WixError(
                400,
                f"line item {line_id} would be fulfilled beyond its ordered quantity",
                "LINE_ITEM_QUANTITY_EXCEEDED",
            )
        items.append({"id": line_id, "quantity": quantity})
    return items


def recompute_status(order: Order) -> None:
    ordered = {li["id"]: li["quantity"] for li in order.body["lineItems"]}
    done = _fulfilled_quantities(order)
    if all(done.get(k, 0) >= q for k, q in ordered.items()):
        order.fulfillment_status = "FULFILLED"
    elif any(done.values()):
        order.fulfillment_status = "PARTIALLY_FULFILLED"
    else:
        order.fulfillment_status = "NOT_FULFILLED"


def _after_change(store: Store, order: Order, before: str) -> None:
    recompute_status(order)
    touch(store, order)
    if order.fulfillment_status != before:
        store.emit("order_updated", order, modified_fields=["fulfillmentStatus"])
        # order_fulfilled fires on any fulfillment status change (wix-api.md §10)
        store.emit("order_fulfilled", order)


def _same_site(store: Store, order: Order) -> tuple[Order, ...]:
    """The site's other orders, when a tracking number must be unique across the site (§8 says
    a duplicate number is refused, not whether per order or per site: configurable)."""
    if store.config["tracking_number_scope"] != "site":
        return ()
    return tuple(o for o in store.orders.values() if o.site_id == order.site_id and o is not order)


def create_fulfillment(store: Store, order: Order, body: dict) -> Fulfillment:
    """Each line item once per fulfillment; ≤ 300 line items; a line's quantity defaults to
    what is not yet fulfilled. APPROVED orders only when ``fulfillment_requires_approved``
    (§8 said so; §10 found no source: Wix is silent)."""
    raw = body.get("fulfillment")
    if not isinstance(raw, dict):
        raise invalid("fulfillment", "is required")
    with store.lock:
        if store.config["fulfillment_requires_approved"] and order.status != "APPROVED":
            raise WixError(
                400,
                f"order {order.id} is {order.status}; only APPROVED orders",
                "ORDER_NOT_APPROVED",
            )
        items = _line_items(raw.get("lineItems"), order)
        tracking = _tracking(raw.get("trackingInfo"), order, others=_same_site(store, order))
        fulfillment = Fulfillment(new_id(), store.stamp(), items, tracking)
        before = order.fulfillment_status
        order.fulfillments.append(fulfillment)
        _after_change(store, order, before)
    return fulfillment


def find(order: Order, fulfillment_id: str) -> Fulfillment:
    for f in order.fulfillments:
        if f.id == fulfillment_id:
            return f
    raise WixError(404, f"fulfillment {fulfillment_id} not found", "FULFILLMENT_NOT_FOUND")


def update_fulfillment(store: Store, order: Order, fulfillment_id: str, body: dict) -> None:
    raw = body.get("fulfillment")
    if not isinstance(raw, dict):
        raise invalid("fulfillment", "is required")
    with store.lock:
        f = find(order, fulfillment_id)
        before = order.fulfillment_status
        if "lineItems" in raw:
            f.line_items = _line_items(raw["lineItems"], order, exclude=f.id)
        if "trackingInfo" in raw:
            f.tracking = _tracking(
                raw["trackingInfo"], order, exclude=f.id, others=_same_site(store, order)
            )
        _after_change(store, order, before)
        if order.fulfillment_status == before:
            store.emit("order_updated", order, modified_fields=["fulfillments"])


def delete_fulfillment(store: Store, order: Order, fulfillment_id: str) -> None:
    with store.lock:
        f = find(order, fulfillment_id)
        before = order.fulfillment_status
        order.fulfillments.remove(f)
        _after_change(store, order, before)

"""eCommerce orders: placing, rendering (money as decimal strings), status changes."""

from __future__ import annotations

import json
import random
from decimal import Decimal

from . import catalog
from .catalog_render import variant_price
from .common import WIX_STORES_APP_ID, new_id, price_obj
from .errors import WixError, invalid
from .models import V3, Order, Product, Site, Variant
from .store import Store

STATUSES = ("INITIALIZED", "APPROVED", "PENDING", "CANCELED", "REJECTED")
# PaymentStatus of @wix/auto_sdk_ecom_orders 1.0.300 (wix-api.md §10).
PAYMENT_STATUSES = (
    "UNSPECIFIED",
    "NOT_PAID",
    "PAID",
    "PARTIALLY_REFUNDED",
    "FULLY_REFUNDED",
    "PENDING",
    "PARTIALLY_PAID",
    "PENDING_MERCHANT",
    "CANCELED",
    "DECLINED",
)
FULFILLMENT_STATUSES = ("NOT_FULFILLED", "PARTIALLY_FULFILLED", "FULFILLED")
DEFAULT_PAYMENT = {"APPROVED": "PAID", "PENDING": "PENDING"}
PICKUP_METHODS = ("STORE_PICKUP", "PICKUP_POINT")
STORE_ADDRESS = {
    "country": "US",
    "subdivision": "US-NY",
    "city": "New York",
    "postalCode": "10011",
    "addressLine1": "100 Gansevoort St",
}


def resolve_line(store: Store, site: Site, line: dict) -> tuple[Product, Variant, int]:
    """A line names a product (id or SKU) and optionally a variant (id, choices or SKU)."""
    products = store.site_products[site.id]
    sku = line.get("sku")
    product = products.get(line.get("productId", ""))
    variant = None
    if product is None and sku:
        for candidate in products.values():
            variant = next((v for v in candidate.variants if v.sku == sku), None)
            if variant is not None or candidate.sku == sku:
                product = candidate
                break
    if product is None:
        raise invalid("lines.productId", f"no product {line.get('productId') or sku} on this site")
    if variant is None and line.get("variantId"):
        variant = next((v for v in product.variants if v.id == line["variantId"]), None)
    if variant is None and line.get("choices"):
        want = line["choices"]
        variant = next((v for v in product.variants if v.choices == want), None)
    if variant is None:
        if line.get("variantId") or line.get("choices"):
            raise invalid("lines.variantId", "no such variant")
        variant = product.variants[0]
    quantity = int(line.get("quantity", 1))
    if quantity < 1:
        raise invalid("lines.quantity", "must be at least 1", "MIN")
    return product, variant, quantity


def _catalog_options(product: Product, variant: Variant) -> dict | None:
    # v3 always references the variant; v1 only when variants are managed
    if product.catalog == V3 or product.manage_variants:
        return {"variantId": variant.id}
    if variant.choices:
        return {"options": dict(variant.choices)}
    return None


def _description_lines(product: Product, variant: Variant) -> list[dict]:
    lines = []
    kinds = {o.name: o for o in product.options}
    for name, value in variant.choices.items():
        option = kinds.get(name)
        line = {"name": {"original": name, "translated": name}, "lineItemPart": "CATALOG"}
        if option is not None and option.kind == "color":
            line["colorInfo"] = {"original": value, "translated": value}
            hex_code = next((c.description for c in option.choices if c.value == value), "")
            if hex_code:
                line["color"] = hex_code
            line["descriptionLineType"] = "COLOR"
        else:
            line["plainText"] = {"original": value, "translated": value}
            line["descriptionLineType"] = "PLAIN_TEXT"
        lines.append(line)
    return lines


def line_item(product: Product, variant: Variant, quantity: int, rng=None) -> dict:
    currency = product.currency
    unit = variant_price(product, variant)
    total = unit * quantity
    reference = {"catalogItemId": product.id, "appId": WIX_STORES_APP_ID}
    options = _catalog_options(product, variant)
    if options is not None:
        reference["options"] = options
    physical = {"shippable": True}
    sku = variant.sku or product.sku
    if sku:
        physical["sku"] = sku
    weight = variant.weight if variant.weight is not None else product.weight
    if weight is not None:
        physical["weight"] = weight
    item = {
        "id": new_id(rng),
        "productName": {"original": product.name, "translated": product.name},
        "catalogReference": reference,
        "quantity": quantity,
        "totalDiscount": price_obj(0, currency),
        "descriptionLines": _description_lines(product, variant),
        "physicalProperties": physical,
        "itemType": {"preset": "PHYSICAL"},
        "price": price_obj(unit, currency),
        "priceBeforeDiscounts": price_obj(unit, currency),
        "totalPriceBeforeTax": price_obj(total, currency),
        "totalPriceAfterTax": price_obj(total, currency),
        "lineItemPrice": price_obj(total, currency),
        "paymentOption": "FULL_PAYMENT_ONLINE",
        "taxDetails": {"taxRate": "0", "totalTax": price_obj(0, currency)},
    }
    return item


def _contact(buyer: dict) -> dict:
    details = {
        "firstName": buyer.get("firstName", "Ada"),
        "lastName": buyer.get("lastName", "Lovelace"),
        "phone": buyer.get("phone", ""),
        "company": buyer.get("company", ""),
    }
    return {k: v for k, v in details.items() if v}


def _address(buyer: dict) -> dict:
    address = buyer.get("address") or {}
    return {
        "country": address.get("country", "US"),
        "subdivision": address.get("subdivision", "US-CA"),
        "city": address.get("city", "San Francisco"),
        "postalCode": address.get("postalCode", "94103"),
        "addressLine1": address.get("addressLine1", "500 Terry Francine St"),
    }


def build_body(site: Site, spec: dict, items: list[dict], subtotal: Decimal, rng=None) -> dict:
    """The parts of an order that placing fixes once and for all."""
    currency = site.currency
    buyer = spec.get("buyer") or {}
    contact, address = _contact(buyer), _address(buyer)
    pickup = bool(spec.get("pickup"))
    shipping_price = Decimal(str(spec.get("shippingPrice", 0 if pickup else 5)))
    if pickup:
        method = spec.get("pickupMethod", "STORE_PICKUP")
        if method not in PICKUP_METHODS:
            raise invalid("pickupMethod", "STORE_PICKUP or PICKUP_POINT", "FORMAT")
        logistics = {
            "pickupDetails": {"address": dict(STORE_ADDRESS), "pickupMethod": method},
            "deliveryTime": "Ready for pickup in 2 days",
        }
        title = spec.get("shippingTitle", "Pickup in store")
    else:
        logistics = {
            "shippingDestination": {"address": address, "contactDetails": contact},
            "deliveryTime": "3-5 business days",
        }
        title = spec.get("shippingTitle", "Standard Shipping")
    total = subtotal + shipping_price
    buyer_info = {
        "contactId": buyer.get("contactId") or new_id(rng),
        "email": buyer.get("email", "ada@example.com"),
    }
    buyer_info["memberId" if buyer.get("member") else "visitorId"] = new_id(rng)
    return {
        "currency": currency,
        "weightUnit": "KG",
        "taxIncludedInPrices": False,
        "siteLanguage": "en",
        "buyerLanguage": "en",
        "buyerInfo": buyer_info,
        "billingInfo": {"address": address, "contactDetails": contact},
        "recipientInfo": {"address": address, "contactDetails": contact},
        "shippingInfo": {
            "code": spec.get("shippingCode", title.lower().replace(" ", "-")),
            "title": title,
            "cost": {"price": price_obj(shipping_price, currency)},
            "logistics": logistics,
        },
        "priceSummary": {
            "subtotal": price_obj(subtotal, currency),
            "shipping": price_obj(shipping_price, currency),
            "tax": price_obj(0, currency),
            "discount": price_obj(0, currency),
            "total": price_obj(total, currency),
        },
        "lineItems": items,
        "channelInfo": {"type": spec.get("channelType", "WEB")},
    }


def place_order(store: Store, site: Site, spec: dict, rng: random.Random | None = None) -> Order:
    """Place an order as a shopper would; triggers Automations and app webhooks."""
    status = spec.get("status", "APPROVED")
    if status not in STATUSES:
        raise invalid("status", f"one of {', '.join(STATUSES)}", "FORMAT")
    payment = spec.get("paymentStatus") or DEFAULT_PAYMENT.get(status, "NOT_PAID")
    if payment not in PAYMENT_STATUSES:
        raise invalid("paymentStatus", f"one of {', '.join(PAYMENT_STATUSES)}", "FORMAT")
    with store.lock:
        lines = spec.get("lines") or []
        if not lines:
            first = next(iter(store.site_products[site.id].values()), None)
            if first is None:
                raise invalid("lines", "the site has no products to order")
            lines = [{"productId": first.id}]
        resolved = [resolve_line(store, site, line) for line in lines]
        items = [line_item(p, v, q, rng) for p, v, q in resolved]
        subtotal = sum((variant_price(p, v) * q for p, v, q in resolved), Decimal(0))
        created = spec.get("createdDate") or store.stamp()
        order = Order(
            id=new_id(rng),
            site_id=site.id,
            number=str(site.next_order_number),
            status=status,
            payment_status=payment,
            fulfillment_status="NOT_FULFILLED",
            created=created,
            updated=spec.get("updatedDate") or created,
            body=build_body(site, spec, items, subtotal, rng),
            archived=bool(spec.get("archived", False)),
            buyer_note=spec.get("buyerNote", ""),
            stock_refs=[(p.id, v.id, q) for p, v, q in resolved],
        )
        site.next_order_number += 1
        store.add_order(order)
        if status != "INITIALIZED" and spec.get("deductStock", True):
            deduct_stock(store, order)
    if spec.get("notify", True):
        store.emit("order_created", order)
    return order


def deduct_stock(store: Store, order: Order) -> None:
    """Wix decrements tracked quantity itself on purchase (default location only)."""
    if order.stock_deducted:
        return
    order.stock_deducted = True
    for product_id, variant_id, quantity in order.stock_refs:
        product = store.products.get(product_id)
        variant = (
            next((v for v in product.variants if v.id == variant_id), None) if product else None
        )
        if variant is None or not variant.track_quantity:
            continue
        catalog.set_stock(variant, True, variant.quantity - quantity, None)
        variant.inventory_revision += 1
        variant.inventory_updated = product.updated = store.stamp()


def render_order(order: Order) -> dict:
    """The order as GET/search return it (cached until the order changes)."""
    if order.cache is None:
        doc = {
            "id": order.id,
            "number": order.number,
            "createdDate": order.created,
            "updatedDate": order.updated,
            "status": order.status,
            "paymentStatus": order.payment_status,
            "fulfillmentStatus": order.fulfillment_status,
            **order.body,
            "archived": order.archived,
        }
        if order.status == "APPROVED" or order.payment_status == "PAID":
            doc["purchasedDate"] = order.created
        if order.buyer_note:
            doc["buyerNote"] = order.buyer_note
        order.cache = doc
    return order.cache


def order_json(order: Order) -> str:
    """The rendered order as JSON text, cached: search pages are joined, not re-encoded."""
    if order.json_cache is None or order.cache is None:
        order.json_cache = json.dumps(render_order(order), separators=(",", ":"))
    return order.json_cache


def order_of(store: Store, site: Site, order_id: str) -> Order:
    order = store.orders.get(order_id)
    if order is None or order.site_id != site.id:
        raise WixError(404, f"Order with id {order_id} not found", "ORDER_NOT_FOUND")
    return order


def touch(store: Store, order: Order) -> None:
    """Every change gives the order a newer updatedDate."""
    order.updated = store.stamp()
    store.order_changed(order)


def update_order(store: Store, order: Order, changes: dict) -> list[str]:
    """Change status, payment status, archived or buyer note; fires the matching events."""
    events: list[str] = []
    modified: list[str] = []
    with store.lock:
        status = changes.get("status")
        if status is not None and status != order.status:
            if status not in STATUSES:
                raise invalid("status", f"one of {', '.join(STATUSES)}", "FORMAT")
            order.status = status
            modified.append("status")
            if status == "APPROVED":
                events.append("order_approved")
                deduct_stock(store, order)
            elif status == "CANCELED":
                events.append("order_canceled")
        payment = changes.get("paymentStatus")
        if payment is not None and payment != order.payment_status:
            if payment not in PAYMENT_STATUSES:
                raise invalid("paymentStatus", f"one of {', '.join(PAYMENT_STATUSES)}", "FORMAT")
            order.payment_status = payment
            modified.append("paymentStatus")
            events.append("order_payment_status_updated")
        if "archived" in changes and bool(changes["archived"]) != order.archived:
            order.archived = bool(changes["archived"])
            modified.append("archived")
        if "buyerNote" in changes and changes["buyerNote"] != order.buyer_note:
            order.buyer_note = changes["buyerNote"] or ""
            modified.append("buyerNote")
        if modified:
            touch(store, order)
    if modified:
        store.emit("order_updated", order, modified_fields=modified)
        for kind in events:
            store.emit(kind, order)
    return modified

"""What Wix sends when things happen: Automations bodies and JWT app-webhook envelopes (§3, §4)."""

from __future__ import annotations

import json

from .catalog_render import render_v1_product, render_v3_inventory_item, render_v3_product
from .common import new_id
from .models import V1, Automation, Installation, Order, Product
from .orders import render_order
from .store import Store

ORDER_FQDN = "wix.ecom.v1.order"
PRODUCT_V3_FQDN = "wix.stores.catalog.v3.product"
INVENTORY_V3_FQDN = "wix.stores.catalog.v3.inventory_item"
V1_CATALOG = "com.wix.ecommerce.catalog.api.v1."
V1_INVENTORY = "com.wix.ecommerce.inventory.api.v1."
ORDER_ACTIONS = {
    "order_approved": "approved",
    "order_canceled": "canceled",
    "order_payment_status_updated": "payment_status_updated",
    "order_fulfilled": "fulfilled",
    "order_committed": "committed",
}


def automation_body(automation: Automation, order: dict) -> dict:
    """Default {"data": {"order": ORDER}}; other shapes are configurable (Wix is silent)."""
    style = automation.body_style
    if style == "order":
        return {"order": order}
    if style == "entire":
        return dict(order)
    if style == "custom":
        return {key: order[key] for key in automation.custom_keys if key in order}
    return {"data": {"order": order}}


def entity_event(fqdn: str, slug: str, entity_id: str, stamp: str, **payload: object) -> dict:
    """The innermost layer: {id, entityFqdn, slug, entityId, eventTime, …Event}."""
    return {
        "id": new_id(),
        "entityFqdn": fqdn,
        "slug": slug,
        "entityId": entity_id,
        "eventTime": stamp,
        "triggeredByAnonymizeRequest": False,
        **payload,
    }


def order_event(kind: str, order: Order, stamp: str, modified: list[str] | None) -> tuple:
    doc = render_order(order)
    event_type = f"{ORDER_FQDN}_{kind.removeprefix('order_')}"
    if kind == "order_created":
        body = {"createdEvent": {"entity": doc}}
        slug = "created"
    elif kind == "order_updated":
        changed = {field: doc.get(field) for field in modified or []}
        body = {"updatedEvent": {"currentEntity": doc, "modifiedFields": changed}}
        slug = "updated"
    else:
        slug = ORDER_ACTIONS[kind]
        body = {"actionEvent": {"body": {"order": doc}}}
    return event_type, entity_event(ORDER_FQDN, slug, order.id, stamp, **body)


def product_event(
    store: Store, kind: str, product: Product, stamp: str, extra: dict
) -> tuple[str, dict] | None:
    """v1 keeps legacy names and flat bodies; v3 uses entity events."""
    site = store.sites.get(product.site_id)
    if product.catalog == V1:
        if kind == "product_created":
            doc = render_v1_product(product, site, include_variants=False)
            return V1_CATALOG + "ProductCreated", {
                "productId": product.id,
                "name": product.name,
                "price": doc["priceData"]["price"],
                "visible": product.visible,
                "productType": "physical",
            }
        if kind == "product_updated":
            fields = extra.get("changed_fields") or []
            return V1_CATALOG + "ProductChanged", {"productId": product.id, "changedFields": fields}
        if kind == "product_deleted":
            return V1_CATALOG + "ProductDeleted", {"productId": product.id}
        if kind == "variants_changed":
            variants = [
                {"variantId": v.id, "changedFields": ["sku", "visible", "price", "weight"]}
                for v in extra.get("variants") or []
            ]
            return V1_CATALOG + "VariantsChanged", {"productId": product.id, "variants": variants}
        if kind == "inventory_changed":
            variants = [
                {"id": v.id, "newValue": {"inStock": v.in_stock, "quantity": v.quantity}}
                for v in extra.get("variants") or []
            ]
            return V1_INVENTORY + "InventoryVariantsChanged", {
                "inventoryItemId": product.inventory_item_id,
                "externalId": product.id,
                "variants": variants,
            }
        return None
    if kind == "inventory_changed":
        events = []
        for v in extra.get("variants") or []:
            item = render_v3_inventory_item(product, v, site)
            body = {"updatedEvent": {"currentEntity": item, "modifiedFields": {}}}
            events.append(entity_event(INVENTORY_V3_FQDN, "updated", item["id"], stamp, **body))
        return INVENTORY_V3_FQDN + "_updated", events
    slug = {"product_created": "created", "product_updated": "updated"}.get(kind)
    if slug == "created":
        body = {"createdEvent": {"entity": render_v3_product(product)}}
    elif slug == "updated":
        fields = {f: True for f in extra.get("changed_fields") or []}
        body = {
            "updatedEvent": {"currentEntity": render_v3_product(product), "modifiedFields": fields}
        }
    elif kind == "product_deleted":
        slug, body = "deleted", {"deletedEvent": {"movedToTrash": False}}
    else:
        return None
    return f"{PRODUCT_V3_FQDN}_{slug}", entity_event(
        PRODUCT_V3_FQDN, slug, product.id, stamp, **body
    )


def envelope(event_type: str, instance_id: str, data: object, app_id: str) -> dict:
    """The middle layer: data and identity are JSON strings."""
    return {
        "eventType": event_type,
        "instanceId": instance_id,
        "data": json.dumps(data, separators=(",", ":")),
        "identity": json.dumps({"identityType": "APP", "appId": app_id}),
    }


def lifecycle_event(kind: str, inst: Installation) -> tuple[str, dict]:
    if kind == "app_installed":
        return "AppInstalled", {"appId": inst.app_id, "originInstanceId": ""}
    return "AppRemoved", {"appId": inst.app_id}  # §10: AppRemoved carries {appId}

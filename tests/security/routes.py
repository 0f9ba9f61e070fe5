"""Every route of the app with its URL arguments filled from Acme's objects (the victim)."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Flask

from tests.integration.views.builders import (
    add_carrier,
    add_channel,
    add_order,
    add_product,
    add_warehouse,
    variant_id,
)
from wixoms.extensions import db
from wixoms.models import (
    CarrierMapping,
    OrderLine,
    SkuMapping,
    SyncRun,
    UnmappedSku,
    WarehouseMapping,
    WebhookEndpoint,
    WebhookEvent,
    WixItemMapping,
)

# Reachable without logging in, on purpose.
# Wix calls the three /hooks receivers (each verifies what it gets); a change here is deliberate.
PUBLIC = {
    "auth.login",
    "static",
    "hooks.receive",
    "hooks.receive_app",
    "hooks.receive_custom_app",
    "main.health",
    "main.queue_health",  # counts only (runs queued, broker depth, workers), for monitoring
}
# What an operator may post: leaving, choosing an account, and the wizard's own routes (which
# refuse operators themselves) — everything else that changes something is admin-only.
OPERATOR_POSTS = {"auth.logout", "main.switch_account"}


@dataclass(frozen=True)
class Route:
    endpoint: str
    method: str
    url: str

    @property
    def changes(self) -> bool:
        return self.method == "POST"

    def __str__(self) -> str:
        return f"{self.method} {self.url}"


def build_victim(app: Flask, account_id: int) -> dict[str, object]:
    """One object of every kind for the account: the ids that fill the routes' arguments."""
    product = add_product(app, account_id, "Victim lamp", ["VIC-1"])
    warehouse = add_warehouse(app, account_id, "VIC", "Victim warehouse")
    carrier = add_carrier(app, account_id, "Victim freight", "dhl")
    channel = add_channel(app, account_id, "Victim store")
    order = add_order(app, account_id, "V-1", lines=[("VIC-1", 1)], hold_reason="Check")
    variant = variant_id(app, "VIC-1")
    with app.app_context():
        endpoint = WebhookEndpoint(channel_id=channel, token="victim-token-" + "x" * 30)
        objects = [
            endpoint,
            CarrierMapping(channel_id=channel, wix_shipping_title="Express", carrier_id=carrier),
            SkuMapping(channel_id=channel, wix_sku="VIC-1", variant_id=variant),
            WarehouseMapping(channel_id=channel, warehouse_id=warehouse, wix_location_id="loc"),
            UnmappedSku(channel_id=channel, wix_sku="VIC-X"),
            WixItemMapping(channel_id=channel, wix_product_id="wix-p-1", variant_id=variant),
            SyncRun(channel_id=channel, kind="orders", state="succeeded"),
        ]
        db.session.add_all(objects)
        db.session.flush()
        event = WebhookEvent(
            endpoint_id=endpoint.id, channel_id=channel, body=b"{}", dedupe_key="v1"
        )
        db.session.add(event)
        db.session.commit()
        ids = {type(o).__name__: o.id for o in objects}
        return {
            "product_id": product,
            "warehouse_id": warehouse,
            "carrier_id": carrier,
            "channel_id": channel,
            "order_id": order,
            "variant_id": variant,
            "endpoint_id": ids["WebhookEndpoint"],
            "run_id": ids["SyncRun"],
            "unmapped_id": ids["UnmappedSku"],
            "event_id": event.id,
            "line_id": db.session.scalar(
                db.select(OrderLine.id).where(OrderLine.order_id == order).limit(1)
            ),
            "token": "victim-token-" + "x" * 30,
            "state": "no-such-wizard",
            "action": "name",
            "filename": "css/app.css",
            "app_id": "no-such-app",
        }


def _mapping_id(rule: str, ids: dict[str, int]) -> int:
    for kind in ("carriers", "skus", "warehouses", "items"):
        if f"/mappings/{kind}/" in rule:
            return ids[kind]
    raise KeyError(rule)


def all_routes(app: Flask, values: dict[str, object], mapping_ids: dict[str, int]) -> list[Route]:
    """One Route per rule and method, arguments filled with ``values``."""
    routes = []
    for rule in app.url_map.iter_rules():
        args = {}
        for name in rule.arguments:
            args[name] = mapping_ids_for(rule.rule, name, values, mapping_ids)
        url = rule.build(args, append_unknown=False)[1]
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            routes.append(Route(rule.endpoint, method, url))
    return sorted(routes, key=lambda r: (r.url, r.method))


def mapping_ids_for(rule: str, name: str, values: dict, mapping_ids: dict[str, int]) -> object:
    if name == "mapping_id":
        return _mapping_id(rule, mapping_ids)
    return values[name]


def mapping_ids_of(app: Flask, channel_id: int) -> dict[str, int]:
    with app.app_context():
        pick = lambda model: db.session.scalar(  # noqa: E731
            db.select(model.id).where(model.channel_id == channel_id)
        )
        return {
            "carriers": pick(CarrierMapping),
            "skus": pick(SkuMapping),
            "warehouses": pick(WarehouseMapping),
            "items": pick(WixItemMapping),
        }

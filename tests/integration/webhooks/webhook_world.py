"""Helpers for the webhook tests: JWT bodies, a channel with endpoints, data snapshots."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass

import jwt
from flask import Flask
from sqlalchemy import func, select

from wixoms.extensions import db
from wixoms.models import Channel, Order, WebhookEndpoint, WebhookEvent
from wixoms.sandbox.store import rsa_key_pair

INSTANCE_ID = "inst-acme-0001"
SITE_ID = "site-acme-0001"


@dataclass(frozen=True)
class KeyPair:
    private_pem: str
    public_pem: str


def key_pair() -> KeyPair:
    return KeyPair(*rsa_key_pair())


def app_jwt(
    keys: KeyPair,
    event_type: str,
    event: dict,
    *,
    instance_id: str = INSTANCE_ID,
    ttl_s: int = 300,
) -> bytes:
    """A Wix app webhook body: the three layers of wix-api.md §3, signed RS256."""
    envelope = {
        "eventType": event_type,
        "instanceId": instance_id,
        "data": json.dumps(event),
        "identity": json.dumps({"identityType": "APP"}),
    }
    now = int(time.time())
    claims = {"data": json.dumps(envelope), "iat": now, "exp": now + ttl_s}
    return jwt.encode(claims, keys.private_pem, algorithm="RS256").encode()


def order_event(
    order_id: str, slug: str = "created", *, event_id: str | None = None, **order: object
) -> dict:
    entity = {"id": order_id, "number": "1001", **order}
    body = (
        {"createdEvent": {"entity": entity}}
        if slug == "created"
        else {"updatedEvent": {"currentEntity": entity, "modifiedFields": {}}}
    )
    return {
        "id": event_id or f"evt-{order_id}-{slug}",
        "entityFqdn": "wix.ecom.v1.order",
        "slug": slug,
        "entityId": order_id,
        "eventTime": "2026-01-02T03:04:05.000Z",
        **body,
    }


@dataclass
class Hooks:
    """The Acme channel and its endpoints (ids and tokens), and the app serving /hooks."""

    app: Flask
    channel_id: int
    automation_token: str
    app_token: str
    revoked_token: str
    automation_id: int
    app_endpoint_id: int

    def url(self, token: str) -> str:
        return f"/hooks/{token}"

    def snapshot(self) -> dict:
        """What a refused request must leave unchanged."""
        with self.app.app_context():
            events = db.session.execute(
                select(WebhookEvent.id, WebhookEvent.state, WebhookEvent.dedupe_key).order_by(
                    WebhookEvent.id
                )
            ).all()
            orders = db.session.scalar(select(func.count()).select_from(Order))
            endpoints = db.session.execute(
                select(WebhookEndpoint.id, WebhookEndpoint.revoked_at).order_by(WebhookEndpoint.id)
            ).all()
            return {"events": events, "orders": orders, "endpoints": endpoints}

    def events(self) -> list[WebhookEvent]:
        with self.app.app_context():
            rows = db.session.scalars(select(WebhookEvent).order_by(WebhookEvent.id)).all()
            db.session.expunge_all()
            return list(rows)

    def update_channel(self, **values: object) -> None:
        with self.app.app_context():
            channel = db.session.get(Channel, self.channel_id)
            for key, value in values.items():
                setattr(channel, key, value)
            db.session.commit()


def add_channel(account_id: int, **values: object) -> Channel:
    channel = Channel(
        account_id=account_id,
        name="Acme Wix",
        instance_id=values.pop("instance_id", INSTANCE_ID),
        site_id=values.pop("site_id", SITE_ID),
        is_active=values.pop("is_active", True),
        channel_mode=values.pop("channel_mode", "webhooks"),
        **values,
    )
    db.session.add(channel)
    db.session.flush()
    return channel


# --- a sandbox shop (needs the sandbox fixtures) ------------------------------------------------

SKU = "TEE-BLUE-M"


@dataclass
class Shop:
    """A sandbox site bound to Acme's channel in Webhooks mode, with /hooks endpoints."""

    app: Flask
    sandbox: object
    channel_id: int
    site_id: str
    instance_id: str
    product_id: str
    automation_token: str
    app_token: str

    def update_channel(self, **values: object) -> None:
        with self.app.app_context():
            channel = db.session.get(Channel, self.channel_id)
            for key, value in values.items():
                setattr(channel, key, value)
            db.session.commit()

    def route_app_webhooks(self, url: str) -> None:
        """Point the wixoms app's webhook URL (in the sandbox) at ``url``."""
        self.sandbox.register_app(
            app_id=self.app.config["WIX_APP_ID"],
            app_secret=self.app.config["WIX_APP_SECRET"],
            webhook_url=url,
        )

    @staticmethod
    def unverified(body: bytes) -> dict:
        """The JWT's middle layer (eventType, instanceId, data), for sorting test inputs."""
        claims = jwt.decode(body.decode(), options={"verify_signature": False})
        return json.loads(claims["data"])


def wix_world(sandbox, app: Flask, connected_channel, world, **settings: object) -> Shop:
    from datetime import UTC, datetime

    from wixoms.models import Product, Variant

    channel = connected_channel(
        channel_mode="webhooks",
        import_type="from_date",
        import_from_date=datetime(2000, 1, 1, tzinfo=UTC),
        **settings,
    )
    product = sandbox.add_product(channel.site_id, name="Tee", price=20, sku=SKU, quantity=500)
    with app.app_context():
        oms_product = Product(account_id=world.acme.id, name="Tee")
        db.session.add(oms_product)
        db.session.flush()
        db.session.add(Variant(account_id=world.acme.id, product_id=oms_product.id, sku=SKU))
        automation = WebhookEndpoint(channel_id=channel.id, kind="automation", token="A" * 43)
        app_endpoint = WebhookEndpoint(channel_id=channel.id, kind="app", token="B" * 43)
        db.session.add_all([automation, app_endpoint])
        db.session.commit()
    return Shop(
        app=app,
        sandbox=sandbox,
        channel_id=channel.id,
        site_id=channel.site_id,
        instance_id=channel.instance_id,
        product_id=product["id"],
        automation_token="A" * 43,
        app_token="B" * 43,
    )


def add_automation_endpoint(shop: Shop) -> str:
    token = "C" * 43
    with shop.app.app_context():
        db.session.add(WebhookEndpoint(channel_id=shop.channel_id, kind="automation", token=token))
        db.session.commit()
    return token

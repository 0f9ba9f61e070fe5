"""Every form of every page, submitted with its own CSRF token by three kinds of user: no 5xx.

The world: Acme's Wix channel connected to the live sandbox in webhooks mode, with orders (one
held on an unknown SKU), a shipment, mappings of each kind, stock, a webhook endpoint with a
delivery, and sync runs. The admin and the operator of Acme, and the admin of Globex, each crawl
what they can reach; then each submits every form any of them found (Globex's admin with his own
token on Acme's forms, which must be refused with a 4xx, never a 5xx) with plausible values,
junk in every field, and every field left empty.
"""

from __future__ import annotations

import secrets
from datetime import timedelta

import pytest

from tests.fixtures.wix import APP_ID
from tests.integration.channel_world import add_tee_and_places
from tests.integration.crawl.crawler import Crawl
from wixoms.extensions import db
from wixoms.models import (
    CarrierMapping,
    InventoryLevel,
    Order,
    Shipment,
    Variant,
    Warehouse,
    WarehouseMapping,
    WebhookEndpoint,
    WixItemMapping,
    WizardSession,
)
from wixoms.models._base import utcnow
from wixoms.sync.runs import run_now

USERS = (
    ("admin of another account", "boss@globex.test"),
    ("operator", "op@acme.test"),
    ("admin", "admin@acme.test"),
)


@pytest.fixture
def seeded(wix_app, world, sandbox, connected_channel):
    channel = connected_channel(catalog="v3", name="Acme Tees", channel_mode="webhooks")
    product = sandbox.add_product(
        channel.site_id, name="Wix Tee", price=20, options={"Size": ["S", "M", "L"]},
        skus={"S": "TEE-S", "M": "TEE-M", "L": "TEE-L"}, quantity=100,
    )  # fmt: skip
    with wix_app.app_context():
        tee, main, _east, ups = add_tee_and_places(world.acme.id)
        globex_wh = Warehouse(account_id=world.globex.id, code="G1", name="Globex WH")
        db.session.add(globex_wh)
        db.session.flush()
        db.session.add_all(
            [
                WarehouseMapping(
                    channel_id=channel.id,
                    warehouse_id=main.id,
                    wix_location_id="loc-1",
                    wix_location_name="Main",
                ),  # fmt: skip
                CarrierMapping(
                    channel_id=channel.id, wix_shipping_title="Express delivery", carrier_id=ups.id
                ),  # fmt: skip
                InventoryLevel(variant_id=tee.variants[0].id, warehouse_id=main.id, on_hand=5),
                WebhookEndpoint(channel_id=channel.id, token="crawl-token-123456"),
            ]
        )
        db.session.commit()
        ups_id = ups.id
    for size in ("S", "L"):
        sandbox.place_order(
            channel.site_id,
            lines=[{"productId": product["id"], "choices": {"Size": size}, "quantity": 1}],
            shippingTitle="Express delivery",
        )
    # A held order whose line has no SKU in Wix (the order page's map form), and a Wix product
    # mapped without SKU (the SKU tab's list of them).
    plain = sandbox.add_product(
        channel.site_id, name="Plain Tee", price=15, options={"Size": ["S", "M"]},
        skus={"S": "PLAIN-S"}, quantity=10,
    )  # fmt: skip
    sandbox.place_order(
        channel.site_id, lines=[{"productId": plain["id"], "choices": {"Size": "M"}, "quantity": 1}]
    )
    with wix_app.app_context():
        db.session.add(
            WixItemMapping(
                channel_id=channel.id, wix_product_id=plain["id"], wix_variant_id="elsewhere",
                variant_id=db.session.scalar(db.select(Variant.id).where(Variant.sku == "TEE-M")),
                product_name="Plain Tee (Size: XL)",
            )
        )  # fmt: skip
        db.session.commit()
    with wix_app.app_context():
        run_now(channel.id, "orders")
        order = db.session.scalar(
            db.select(Order).where(Order.hold_reason.is_(None)).order_by(Order.id).limit(1)
        )
        db.session.add(Shipment(order=order, carrier_id=ups_id, tracking_number="1Z999"))
        db.session.add(_wizard_in_progress(sandbox, world.admin.id))
        db.session.commit()
    return channel


def _wizard_in_progress(sandbox, user_id: int) -> WizardSession:
    """The admin came back from Wix with a second site: the Channels list offers to continue."""
    site = sandbox.create_site("Second Shop", "V1_CATALOG")
    install = sandbox.install(APP_ID, site["id"])
    return WizardSession(
        state=secrets.token_urlsafe(32), user_id=user_id, step="version",
        instance_id=install["instanceId"], site_id=site["id"], site_name="Second Shop",
        access_token=sandbox.access_token(install["instanceId"]),
        expires_at=utcnow() + timedelta(hours=1),
    )  # fmt: skip


def test_no_form_of_any_page_answers_5xx_for_admin_operator_or_another_account(wix_app, seeded):
    crawls = []
    for who, email in USERS:
        crawl = Crawl(wix_app.test_client(), who, email)
        crawl.log_in()
        crawl.visit_all()
        crawls.append(crawl)
    harvested = {k: s for c in crawls for k, s in c.found.items()}
    assert len(harvested) >= 30, sorted(harvested)  # the crawl reached the channel's tabs
    for crawl in crawls:
        crawl.submit_all(list(harvested.values()))
    problems = [str(p) for c in crawls for p in c.problems]
    assert not problems, "\n".join(problems)

"""What exists before the merchant starts: the Wix sites with a product and two past orders, and
the OMS catalog (a tee in S, M and a differently named L, a warehouse with stock, a carrier).

The Wix side goes through the sandbox's control API (it stands for what the shopper and the
store owner did in Wix); the OMS side is written to the database, as an earlier import would.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import requests
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from tests.browser.journey.stack import ACCOUNT, Stack
from wixoms.sandbox.control_client import SandboxControl

OMS_SKUS = {"TEE-S": "S", "TEE-M": "M", "TEE-LARGE": "L"}  # the OMS names its L differently
WIX_SKUS = {"S": "TEE-S", "M": "TEE-M", "L": "TEE-L"}
STOCK = 40


@dataclass
class Wix:
    """The sandbox as the journey sees it: the site the merchant connects and its product."""

    control: SandboxControl
    url: str
    site_id: str
    product: dict

    def catalog_page(self) -> str:
        return f"{self.url}/dashboard/{self.site_id}/products"

    def variant_quantity(self, sku: str) -> int | None:
        """The quantity the store owner's Catalog page in Wix shows for the SKU."""
        html = requests.get(self.catalog_page(), timeout=10).text
        found = re.search(rf">{re.escape(sku)}</span> · [\d.]+ ·\s*(\d+) in stock", html)
        return int(found.group(1)) if found else None

    def fulfillment_numbers(self, order_number: str) -> list[str]:
        """Tracking numbers of the order's fulfillments, read through Wix's API."""
        order = next(
            (o for o in self.control.orders(self.site_id) if str(o.get("number")) == order_number),
            None,
        )
        if order is None:
            return []
        instance = next(
            i["instanceId"] for i in self.control.installations() if i["siteId"] == self.site_id
        )
        token = self.control.access_token(instance)
        response = requests.get(
            f"{self.url}/ecom/v1/fulfillments/orders/{order['id']}",
            headers={"Authorization": token},
            timeout=10,
        )
        response.raise_for_status()
        body = response.json()
        fulfillments = body.get("orderWithFulfillments", body).get("fulfillments", [])
        return [f.get("trackingInfo", {}).get("trackingNumber", "") for f in fulfillments]


def build(stack: Stack) -> Wix:
    control = SandboxControl(stack.wix_url)
    control.create_site("First Shop", "V3_CATALOG")
    site = control.create_site("Second Shop", "V3_CATALOG")
    product = control.add_product(
        site["id"], name="Trail Tee", price=25, options={"Size": ["S", "M", "L"]},
        skus=WIX_SKUS, quantity=100,
    )  # fmt: skip
    for size in ("S", "L"):  # the L is unknown to the OMS: its order will be held
        control.place_order(
            site["id"],
            lines=[{"productId": product["id"], "choices": {"Size": size}, "quantity": 1}],
            shippingTitle="Express delivery",
        )
    _oms_catalog(stack.database_url)
    return Wix(control, stack.wix_url, site["id"], product)


def _oms_catalog(database_url: str) -> None:
    from wixoms.models import Account, Carrier, InventoryLevel, Product, Variant, Warehouse

    engine = create_engine(database_url)
    with Session(engine) as session:
        account = session.scalar(select(Account).where(Account.name == ACCOUNT))
        tee = Product(account_id=account.id, name="Trail Tee")
        for sku, size in OMS_SKUS.items():
            tee.variants.append(Variant(account_id=account.id, sku=sku, options={"Size": size}))
        main = Warehouse(account_id=account.id, code="MAIN", name="Main warehouse")
        ups = Carrier(account_id=account.id, name="UPS", code="ups")
        session.add_all([tee, main, ups])
        session.flush()
        session.add_all(
            InventoryLevel(variant_id=v.id, warehouse_id=main.id, on_hand=STOCK)
            for v in tee.variants
        )
        session.commit()
    engine.dispose()

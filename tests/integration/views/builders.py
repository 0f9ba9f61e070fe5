"""Small builders for the OMS page tests: catalog objects and orders, committed, ids returned."""

from __future__ import annotations

from decimal import Decimal

from wixoms.extensions import db
from wixoms.models import (
    Carrier,
    Channel,
    InventoryLevel,
    Order,
    OrderLine,
    Product,
    Variant,
    Warehouse,
)


def add_product(app, account_id: int, name: str, skus: list[str], options=None) -> int:
    """A product with one variant per SKU (options: one dict per SKU, or none)."""
    with app.app_context():
        product = Product(account_id=account_id, name=name)
        for i, sku in enumerate(skus):
            product.variants.append(
                Variant(
                    account_id=account_id,
                    sku=sku,
                    price=Decimal("10.00"),
                    options=(options[i] if options else {}),
                )
            )
        db.session.add(product)
        db.session.commit()
        return product.id


def variant_id(app, sku: str) -> int:
    with app.app_context():
        return db.session.scalar(db.select(Variant.id).where(Variant.sku == sku))


def add_warehouse(app, account_id: int, code: str, name: str | None = None) -> int:
    with app.app_context():
        warehouse = Warehouse(account_id=account_id, code=code, name=name or f"Warehouse {code}")
        db.session.add(warehouse)
        db.session.commit()
        return warehouse.id


def add_level(app, variant: int, warehouse: int, on_hand: int) -> None:
    with app.app_context():
        db.session.add(InventoryLevel(variant_id=variant, warehouse_id=warehouse, on_hand=on_hand))
        db.session.commit()


def add_carrier(app, account_id: int, name: str, code: str, template: str = "") -> int:
    with app.app_context():
        carrier = Carrier(
            account_id=account_id, name=name, code=code, tracking_url_template=template
        )
        db.session.add(carrier)
        db.session.commit()
        return carrier.id


def add_channel(app, account_id: int, name: str = "My Wix store") -> int:
    with app.app_context():
        channel = Channel(account_id=account_id, name=name, instance_id=f"inst-{account_id}")
        db.session.add(channel)
        db.session.commit()
        return channel.id


def add_order(
    app,
    account_id: int,
    number: str,
    *,
    lines: list[tuple[str, int]] = (("SKU-1", 1),),
    status: str = "open",
    hold_reason: str | None = None,
    channel_id: int | None = None,
    buyer_email: str = "buyer@example.com",
    known_skus: bool = True,
) -> int:
    """An order whose lines point at the account's variants of those SKUs when they exist."""
    with app.app_context():
        order = Order(
            account_id=account_id,
            number=number,
            status=status,
            hold_reason=hold_reason,
            channel_id=channel_id,
            buyer_name="Buyer",
            buyer_email=buyer_email,
            ship_name="Buyer",
            ship_address1="1 Main St",
            ship_city="Springfield",
            ship_postcode="12345",
            ship_country="US",
        )
        for sku, quantity in lines:
            variant = db.session.scalar(
                db.select(Variant).where(Variant.account_id == account_id, Variant.sku == sku)
            )
            order.lines.append(
                OrderLine(
                    sku=sku,
                    name=f"Item {sku}",
                    quantity=quantity,
                    unit_price=Decimal("5.00"),
                    variant_id=variant.id if variant and known_skus else None,
                )
            )
        db.session.add(order)
        db.session.commit()
        return order.id

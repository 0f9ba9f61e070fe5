"""Orders, their lines and shipments."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from wixoms.extensions import db
from wixoms.models._base import MONEY, ZERO, UTCDateTime, utcnow

ORDER_STATUSES = (
    "open",
    "awaiting_payment",
    "on_hold",
    "partially_shipped",
    "shipped",
    "cancelled",
    "merged",
)


class Order(db.Model):
    __tablename__ = "orders"
    # Wix order ids are GUIDs: one OMS order per Wix order per account, even across reconnects.
    __table_args__ = (
        UniqueConstraint("account_id", "external_id"),
        Index("ix_orders_account_id_id", "account_id", "id"),
        # The Orders list: newest placed first, keyset-paged on (placed, id).
        Index("ix_orders_account_id_placed_at", "account_id", "placed_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    channel_id: Mapped[int | None] = mapped_column(
        ForeignKey("channels.id", ondelete="SET NULL"), index=True
    )
    source_channel_name: Mapped[str] = mapped_column(String(80), default="")
    external_id: Mapped[str | None] = mapped_column(String(64))
    number: Mapped[str] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(20), default="open", index=True)
    channel_status: Mapped[str] = mapped_column(String(20), default="")
    payment_status: Mapped[str] = mapped_column(String(24), default="")
    fulfillment_status: Mapped[str] = mapped_column(String(24), default="NOT_FULFILLED")
    is_pickup: Mapped[bool] = mapped_column(default=False)
    hold_reason: Mapped[str | None] = mapped_column(Text)

    buyer_name: Mapped[str] = mapped_column(String(160), default="")
    buyer_email: Mapped[str] = mapped_column(String(254), default="", index=True)
    buyer_phone: Mapped[str] = mapped_column(String(40), default="")
    ship_name: Mapped[str] = mapped_column(String(160), default="")
    ship_company: Mapped[str] = mapped_column(String(160), default="")
    ship_address1: Mapped[str] = mapped_column(String(255), default="")
    ship_address2: Mapped[str] = mapped_column(String(255), default="")
    ship_city: Mapped[str] = mapped_column(String(120), default="")
    ship_region: Mapped[str] = mapped_column(String(120), default="")
    ship_postcode: Mapped[str] = mapped_column(String(20), default="")
    ship_country: Mapped[str] = mapped_column(String(2), default="")
    shipping_method: Mapped[str] = mapped_column(String(120), default="")
    buyer_note: Mapped[str] = mapped_column(Text, default="")
    personal_data_masked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    carrier_id: Mapped[int | None] = mapped_column(ForeignKey("carriers.id", ondelete="SET NULL"))
    warehouse_id: Mapped[int | None] = mapped_column(
        ForeignKey("warehouses.id", ondelete="SET NULL")
    )
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id", ondelete="SET NULL"))
    merge_note: Mapped[str] = mapped_column(Text, default="")

    currency: Mapped[str] = mapped_column(String(3), default="USD")
    subtotal: Mapped[Decimal] = mapped_column(MONEY, default=ZERO)
    shipping_total: Mapped[Decimal] = mapped_column(MONEY, default=ZERO)
    tax_total: Mapped[Decimal] = mapped_column(MONEY, default=ZERO)
    discount_total: Mapped[Decimal] = mapped_column(MONEY, default=ZERO)
    total: Mapped[Decimal] = mapped_column(MONEY, default=ZERO)

    placed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    external_updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    lines: Mapped[list[OrderLine]] = relationship(
        back_populates="order", cascade="all, delete-orphan", order_by="OrderLine.id"
    )
    shipments: Mapped[list[Shipment]] = relationship(
        back_populates="order", cascade="all, delete-orphan", order_by="Shipment.id"
    )
    channel = relationship("Channel")
    carrier = relationship("Carrier")
    warehouse = relationship("Warehouse")

    @property
    def on_hold(self) -> bool:
        return self.hold_reason is not None


class OrderLine(db.Model):
    __tablename__ = "order_lines"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    variant_id: Mapped[int | None] = mapped_column(ForeignKey("variants.id", ondelete="SET NULL"))
    external_line_id: Mapped[str] = mapped_column(String(64), default="")
    # For lines merged in from another Wix order: which one they came from.
    external_order_id: Mapped[str] = mapped_column(String(64), default="")
    sku: Mapped[str] = mapped_column(String(64), default="")
    # The Wix product and variant of the line: a line without SKU is mapped by them.
    wix_product_id: Mapped[str] = mapped_column(String(64), default="")
    wix_variant_id: Mapped[str] = mapped_column(String(64), default="")
    name: Mapped[str] = mapped_column(String(255), default="")
    quantity: Mapped[int] = mapped_column(default=1)
    unit_price: Mapped[Decimal] = mapped_column(MONEY, default=ZERO)

    order: Mapped[Order] = relationship(back_populates="lines")
    variant = relationship("Variant")


class Shipment(db.Model):
    __tablename__ = "shipments"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    carrier_id: Mapped[int | None] = mapped_column(ForeignKey("carriers.id", ondelete="SET NULL"))
    tracking_number: Mapped[str] = mapped_column(String(80))
    tracking_url: Mapped[str] = mapped_column(String(500), default="")
    shipped_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    wix_fulfillment_id: Mapped[str | None] = mapped_column(String(64))
    pushed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    push_error: Mapped[str | None] = mapped_column(Text)

    order: Mapped[Order] = relationship(back_populates="shipments")
    carrier = relationship("Carrier")
    lines: Mapped[list[ShipmentLine]] = relationship(
        back_populates="shipment", cascade="all, delete-orphan"
    )


class ShipmentLine(db.Model):
    __tablename__ = "shipment_lines"

    id: Mapped[int] = mapped_column(primary_key=True)
    shipment_id: Mapped[int] = mapped_column(
        ForeignKey("shipments.id", ondelete="CASCADE"), index=True
    )
    order_line_id: Mapped[int] = mapped_column(ForeignKey("order_lines.id", ondelete="CASCADE"))
    quantity: Mapped[int] = mapped_column(default=1)

    shipment: Mapped[Shipment] = relationship(back_populates="lines")
    order_line: Mapped[OrderLine] = relationship()

"""The OMS catalog: warehouses, products, variants (SKUs), stock levels and carriers."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import JSON, ForeignKey, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from wixoms.extensions import db
from wixoms.models._base import MONEY, UTCDateTime, utcnow


class Warehouse(db.Model):
    __tablename__ = "warehouses"
    __table_args__ = (
        UniqueConstraint("account_id", "code"),
        UniqueConstraint("account_id", "name"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), index=True
    )
    code: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(80))
    address: Mapped[str] = mapped_column(String(255), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Product(db.Model):
    __tablename__ = "products"

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(80))
    description: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    variants: Mapped[list[Variant]] = relationship(
        back_populates="product", cascade="all, delete-orphan", order_by="Variant.id"
    )

    @property
    def has_variants(self) -> bool:
        return any(v.options for v in self.variants)

    @property
    def option_names(self) -> list[str]:
        names: list[str] = []
        for v in self.variants:
            for name in v.options or {}:
                if name not in names:
                    names.append(name)
        return names


class Variant(db.Model):
    """A sellable SKU; a product without options has exactly one variant with no options."""

    __tablename__ = "variants"
    __table_args__ = (UniqueConstraint("account_id", "sku"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), index=True
    )
    product_id: Mapped[int] = mapped_column(
        ForeignKey("products.id", ondelete="CASCADE"), index=True
    )
    sku: Mapped[str] = mapped_column(String(64))
    options: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    price: Mapped[Decimal] = mapped_column(MONEY, default=Decimal("0.00"))
    weight: Mapped[Decimal | None] = mapped_column(Numeric(10, 3))
    barcode: Mapped[str] = mapped_column(String(64), default="")

    product: Mapped[Product] = relationship(back_populates="variants")
    levels: Mapped[list[InventoryLevel]] = relationship(
        back_populates="variant", cascade="all, delete-orphan"
    )

    @property
    def title(self) -> str:
        if not self.options:
            return self.product.name
        return f"{self.product.name} ({' / '.join(self.options.values())})"


class InventoryLevel(db.Model):
    __tablename__ = "inventory_levels"

    variant_id: Mapped[int] = mapped_column(
        ForeignKey("variants.id", ondelete="CASCADE"), primary_key=True
    )
    warehouse_id: Mapped[int] = mapped_column(
        ForeignKey("warehouses.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    # Physical units; what is allocated to open orders is computed (wixoms/sync/stock.py).
    on_hand: Mapped[int] = mapped_column(default=0)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    variant: Mapped[Variant] = relationship(back_populates="levels")
    warehouse: Mapped[Warehouse] = relationship()


class Carrier(db.Model):
    __tablename__ = "carriers"
    __table_args__ = (UniqueConstraint("account_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(80))
    # Wix knows ups, usps, fedex, dhl, ... and builds their tracking links itself.
    code: Mapped[str] = mapped_column(String(40), default="")
    tracking_url_template: Mapped[str] = mapped_column(String(255), default="")

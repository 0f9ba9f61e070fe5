"""The Wix sales channel: connection, every setting of the channel page, and its mappings."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from wixoms.crypto import EncryptedText
from wixoms.extensions import db
from wixoms.models._base import UTCDateTime, utcnow

CHANNEL_MODES = ("scheduled", "webhooks", "manual")
SYNC_KINDS = ("orders", "inventory", "products", "catalog_import", "fulfillments")
WIX_ORDER_STATUSES = ("INITIALIZED", "APPROVED", "PENDING", "CANCELED", "REJECTED")
IMPORT_TYPES = ("from_now", "from_date", "last_days")
PAYMENT_FILTERS = ("any", "paid")


class Channel(db.Model):
    __tablename__ = "channels"
    # "A single account can only have one Wix Sales Channel, regardless of version."
    __table_args__ = (UniqueConstraint("account_id"), UniqueConstraint("instance_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(80))
    logo: Mapped[bytes | None] = mapped_column(LargeBinary)
    logo_mime: Mapped[str] = mapped_column(String(40), default="")
    catalog_version: Mapped[str] = mapped_column(String(2), default="v3")
    is_active: Mapped[bool] = mapped_column(default=False)
    # Bumped by every Save of the settings tabs; the page carries it, so a Save from a stale
    # tab is refused instead of undoing another tab's Save.
    settings_version: Mapped[int] = mapped_column(default=1, server_default="1")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    # Connection (tokens encrypted at rest).
    auth_flow: Mapped[str] = mapped_column(String(10), default="oauth")
    access_token: Mapped[str | None] = mapped_column(EncryptedText)
    refresh_token: Mapped[str | None] = mapped_column(EncryptedText)
    token_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    needs_reconnect: Mapped[bool] = mapped_column(default=False)
    last_error: Mapped[str | None] = mapped_column(Text)
    # When the tokens were last granted (setup or reconnect): older failures are history.
    connected_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Helm's way: the merchant's own Wix app ("" = the wixoms App Market app of the config).
    custom_app_id: Mapped[str] = mapped_column(String(64), default="", server_default="")
    custom_app_secret: Mapped[str | None] = mapped_column(EncryptedText)
    custom_app_public_key: Mapped[str | None] = mapped_column(Text)
    # Set by Wix's AppRemoved event: the channel stops syncing until the app is back.
    app_removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    # Channel settings tab.
    api_url: Mapped[str] = mapped_column(String(255), default="https://www.wixapis.com")
    instance_id: Mapped[str] = mapped_column(String(64))
    site_id: Mapped[str] = mapped_column(String(64), default="")
    site_url: Mapped[str] = mapped_column(String(255), default="")
    site_name: Mapped[str] = mapped_column(String(120), default="")
    order_statuses: Mapped[list[str]] = mapped_column(JSON, default=lambda: ["APPROVED"])
    throughput_plan: Mapped[str] = mapped_column(String(20), default="standard")
    process_pickup_orders: Mapped[bool] = mapped_column(default=False)
    stock_buffer: Mapped[int] = mapped_column(default=0)
    max_stock_level: Mapped[int | None] = mapped_column()

    # Main settings tab.
    channel_mode: Mapped[str] = mapped_column(String(12), default="scheduled")
    orders_auto: Mapped[bool] = mapped_column(default=True)
    orders_interval_min: Mapped[int] = mapped_column(default=15)
    inventory_auto: Mapped[bool] = mapped_column(default=False)
    inventory_interval_min: Mapped[int] = mapped_column(default=30)
    products_auto: Mapped[bool] = mapped_column(default=False)
    products_interval_min: Mapped[int] = mapped_column(default=360)
    catalog_import_auto: Mapped[bool] = mapped_column(default=False)
    catalog_import_interval_min: Mapped[int] = mapped_column(default=1440)
    fulfillments_auto: Mapped[bool] = mapped_column(default=True)
    fulfillments_interval_min: Mapped[int] = mapped_column(default=15)
    use_channel_names: Mapped[bool] = mapped_column(default=False)
    auto_merge_orders: Mapped[bool] = mapped_column(default=False)
    import_type: Mapped[str] = mapped_column(String(12), default="last_days")
    import_from_date: Mapped[datetime | None] = mapped_column(UTCDateTime())
    import_last_days: Mapped[int] = mapped_column(default=7)
    payment_filter: Mapped[str] = mapped_column(String(8), default="any")
    skip_fulfilled: Mapped[bool] = mapped_column(default=True)

    # Advanced settings tab.
    mask_personal_data_days: Mapped[int | None] = mapped_column(default=None)
    exclude_pii_from_logs: Mapped[bool] = mapped_column(default=True)
    log_retention_days: Mapped[int] = mapped_column(default=30)
    request_timeout_s: Mapped[int] = mapped_column(default=30)
    dry_run: Mapped[bool] = mapped_column(default=False)

    account = relationship("Account")
    carrier_mappings: Mapped[list[CarrierMapping]] = relationship(
        back_populates="channel", cascade="all, delete-orphan"
    )
    warehouse_mappings: Mapped[list[WarehouseMapping]] = relationship(
        back_populates="channel", cascade="all, delete-orphan"
    )
    webhook_endpoints = relationship(
        "WebhookEndpoint", back_populates="channel", cascade="all, delete-orphan"
    )

    def interval_for(self, kind: str) -> int:
        return getattr(self, f"{kind}_interval_min")

    def auto_for(self, kind: str) -> bool:
        return getattr(self, f"{kind}_auto")

    def tokens_refused(self, message: str) -> None:
        """Wix refused the channel's tokens: stop syncing and say why — unless the app was
        removed from the site, whose message already says why and what to do."""
        self.needs_reconnect = True
        if self.app_removed_at is None:
            self.last_error = message


class CarrierMapping(db.Model):
    """Wix shipping title → OMS carrier; used for incoming orders only."""

    __tablename__ = "carrier_mappings"
    __table_args__ = (UniqueConstraint("channel_id", "wix_shipping_title"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    channel_id: Mapped[int] = mapped_column(ForeignKey("channels.id", ondelete="CASCADE"))
    wix_shipping_title: Mapped[str] = mapped_column(String(120))
    carrier_id: Mapped[int] = mapped_column(ForeignKey("carriers.id", ondelete="CASCADE"))

    channel: Mapped[Channel] = relationship(back_populates="carrier_mappings")
    carrier = relationship("Carrier")


class SkuMapping(db.Model):
    """Wix SKU (and product/variant) ↔ OMS variant."""

    __tablename__ = "sku_mappings"
    __table_args__ = (UniqueConstraint("channel_id", "wix_sku"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    channel_id: Mapped[int] = mapped_column(ForeignKey("channels.id", ondelete="CASCADE"))
    wix_sku: Mapped[str] = mapped_column(String(64))
    variant_id: Mapped[int] = mapped_column(
        ForeignKey("variants.id", ondelete="CASCADE"), index=True
    )
    wix_product_id: Mapped[str] = mapped_column(String(64), default="")
    wix_variant_id: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    variant = relationship("Variant")


class WixItemMapping(db.Model):
    """A Wix product (and variant) ↔ OMS variant, for Wix order lines that carry no SKU."""

    __tablename__ = "wix_item_mappings"
    __table_args__ = (UniqueConstraint("channel_id", "wix_product_id", "wix_variant_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    channel_id: Mapped[int] = mapped_column(ForeignKey("channels.id", ondelete="CASCADE"))
    wix_product_id: Mapped[str] = mapped_column(String(64))
    wix_variant_id: Mapped[str] = mapped_column(String(64), default="")
    variant_id: Mapped[int] = mapped_column(
        ForeignKey("variants.id", ondelete="CASCADE"), index=True
    )
    product_name: Mapped[str] = mapped_column(String(255), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    variant = relationship("Variant")


class UnmappedSku(db.Model):
    """A Wix SKU seen on an order that matched no OMS SKU."""

    __tablename__ = "unmapped_skus"
    __table_args__ = (UniqueConstraint("channel_id", "wix_sku"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    channel_id: Mapped[int] = mapped_column(ForeignKey("channels.id", ondelete="CASCADE"))
    wix_sku: Mapped[str] = mapped_column(String(64))
    product_name: Mapped[str] = mapped_column(String(255), default="")
    times_seen: Mapped[int] = mapped_column(default=1)
    first_seen_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_order_number: Mapped[str] = mapped_column(String(40), default="")


class WarehouseMapping(db.Model):
    """OMS warehouse ↔ Wix location id."""

    __tablename__ = "warehouse_mappings"
    __table_args__ = (UniqueConstraint("channel_id", "warehouse_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    channel_id: Mapped[int] = mapped_column(ForeignKey("channels.id", ondelete="CASCADE"))
    warehouse_id: Mapped[int] = mapped_column(ForeignKey("warehouses.id", ondelete="CASCADE"))
    wix_location_id: Mapped[str] = mapped_column(String(64), default="")
    # The location's name in Wix when it was mapped (shown instead of the bare id).
    wix_location_name: Mapped[str] = mapped_column(String(150), default="", server_default="")

    channel: Mapped[Channel] = relationship(back_populates="warehouse_mappings")
    warehouse = relationship("Warehouse")


class InventoryPushState(db.Model):
    """What was last sent to Wix per SKU, so only changes are pushed."""

    __tablename__ = "inventory_push_states"
    __table_args__ = (UniqueConstraint("channel_id", "sku"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    channel_id: Mapped[int] = mapped_column(ForeignKey("channels.id", ondelete="CASCADE"))
    sku: Mapped[str] = mapped_column(String(64))
    quantity: Mapped[int] = mapped_column(default=0)
    wix_product_id: Mapped[str] = mapped_column(String(64), default="")
    wix_variant_id: Mapped[str] = mapped_column(String(64), default="")
    extra: Mapped[dict] = mapped_column(JSON, default=dict)
    pushed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class ProductPushState(db.Model):
    """Which Wix product an OMS product was pushed as, and a fingerprint of what was sent."""

    __tablename__ = "product_push_states"
    __table_args__ = (UniqueConstraint("channel_id", "product_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    channel_id: Mapped[int] = mapped_column(ForeignKey("channels.id", ondelete="CASCADE"))
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id", ondelete="CASCADE"))
    wix_product_id: Mapped[str] = mapped_column(String(64))
    fingerprint: Mapped[str] = mapped_column(String(64), default="")
    pushed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

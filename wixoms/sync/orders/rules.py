"""A channel's order rules: which Wix orders qualify, and how lines find OMS variants."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from wixoms.extensions import db
from wixoms.models import (
    CarrierMapping,
    Channel,
    Order,
    SkuMapping,
    Variant,
    WarehouseMapping,
    WixItemMapping,
)
from wixoms.models._base import utcnow
from wixoms.sync.runs import aware
from wixoms.wix import Order as WixOrder
from wixoms.wix.models import LineItem
from wixoms.wording import wix_order_status


def import_start(channel: Channel) -> datetime:
    """The Order Importing Type start point: orders placed before it are not imported.

    from_now counts from when the channel was set up (so nothing placed between setup and the
    first run is missed); last_days counts back from that same moment, so it does not slide.
    """
    created = aware(channel.created_at) or utcnow()
    if channel.import_type == "from_date" and channel.import_from_date:
        return aware(channel.import_from_date)
    if channel.import_type == "last_days":
        return created - timedelta(days=max(channel.import_last_days or 0, 0))
    return created


# Wix statuses that end an order: first seen or later, the OMS order is cancelled.
CANCELLED_IN_WIX = ("CANCELED", "REJECTED")

# Why a line is not bound to an OMS variant (Binding.problem).
UNKNOWN_SKU, NO_SKU, SKU_MISMATCH = "unknown_sku", "no_sku", "sku_mismatch"


@dataclass(frozen=True)
class Binding:
    """The OMS variant a Wix line stands for, or why there is none."""

    variant_id: int | None
    problem: str | None = None  # UNKNOWN_SKU, NO_SKU or SKU_MISMATCH
    mapped_sku: str = ""  # SKU_MISMATCH: the OMS SKU its Wix product/variant is mapped to


@dataclass
class OrderRules:
    """A channel's mappings, read once per run (or per webhook) and cached."""

    channel: Channel | None
    account_id: int
    carriers: dict[str, int] = field(default_factory=dict)
    sku_mappings: dict[str, int | None] = field(default_factory=dict)
    # (Wix product id, Wix variant id or "") → (OMS variant id, the mapping's Wix SKU or "").
    ref_mappings: dict[tuple[str, str], tuple[int, str] | None] = field(default_factory=dict)
    # Lazy rules read each mapping when first asked (one order's page), instead of all at once.
    lazy: bool = False
    variants: dict[str, tuple[int, str] | None] = field(default_factory=dict)
    titles: dict[int, str] = field(default_factory=dict)
    skus: dict[int, str] = field(default_factory=dict)
    warehouse_id: int | None = None
    start: datetime | None = None

    @classmethod
    def load(cls, channel: Channel) -> OrderRules:
        rules = cls(channel=channel, account_id=channel.account_id, start=import_start(channel))
        for m in db.session.scalars(
            db.select(CarrierMapping).where(CarrierMapping.channel_id == channel.id)
        ):
            rules.carriers[_key(m.wix_shipping_title)] = m.carrier_id
        for item in db.session.scalars(
            db.select(WixItemMapping).where(WixItemMapping.channel_id == channel.id)
        ):
            key = (item.wix_product_id, item.wix_variant_id or "")
            rules.ref_mappings[key] = (item.variant_id, "")
        for m in db.session.scalars(
            db.select(SkuMapping).where(SkuMapping.channel_id == channel.id)
        ):
            rules.sku_mappings[m.wix_sku] = m.variant_id
            if m.wix_product_id:
                key = (m.wix_product_id, m.wix_variant_id or "")
                rules.ref_mappings[key] = (m.variant_id, m.wix_sku)
        rules.warehouse_id = db.session.scalar(
            db.select(WarehouseMapping.warehouse_id)
            .where(WarehouseMapping.channel_id == channel.id)
            .order_by(WarehouseMapping.id)
            .limit(1)
        )
        return rules

    @classmethod
    def for_order(cls, order: Order) -> OrderRules:
        """The rules of the order's channel; an order whose channel was deleted binds by exact
        OMS SKU only."""
        channel = db.session.get(Channel, order.channel_id) if order.channel_id else None
        return cls(channel=channel, account_id=order.account_id, lazy=channel is not None)

    def carrier_for(self, title: str | None) -> int | None:
        return self.carriers.get(_key(title or ""))

    def bind(self, sku: str | None, product_id: str | None, variant_id: str | None) -> Binding:
        """The OMS variant of a Wix line: its SKU (SKU mapping, then an exact OMS SKU) and its
        Wix product/variant mapping must agree; a line without SKU goes by the mapping alone."""
        by_sku = self._by_sku(sku) if sku else None
        ref = self._ref(product_id, variant_id or "") if product_id else None
        if ref is None:
            if by_sku is not None:
                return Binding(by_sku)
            return Binding(None, UNKNOWN_SKU if sku else NO_SKU)
        mapped, mapped_wix_sku = ref
        if not sku or by_sku == mapped or (by_sku is None and not mapped_wix_sku):
            return Binding(mapped)
        return Binding(None, SKU_MISMATCH, self.sku_of(mapped))

    def variant_for(self, line: LineItem) -> int | None:
        """The OMS variant of a Wix line, or None when it has none (see ``bind``)."""
        return self.bind(line.sku, line.product_id, line.variant_id).variant_id

    def _ref(self, product_id: str, variant_id: str) -> tuple[int, str] | None:
        key = (product_id, variant_id)
        if self.lazy and key not in self.ref_mappings and self.channel is not None:
            by_sku_mapping = db.session.execute(
                db.select(SkuMapping.variant_id, SkuMapping.wix_sku)
                .where(
                    SkuMapping.channel_id == self.channel.id,
                    SkuMapping.wix_product_id == product_id,
                    SkuMapping.wix_variant_id == variant_id,
                )
                .limit(1)
            ).first()
            by_item = db.session.scalar(
                db.select(WixItemMapping.variant_id).where(
                    WixItemMapping.channel_id == self.channel.id,
                    WixItemMapping.wix_product_id == product_id,
                    WixItemMapping.wix_variant_id == variant_id,
                )
            )
            self.ref_mappings[key] = (
                (by_sku_mapping.variant_id, by_sku_mapping.wix_sku)
                if by_sku_mapping
                else ((by_item, "") if by_item is not None else None)
            )
        return self.ref_mappings.get(key)

    def _by_sku(self, sku: str) -> int | None:
        if self.lazy and sku not in self.sku_mappings and self.channel is not None:
            self.sku_mappings[sku] = db.session.scalar(
                db.select(SkuMapping.variant_id).where(
                    SkuMapping.channel_id == self.channel.id, SkuMapping.wix_sku == sku
                )
            )
        if self.sku_mappings.get(sku) is not None:
            return self.sku_mappings[sku]
        if sku not in self.variants:
            row = db.session.execute(
                db.select(Variant.id, Variant.sku).where(
                    Variant.account_id == self.account_id, Variant.sku == sku
                )
            ).first()
            self.variants[sku] = (row.id, row.sku) if row else None
        found = self.variants[sku]
        return found[0] if found else None

    def title_for(self, variant_id: int) -> str:
        if variant_id not in self.titles:
            variant = db.session.get(Variant, variant_id)
            self.titles[variant_id] = variant.title if variant else ""
        return self.titles[variant_id]

    def sku_of(self, variant_id: int) -> str:
        if variant_id not in self.skus:
            self.skus[variant_id] = (
                db.session.scalar(db.select(Variant.sku).where(Variant.id == variant_id)) or ""
            )
        return self.skus[variant_id]


def _key(title: str) -> str:
    return " ".join(title.split()).casefold()


def skip_reason(channel: Channel, wix_order: WixOrder, start: datetime | None) -> str | None:
    """Why a Wix order the OMS does not have yet is not imported, or None to import it."""
    if wix_order.status not in (channel.order_statuses or []):
        status = wix_order_status(wix_order.status)
        return f"its Wix status ({status}) is not in Download Orders with Order Status"
    if wix_order.is_pickup and not channel.process_pickup_orders:
        return "pickup order, and Process Pickup Orders is No"
    if channel.payment_filter == "paid" and wix_order.payment_status != "PAID":
        return f"payment status {wix_order.payment_status or 'unknown'}, and only paid are imported"
    if channel.skip_fulfilled and wix_order.fulfillment_status == "FULFILLED":
        return "already fulfilled in Wix, and Skip fulfilled orders is on"
    if start is not None and wix_order.created_date < start:
        return f"placed before the import start point ({start:%Y-%m-%d %H:%M} UTC)"
    return None


def unheld_state(wix_status: str) -> str:
    """The OMS status of an order not (or no longer) on hold, from its Wix status."""
    if wix_status in CANCELLED_IN_WIX:
        return "cancelled"
    if wix_status == "INITIALIZED":
        return "awaiting_payment"
    return "open"

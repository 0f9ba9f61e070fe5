"""SQLAlchemy models, one module per aggregate; imported here so Alembic sees them all."""

from wixoms.models.account import ROLES, Account, Membership, User
from wixoms.models.catalog import Carrier, InventoryLevel, Product, Variant, Warehouse
from wixoms.models.channel import (
    CHANNEL_MODES,
    IMPORT_TYPES,
    PAYMENT_FILTERS,
    SYNC_KINDS,
    WIX_ORDER_STATUSES,
    CarrierMapping,
    Channel,
    InventoryPushState,
    ProductPushState,
    SkuMapping,
    UnmappedSku,
    WarehouseMapping,
    WixItemMapping,
)
from wixoms.models.orders import ORDER_STATUSES, Order, OrderLine, Shipment, ShipmentLine
from wixoms.models.sync import (
    RUN_STATES,
    TRIGGERS,
    JobTimer,
    Lease,
    SyncCheckpoint,
    SyncLogEntry,
    SyncRun,
)
from wixoms.models.webhooks import ENDPOINT_KINDS, EVENT_STATES, WebhookEndpoint, WebhookEvent
from wixoms.models.wizard import UsedSignedInstance, WizardSession

__all__ = [
    "ROLES",
    "Account",
    "Membership",
    "User",
    "Carrier",
    "InventoryLevel",
    "Product",
    "Variant",
    "Warehouse",
    "CHANNEL_MODES",
    "IMPORT_TYPES",
    "PAYMENT_FILTERS",
    "SYNC_KINDS",
    "WIX_ORDER_STATUSES",
    "CarrierMapping",
    "Channel",
    "InventoryPushState",
    "ProductPushState",
    "SkuMapping",
    "UnmappedSku",
    "WixItemMapping",
    "WarehouseMapping",
    "ORDER_STATUSES",
    "Order",
    "OrderLine",
    "Shipment",
    "ShipmentLine",
    "RUN_STATES",
    "TRIGGERS",
    "JobTimer",
    "Lease",
    "SyncCheckpoint",
    "SyncLogEntry",
    "SyncRun",
    "ENDPOINT_KINDS",
    "EVENT_STATES",
    "WebhookEndpoint",
    "WebhookEvent",
    "UsedSignedInstance",
    "WizardSession",
]

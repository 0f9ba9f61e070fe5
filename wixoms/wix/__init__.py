"""The Wix API client: a small SDK with no Flask or database imports.

Start with ``WixClient(app, instance_id=..., credentials=...)``; auth helpers for the
install flows live in ``auth``; incoming notifications in ``webhooks``.
"""

from .auth import (
    AuthFlow,
    Credentials,
    SignedInstance,
    WixApp,
    client_credentials_token,
    close_window_url,
    exchange_code,
    install_url,
    refresh_access_token,
    verify_signed_instance,
)
from .catalog import CatalogGateway, CatalogVersion
from .catalog_v1 import CatalogV1
from .catalog_v3 import CatalogV3
from .client import WixClient
from .errors import (
    InvalidSignedInstance,
    InvalidWebhook,
    ReconnectRequired,
    WixAuthError,
    WixConflict,
    WixError,
    WixNotFound,
    WixPayloadError,
    WixPermissionError,
    WixPreconditionFailed,
    WixRateLimited,
    WixServerError,
    WixUnavailable,
    WixValidationError,
)
from .models import (
    Address,
    AppInstance,
    Buyer,
    Contact,
    Fulfillment,
    InventoryResult,
    LineItem,
    Order,
    OrderPage,
    Product,
    ProductSpec,
    Totals,
    Variant,
    VariantRef,
    VariantSpec,
)
from .orders import FulfillmentsApi, OrdersApi
from .throughput import DEFAULT_PLAN, PLANS, ThroughputPlan, resolve_plan
from .transport import RateLimiter, RetryPolicy, rate_limiters
from .webhooks import WebhookEvent, parse_automation_request, verify_app_webhook

__all__ = [
    "DEFAULT_PLAN",
    "PLANS",
    "Address",
    "AppInstance",
    "AuthFlow",
    "Buyer",
    "CatalogGateway",
    "CatalogV1",
    "CatalogV3",
    "CatalogVersion",
    "Contact",
    "Credentials",
    "Fulfillment",
    "FulfillmentsApi",
    "InvalidSignedInstance",
    "InvalidWebhook",
    "InventoryResult",
    "LineItem",
    "Order",
    "OrderPage",
    "OrdersApi",
    "Product",
    "ProductSpec",
    "RateLimiter",
    "ReconnectRequired",
    "RetryPolicy",
    "SignedInstance",
    "ThroughputPlan",
    "Totals",
    "Variant",
    "VariantRef",
    "VariantSpec",
    "WebhookEvent",
    "WixApp",
    "WixAuthError",
    "WixClient",
    "WixConflict",
    "WixError",
    "WixNotFound",
    "WixPayloadError",
    "WixPermissionError",
    "WixPreconditionFailed",
    "WixRateLimited",
    "WixServerError",
    "WixUnavailable",
    "WixValidationError",
    "client_credentials_token",
    "close_window_url",
    "exchange_code",
    "install_url",
    "parse_automation_request",
    "rate_limiters",
    "refresh_access_token",
    "resolve_plan",
    "verify_app_webhook",
    "verify_signed_instance",
]

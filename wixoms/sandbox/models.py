"""The sandbox's state: plain dataclasses kept in memory by `Store`."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

V1 = "V1_CATALOG"
V3 = "V3_CATALOG"
NO_STORES = "STORES_NOT_INSTALLED"
CATALOG_VERSIONS = (V1, V3, NO_STORES)

# Permission scopes an app can ask for; the endpoints' needs are in scopes.py.
MANAGE_YOUR_APP = "SCOPE.DC.MANAGE-YOUR-APP"
READ_OWNER_EMAIL = "SCOPE.DC.READ-SITE-OWNER-EMAIL"
PRODUCT_READ_ADMIN = "SCOPE.STORES.PRODUCT_READ_ADMIN"
ALL_PERMISSIONS = [
    MANAGE_YOUR_APP,
    READ_OWNER_EMAIL,
    "SCOPE.DC-STORES.READ-PRODUCTS",
    "SCOPE.DC-STORES.MANAGE-PRODUCTS",
    PRODUCT_READ_ADMIN,
    "SCOPE.DC-STORES.MANAGE-INVENTORY",
    "SCOPE.DC-ECOM.READ-ORDERS",
    "SCOPE.DC-ECOM.MANAGE-ORDERS",
]


@dataclass
class Site:
    id: str
    name: str
    catalog_version: str
    url: str
    owner_email: str
    currency: str = "USD"
    location_id: str = ""  # the default Stores location
    extra_locations: list[dict] = field(default_factory=list)  # api_locations.add_location
    created: str = ""
    next_order_number: int = 10001
    next_numeric_id: int = 1_600_000_000_000
    published: bool = True  # /apps/v1/instance gives site.url only for published sites


@dataclass
class App:
    app_id: str
    app_secret: str
    name: str
    auth_flow: str  # "oauth" (§1a/§1c) or "legacy" (§1b)
    private_key_pem: str
    public_key_pem: str
    app_url: str = ""
    redirect_url: str = ""
    post_installation_url: str = ""
    webhook_url: str = ""
    permissions: list[str] = field(default_factory=lambda: list(ALL_PERMISSIONS))
    from_config: bool = False


@dataclass
class Installation:
    instance_id: str
    app_id: str
    site_id: str
    installed: str
    active: bool = True


@dataclass
class Token:
    token: str
    kind: str  # "access" or "refresh"
    app_id: str
    instance_id: str
    expires_at: float | None  # None: until the app is removed


@dataclass
class AuthCode:
    code: str
    app_id: str
    instance_id: str
    expires_at: float
    used: bool = False


@dataclass
class InstallRequest:
    """One browser trip through the installer (site picker → consent → redirect)."""

    id: str
    app_id: str
    origin: str  # "market", "legacy", "oauth", "token"
    redirect_url: str = ""
    state: str = ""
    post_installation_url: str = ""
    token: str = ""
    site_id: str = ""
    instance_id: str = ""
    consented: bool = False
    expires_at: float = 0.0
    used: bool = False  # kept after use, so a stale link still knows its app


@dataclass
class Choice:
    value: str
    description: str = ""  # v1 colour hex or label
    id: str = ""


@dataclass
class Option:
    name: str
    kind: str = "drop_down"  # v1 optionType; "color" → SWATCH_CHOICES in v3
    choices: list[Choice] = field(default_factory=list)
    id: str = ""


@dataclass
class Variant:
    id: str
    choices: dict[str, str]
    sku: str = ""
    visible: bool = True
    price: Decimal | None = None  # None: the product price
    weight: float | None = None
    track_quantity: bool = False
    quantity: int = 0
    in_stock: bool = True
    inventory_id: str = ""  # v3 inventory item id
    inventory_revision: int = 1
    inventory_updated: str = ""


@dataclass
class Product:
    id: str
    site_id: str
    catalog: str
    name: str
    slug: str
    price: Decimal
    currency: str
    numeric_id: int
    created: str
    updated: str
    description: str = ""
    sku: str = ""
    visible: bool = True
    weight: float | None = None
    manage_variants: bool = False
    track_inventory: bool = False  # v1: the product's inventory item tracks quantity
    options: list[Option] = field(default_factory=list)
    variants: list[Variant] = field(default_factory=list)
    revision: int = 1
    inventory_item_id: str = ""  # v1 inventory item
    brand: str = ""


@dataclass
class Fulfillment:
    id: str
    created: str
    line_items: list[dict]
    tracking: dict


@dataclass
class Order:
    """An eCommerce order; `body` holds the rendered parts that never change."""

    id: str
    site_id: str
    number: str
    status: str
    payment_status: str
    fulfillment_status: str
    created: str
    updated: str
    body: dict
    archived: bool = False
    buyer_note: str = ""
    fulfillments: list[Fulfillment] = field(default_factory=list)
    stock_refs: list[tuple[str, str, int]] = field(default_factory=list)  # product, variant, qty
    stock_deducted: bool = False
    cache: dict | None = None
    json_cache: str | None = None


@dataclass
class Automation:
    id: str
    site_id: str
    name: str
    url: str
    trigger: str = "order_placed"
    action: str = "send_http_request"
    body_style: str = "data_order"  # "data_order" | "order" | "entire" | "custom"
    custom_keys: list[str] = field(default_factory=list)
    active: bool = True
    created: str = ""


@dataclass
class Faults:
    """Fault injection switches; all off except Wix's own rate limit."""

    latency_ms: int = 0
    jitter_ms: int = 0
    error_rate: float = 0.0
    error_statuses: list[int] = field(default_factory=lambda: [500, 503, 504])
    rate_limit_per_minute: int | None = 200
    rate_limit_per_second: int | None = None
    retry_after: int | None = None
    bursts: list[dict] = field(default_factory=list)
    webhook_drop_rate: float = 0.0
    webhook_duplicate_rate: float = 0.0
    webhook_delay_ms: int = 0

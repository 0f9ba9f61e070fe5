"""Which permission scopes each Wix API needs; a call without one answers 403 PERMISSION_DENIED.

Sources: each method's ``@permissionId`` and the ``@permissionScopeId`` lists in Wix's SDK
package typings (``index.typings.d.ts`` of ``@wix/auto_sdk_*``, the versions in wix-api.md §10);
a scope listed there for a permission grants it. Each requirement below is "any one of".
``SCOPE.DC-ECOM.*-ORDERS`` and ``SCOPE.DC-STORES.MANAGE-INVENTORY`` are the sandbox's older
names, kept so apps registered with them keep working.
"""

from __future__ import annotations

from .models import MANAGE_YOUR_APP, PRODUCT_READ_ADMIN, READ_OWNER_EMAIL

Scopes = tuple[str, ...]

_MEGA_STORES = ("SCOPE.DC-STORES-MEGA.MANAGE-STORES", "SCOPE.STORES.MANAGE-STORES")

# app-instances 1.0.49: Get App Instance needs "Manage Your App" (permission
# WIX_DEVELOPERS.MANAGE_APP_INSTANCE); bi-events 1.0.38: WIX_DEVELOPERS.SEND_BI_EVENTS.
APP_INSTANCE: Scopes = (MANAGE_YOUR_APP, "SCOPE.DEV_CENTER.APP-INSTANCE-READ-BASIC-INFO")
BI_EVENTS: Scopes = (MANAGE_YOUR_APP,)
# app-instances: "To retrieve site.ownerInfo … you must have the READ SITE OWNER EMAIL scope".
OWNER_EMAIL: Scopes = (READ_OWNER_EMAIL,)

# products 1.0.108 (WIX_STORES.READ_PRODUCTS / MODIFY_PRODUCTS) and products-v-3 1.0.226
# (WIX_STORES.PRODUCT_READ / PRODUCT_CREATE / PRODUCT_UPDATE / PRODUCT_DELETE).
PRODUCTS_MANAGE: Scopes = ("SCOPE.DC-STORES.MANAGE-PRODUCTS", "SCOPE.STORES.CATALOG_WRITE") + (
    _MEGA_STORES
)
PRODUCTS_READ: Scopes = (
    "SCOPE.DC-STORES.READ-PRODUCTS",
    "SCOPE.STORES.PRODUCT_READ",
    "SCOPE.STORES.PRODUCT_READ_LIMITED",
    "SCOPE.STORES.CATALOG_READ",
    "SCOPE.STORES.CATALOG_READ_LIMITED",
    "SCOPE.DC-STORES-MEGA.READ-STORES",
    PRODUCT_READ_ADMIN,
) + PRODUCTS_MANAGE
# v1 Query Products: includeHiddenProducts "Requires permissions to manage products".
V1_HIDDEN_PRODUCTS: Scopes = PRODUCTS_MANAGE
# v3: non-visible products need WIX_STORES.PRODUCT_READ_NON_VISIBLE (the admin read scope).
V3_HIDDEN_PRODUCTS: Scopes = (PRODUCT_READ_ADMIN,) + _MEGA_STORES
# catalog-versioning 1.0.81: WIX_STORES.CATALOG_VERSION_READ, granted by any catalog scope.
CATALOG_VERSION: Scopes = PRODUCTS_READ

# stores-locations-v-3 1.0.59: WIX_STORES.STORES_LOCATION_READ; its typings name no scope that
# grants it, so any scope that reads the store's catalog does here.
STORES_LOCATIONS_READ: Scopes = PRODUCTS_READ

# inventory 1.0.81 (READ_INVENTORY / MODIFY_INVENTORY) and inventory-items-v-3 1.0.98
# (INVENTORY_READ / INVENTORY_CREATE / INVENTORY_UPDATE).
INVENTORY_MANAGE: Scopes = ("SCOPE.DC-STORES.MANAGE-INVENTORY", "SCOPE.STORES.CATALOG_WRITE") + (
    _MEGA_STORES
)
INVENTORY_READ: Scopes = PRODUCTS_READ + (
    "SCOPE.STORES.INVENTORY_ITEM_READ",
    "SCOPE.STORES.INVENTORY_ITEM_READ_LIMITED",
    "SCOPE.DC-STORES.MANAGE-ORDERS",
    "SCOPE.DC-STORES.MANAGE-INVENTORY",
)

# ecom orders 1.0.300 (ECOM.READ_ORDERS) and order-fulfillments 1.0.65
# (ECOM.READ_FULFILLMENTS / ECOM.MODIFY_FULFILLMENTS).
ORDERS_MANAGE: Scopes = (
    "SCOPE.DC-STORES.MANAGE-ORDERS",
    "SCOPE.DC-ECOM-MEGA.MANAGE-ECOM",
    "SCOPE.DC-ECOM.MANAGE-ORDERS",
) + _MEGA_STORES
ORDERS_READ: Scopes = (
    "SCOPE.DC-STORES.READ-ORDERS",
    "SCOPE.DC-ECOM-MEGA.READ-ECOM",
    "SCOPE.DC-STORES-MEGA.READ-STORES",
    "SCOPE.DC-ECOM.READ-ORDERS",
) + ORDERS_MANAGE


def granted(permissions: list[str], needed: Scopes) -> bool:
    """True when the app holds any scope that grants the permission."""
    return any(scope in permissions for scope in needed)

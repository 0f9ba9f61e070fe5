"""Which of the capabilities wixoms needs Wix grants this app instance (wix-api.md §2).

Wix answers 403 PERMISSION_DENIED to a call whose permission the app lacks, before it looks at
the request. So each probe is a call that changes nothing when it is allowed (a one-item
search, an update of an id that cannot exist, an empty bulk update): 403 means missing, any
other answer means granted. "Orders not importing" is Helm's first symptom of a missing one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .catalog import CatalogVersion
from .errors import WixAuthError, WixError, WixPermissionError

NO_SUCH_ID = "00000000-0000-0000-0000-000000000000"

Request = Callable[..., Any]


@dataclass(frozen=True)
class Capability:
    key: str
    label: str
    # Helm's permission names, as the Wix app dashboard's "+ Add Permissions" search finds them.
    wix_permissions: tuple[str, ...]


CAPABILITIES = (
    Capability(
        "read_orders", "Read orders", ("Read Orders", "Read eCommerce - all read permissions")
    ),
    Capability(
        "manage_orders",
        "Manage orders and fulfillments",
        ("Manage Orders", "Manage eCommerce - all permissions"),
    ),
    Capability(
        "read_products",
        "Read products",
        ("Read Products", "Read v3 catalog", "Read products in v3 catalog"),
    ),
    Capability("manage_products", "Manage products", ("Manage Products", "Manage v3 catalog")),
    Capability(
        "inventory", "Update inventory", ("Manage Stores - all permissions", "Manage v3 catalog")
    ),
)


@dataclass(frozen=True)
class PermissionResult:
    capability: Capability
    state: str  # "granted", "missing" or "unknown" (Wix did not answer)
    detail: str = ""


def _probes(version: CatalogVersion) -> dict[str, tuple[str, str, dict | None]]:
    v3 = version is CatalogVersion.V3
    return {
        "read_orders": (
            "POST",
            "/ecom/v1/orders/search",
            {"search": {"cursorPaging": {"limit": 1}}},
        ),
        "manage_orders": (
            "POST",
            f"/ecom/v1/fulfillments/orders/{NO_SUCH_ID}/create-fulfillment",
            {"fulfillment": {"lineItems": []}},
        ),
        "read_products": (
            ("POST", "/stores/v3/products/query", {"query": {"cursorPaging": {"limit": 1}}})
            if v3
            else ("POST", "/stores/v1/products/query", {"query": {"paging": {"limit": 1}}})
        ),
        "manage_products": (
            ("PATCH", f"/stores/v3/products/{NO_SUCH_ID}", {"product": {"revision": "1"}})
            if v3
            else ("PATCH", f"/stores/v1/products/{NO_SUCH_ID}", {"product": {}})
        ),
        "inventory": (
            ("POST", "/stores/v3/bulk/inventory-items/update", {"inventoryItems": []})
            if v3
            else ("POST", "/stores/v2/inventoryItems/increment", {"incrementData": []})
        ),
    }


def probe_permissions(request: Request, version: CatalogVersion) -> list[PermissionResult]:
    """Probe every capability with ``request`` (WixClient.request). Raises WixAuthError when
    Wix refuses the token itself (the app was removed): no probe can say anything then."""
    probes = _probes(version)
    results = []
    for capability in CAPABILITIES:
        method, path, body = probes[capability.key]
        try:
            request(method, path, json=body, safe_to_retry=False)
        except WixPermissionError:
            results.append(PermissionResult(capability, "missing"))
            continue
        except WixAuthError:
            raise
        except WixError as exc:
            if exc.status is None or exc.status == 429 or exc.status >= 500:
                results.append(PermissionResult(capability, "unknown", exc.user_message))
                continue
        results.append(PermissionResult(capability, "granted"))
    return results

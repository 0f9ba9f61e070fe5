"""`SandboxControl`: a small client of the sandbox's control API (/_sandbox/) for tests."""

from __future__ import annotations

import time
from typing import Any

import requests


class SandboxControlError(RuntimeError):
    """The control API answered an error."""


class SandboxControl:
    """Drive a running sandbox: reset, seed, sites, apps, installs, faults, orders, deliveries."""

    def __init__(self, base_url: str, timeout: float = 30.0) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.session = requests.Session()

    def _call(self, method: str, path: str, json: Any = None, params: dict | None = None) -> Any:
        response = self.session.request(
            method,
            f"{self.base_url}/_sandbox{path}",
            json=json,
            params=params,
            timeout=self.timeout,
        )
        if response.status_code >= 400:
            raise SandboxControlError(f"{method} {path} → {response.status_code}: {response.text}")
        if response.headers.get("Content-Type", "").startswith("application/json"):
            return response.json()
        return response.text

    # --- world ---------------------------------------------------------------------------

    def reset(self) -> None:
        """Forget all state except apps registered by configuration."""
        self._call("POST", "/reset")

    def seed(
        self,
        sites: int = 2,
        catalog: str = "mixed",
        products: int = 12,
        orders: int = 30,
        seed: int = 1,
        baseDate: str | None = None,  # noqa: N803 - the control API's key
    ) -> dict:
        """Replace all sites with deterministic data; returns {"sites": [...]}."""
        body = {"sites": sites, "catalog": catalog, "products": products, "orders": orders}
        body.update({"seed": seed, "baseDate": baseDate})
        return self._call("POST", "/seed", body)

    def snapshot(self) -> dict:
        return self._call("GET", "/snapshot")

    def create_site(
        self, name: str = "My Site", catalog_version: str = "V3_CATALOG", currency: str = "USD"
    ) -> dict:
        """catalog_version: V1_CATALOG | V3_CATALOG | STORES_NOT_INSTALLED."""
        body = {"name": name, "catalogVersion": catalog_version, "currency": currency}
        return self._call("POST", "/sites", body)

    def sites(self) -> list[dict]:
        return self._call("GET", "/sites")["sites"]

    def update_site(self, site_id: str, *, published: bool) -> dict:
        """An unpublished site has no ``site.url`` in /apps/v1/instance."""
        return self._call("PATCH", f"/sites/{site_id}", {"published": published})

    # --- apps and installs ---------------------------------------------------------------

    def register_app(
        self,
        app_id: str | None = None,
        app_secret: str | None = None,
        auth_flow: str = "oauth",
        name: str = "wixoms",
        app_url: str = "",
        redirect_url: str = "",
        post_installation_url: str = "",
        webhook_url: str = "",
        permissions: list[str] | None = None,
    ) -> dict:
        """Returns the app with appId, appSecret and publicKey (PEM)."""
        body = {
            "appId": app_id,
            "appSecret": app_secret,
            "authFlow": auth_flow,
            "name": name,
            "appUrl": app_url,
            "redirectUrl": redirect_url,
            "postInstallationUrl": post_installation_url,
            "webhookUrl": webhook_url,
        }
        if permissions is not None:
            body["permissions"] = permissions
        return self._call("POST", "/apps", {k: v for k, v in body.items() if v is not None})

    def public_key(self, app_id: str) -> str:
        """The app's RSA public key (PEM) that verifies its JWT webhooks."""
        return self._call("GET", f"/apps/{app_id}/public-key")

    def install(self, app_id: str, site_id: str) -> dict:
        """Install without a browser: {instanceId, siteId, appId, instance, code (legacy)}."""
        return self._call("POST", "/installations", {"appId": app_id, "siteId": site_id})

    def new_code(self, instance_id: str) -> str:
        return self._call("POST", f"/installations/{instance_id}/code")["code"]

    def installations(self) -> list[dict]:
        return self._call("GET", "/installations")["installations"]

    def remove_app(self, instance_id: str) -> dict:
        """Remove the app from its site: codes, access and refresh tokens stop working."""
        return self._call("DELETE", f"/installations/{instance_id}")

    revoke_app = remove_app

    def access_token(self, instance_id: str, ttl: float | None = None) -> str:
        """A valid access token for the instance without the OAuth calls."""
        body: dict = {"instanceId": instance_id}
        if ttl is not None:
            body["ttl"] = ttl
        return self._call("POST", "/tokens", body)["access_token"]

    # --- faults and counters -------------------------------------------------------------

    def set_faults(self, **switches: Any) -> dict:
        """Merge fault switches: latency_ms, jitter_ms, error_rate, error_statuses,
        rate_limit_per_minute, rate_limit_per_second, retry_after, bursts,
        webhook_drop_rate, webhook_duplicate_rate, webhook_delay_ms."""
        return self._call("PATCH", "/faults", switches)

    def clear_faults(self) -> dict:
        return self._call("DELETE", "/faults")

    def faults(self) -> dict:
        return self._call("GET", "/faults")

    def burst(self, path_prefix: str, status: int, count: int, method: str | None = None) -> dict:
        """The next `count` API requests under `path_prefix` answer `status`."""
        body = {"path_prefix": path_prefix, "status": status, "count": count, "method": method}
        return self._call("POST", "/faults/bursts", body)

    def expire_tokens(self) -> int:
        return self._call("POST", "/faults/expire-tokens")["expired"]

    def counters(self) -> dict:
        """{"endpoints": {"POST /ecom/v1/orders/search": n}, "sites": {site: {...}}, "total",
        "peak_per_minute": {instance id: most requests accepted within any 60 s},
        "token_grants": {instance id: tokens granted by /oauth2/token}}."""
        return self._call("GET", "/counters")

    def reset_counters(self) -> None:
        self._call("DELETE", "/counters")

    def advance_clock(self, seconds: float) -> None:
        self._call("POST", "/clock", {"advanceSeconds": seconds})

    def config(self, **changes: Any) -> dict:
        """Read or change sandbox settings (token lifetimes, webhook retries…)."""
        if changes:
            return self._call("PATCH", "/config", changes)
        return self._call("GET", "/config")

    # --- catalog and orders --------------------------------------------------------------

    def add_product(self, site_id: str, **spec: Any) -> dict:
        """spec: name, price, sku, options {"Size": ["S", "M"]}, skus {"S": "SKU-S"},
        quantity, trackQuantity, visible. Returns the product as the site's catalog renders it."""
        return self._call("POST", f"/sites/{site_id}/products", spec)["product"]

    def products(self, site_id: str) -> list[dict]:
        return self._call("GET", f"/sites/{site_id}/products")["products"]

    def set_inventory(
        self, product_id: str, variants: list[dict], track_quantity: bool | None = None
    ) -> dict:
        """variants: [{variantId | sku | choices, quantity, inStock}]."""
        body: dict = {"variants": variants}
        if track_quantity is not None:
            body["trackQuantity"] = track_quantity
        return self._call("PATCH", f"/products/{product_id}/inventory", body)["product"]

    def add_location(self, site_id: str, name: str) -> dict:
        """A PHYSICAL Stores location on a V3 site (the default one always exists)."""
        return self._call("POST", f"/sites/{site_id}/locations", {"name": name})["storesLocation"]

    def place_order(self, site_id: str, **spec: Any) -> dict:
        """spec: lines [{productId | sku, variantId | choices, quantity}], status, paymentStatus,
        pickup, pickupMethod, buyer {firstName, lastName, email, phone, address}, shippingTitle,
        shippingPrice, buyerNote, createdDate. Returns the order as Wix renders it."""
        return self._call("POST", f"/sites/{site_id}/orders", spec)["order"]

    def update_order(self, order_id: str, **changes: Any) -> dict:
        """changes: status, paymentStatus, archived, buyerNote."""
        return self._call("PATCH", f"/orders/{order_id}", changes)["order"]

    def orders(self, site_id: str) -> list[dict]:
        """Every order of the site, INITIALIZED included."""
        return self._call("GET", f"/sites/{site_id}/orders")["orders"]

    def add_automation(
        self, site_id: str, url: str, body_style: str = "data_order", **extra: Any
    ) -> dict:
        """Order placed → Send HTTP Request → url → Activate."""
        return self._call(
            "POST", f"/sites/{site_id}/automations", {"url": url, "bodyStyle": body_style, **extra}
        )

    def automations(self, site_id: str) -> list[dict]:
        return self._call("GET", f"/sites/{site_id}/automations")["automations"]

    # --- deliveries ----------------------------------------------------------------------

    def deliveries(self, **filters: str) -> list[dict]:
        """Webhook deliveries (kind, siteId, eventType, status, url filters)."""
        return self._call("GET", "/deliveries", params=filters)["deliveries"]

    def clear_deliveries(self) -> None:
        self._call("DELETE", "/deliveries")

    def wait_for_deliveries(self, timeout: float = 10.0, **filters: str) -> list[dict]:
        """Wait until no delivery is pending, then return them."""
        deadline = time.monotonic() + timeout
        while True:
            data = self._call("GET", "/deliveries", params=filters)
            if data["idle"] or time.monotonic() > deadline:
                return data["deliveries"]
            time.sleep(0.05)

"""In-memory state of the sandbox: sites, apps, installs, tokens; one lock guards it all."""

from __future__ import annotations

import random
import secrets
import threading
from collections import Counter, deque
from dataclasses import dataclass, field

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from .common import Clock, new_id, slugify
from .errors import WixError
from .models import (
    ALL_PERMISSIONS,
    CATALOG_VERSIONS,
    App,
    AuthCode,
    Automation,
    Faults,
    Installation,
    InstallRequest,
    Order,
    Product,
    Site,
    Token,
)

# Wix waits 1250 ms for the 200, then retries over hours: 12 more times, 1 minute → 12 hours
# (wix-api.md §10, from third-party guides; the exact steps are not published).
WEBHOOK_RETRY_SCHEDULE_S = [60, 120, 300, 600, 1200, 1800, 3600, 7200, 14400, 21600, 32400, 43200]

DEFAULT_CONFIG = {
    "access_token_ttl": 300,  # legacy /oauth/access tokens live 5 minutes
    "oauth2_token_ttl": 14400,  # /oauth2/token expires_in
    "code_ttl": 600,
    "install_request_ttl": 3600,
    "webhook_max_attempts": len(WEBHOOK_RETRY_SCHEDULE_S) + 1,
    "webhook_retry_schedule_s": list(WEBHOOK_RETRY_SCHEDULE_S),
    # Multiplies every retry delay: tests compress hours into milliseconds (0.001 → 60 ms).
    "webhook_time_scale": 1.0,
    "webhook_timeout_s": 1.25,
    "automation_timeout_s": 1.25,
    "jwt_ttl_s": 300,  # Wix is silent on a webhook JWT's lifetime; retries keep the first JWT
    "v1_max_offset": 10000,
    # @wix/auto_sdk_stores_inventory-items-v-3: bulk update 1–1000 items, query pages ≤ 1000.
    "bulk_inventory_max": 1000,
    "inventory_page_max": 1000,
    # §2/§10: a 5xx body is empty ("empty") or {"message":"","details":{}} ("wix").
    "server_error_body": "empty",
    # §8 said fulfillments need APPROVED orders; §10 found no source for it (Wix is silent).
    "fulfillment_requires_approved": False,
    # §8: a duplicate tracking number → TRACKING_NUMBER_ALREADY_EXISTS; Wix is silent on whether
    # unique per order ("order") or across the site's orders ("site").
    "tracking_number_scope": "order",
    # §10: the external install flow's redirect carries no signed instance in any source.
    "post_install_signed_instance": False,
    "strict_cursor": True,
    "automation_body": "data_order",
    "owner_email": "owner@example.com",
    "owner_id": "8d2b1c1e-4c1f-4b55-9f5e-6a0c3e1d2b7a",
}


def rsa_key_pair() -> tuple[str, str]:
    """(private PEM, public PEM) of a fresh 2048-bit key, as the Wix dashboard gives an app."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    public = (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    return private, public


@dataclass
class Store:
    """Everything Wix knows; every access holds `lock`."""

    config: dict = field(default_factory=lambda: dict(DEFAULT_CONFIG))
    lock: threading.RLock = field(default_factory=threading.RLock)
    clock: Clock = field(default_factory=Clock)
    sites: dict[str, Site] = field(default_factory=dict)
    apps: dict[str, App] = field(default_factory=dict)
    installations: dict[str, Installation] = field(default_factory=dict)
    tokens: dict[str, Token] = field(default_factory=dict)
    codes: dict[str, AuthCode] = field(default_factory=dict)
    install_requests: dict[str, InstallRequest] = field(default_factory=dict)
    products: dict[str, Product] = field(default_factory=dict)
    site_products: dict[str, dict[str, Product]] = field(default_factory=dict)
    inventory_index: dict[str, tuple[str, str]] = field(default_factory=dict)
    orders: dict[str, Order] = field(default_factory=dict)
    site_orders: dict[str, list[Order]] = field(default_factory=dict)
    automations: dict[str, Automation] = field(default_factory=dict)
    faults: Faults = field(default_factory=Faults)
    endpoint_counts: Counter = field(default_factory=Counter)
    site_counts: dict[str, Counter] = field(default_factory=dict)
    windows: dict[str, deque] = field(default_factory=dict)
    # The most requests one instance made within any 60 s (Wix's §2 window), for the counters.
    window_peaks: dict[str, int] = field(default_factory=dict)
    # Tokens granted by /oauth2/token per instance, for the counters.
    token_grants: Counter = field(default_factory=Counter)
    fault_rng: random.Random = field(default_factory=lambda: random.Random(7))
    dispatcher: object | None = None
    order_indexes: dict[tuple[str, str], tuple[int, list]] = field(default_factory=dict)
    orders_version: int = 0
    initial_config: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.initial_config = dict(self.config)

    # --- lifecycle -----------------------------------------------------------------------

    def reset(self, keep_config_apps: bool = True) -> None:
        """Back to the start: no sites, default faults and settings; configured apps stay."""
        with self.lock:
            self.clear_site_data()
            self.apps = {k: a for k, a in self.apps.items() if keep_config_apps and a.from_config}
            self.faults = Faults()
            self.config.clear()
            self.config.update(self.initial_config)
            self.reset_counters()
            self.clock.reset()
            self.fault_rng = random.Random(7)
        if self.dispatcher is not None:
            self.dispatcher.clear()

    def clear_site_data(self) -> None:
        """Drop sites and everything on them (apps stay registered)."""
        with self.lock:
            for name in (
                "sites",
                "installations",
                "tokens",
                "codes",
                "install_requests",
                "products",
                "site_products",
                "inventory_index",
                "orders",
                "site_orders",
                "automations",
                "windows",
                "order_indexes",
            ):
                getattr(self, name).clear()
            self.orders_version += 1

    def reset_counters(self) -> None:
        with self.lock:
            self.endpoint_counts = Counter()
            self.site_counts = {}
            self.window_peaks = {}
            self.token_grants = Counter()

    def now(self) -> float:
        return self.clock.time()

    def stamp(self) -> str:
        return self.clock.stamp()

    # --- sites ---------------------------------------------------------------------------

    def create_site(
        self,
        name: str,
        catalog_version: str = "V3_CATALOG",
        site_id: str | None = None,
        currency: str = "USD",
        created: str | None = None,
        rng: random.Random | None = None,
    ) -> Site:
        """A site owned by the sandbox's single logged-in Wix user."""
        if catalog_version not in CATALOG_VERSIONS:
            raise WixError(400, f"catalogVersion must be one of {', '.join(CATALOG_VERSIONS)}")
        with self.lock:
            site = Site(
                id=site_id or new_id(rng),
                name=name,
                catalog_version=catalog_version,
                url=f"https://{self.config['owner_email'].split('@')[0]}.wixsite.com/{slugify(name)}",
                owner_email=self.config["owner_email"],
                currency=currency,
                location_id=new_id(rng),
                created=created or self.stamp(),
            )
            self.sites[site.id] = site
            self.site_products[site.id] = {}
            self.site_orders[site.id] = []
            return site

    def site(self, site_id: str) -> Site:
        site = self.sites.get(site_id)
        if site is None:
            raise WixError(404, f"site {site_id} not found", "NOT_FOUND")
        return site

    # --- apps ----------------------------------------------------------------------------

    def register_app(self, spec: dict, from_config: bool = False) -> App:
        """Register (or update) an app: id, secret, flow, URLs and a fresh RSA key pair."""
        flow = spec.get("authFlow", spec.get("auth_flow", "oauth"))
        if flow not in ("oauth", "legacy"):
            raise WixError(400, "authFlow must be 'oauth' or 'legacy'")
        with self.lock:
            app_id = spec.get("appId") or spec.get("app_id") or new_id()
            existing = self.apps.get(app_id)
            if existing is not None:
                private, public = existing.private_key_pem, existing.public_key_pem
            else:
                private, public = rsa_key_pair()
            app = App(
                app_id=app_id,
                app_secret=spec.get("appSecret") or spec.get("app_secret") or secrets.token_hex(16),
                name=spec.get("name") or "wixoms",
                auth_flow=flow,
                private_key_pem=private,
                public_key_pem=public,
                app_url=spec.get("appUrl", spec.get("app_url", "")),
                redirect_url=spec.get("redirectUrl", spec.get("redirect_url", "")),
                post_installation_url=spec.get("postInstallationUrl")
                or spec.get("post_installation_url")
                or spec.get("dashboardUrl")
                or "",
                webhook_url=spec.get("webhookUrl", spec.get("webhook_url", "")),
                permissions=list(spec.get("permissions") or ALL_PERMISSIONS),
                from_config=from_config,
            )
            self.apps[app_id] = app
            return app

    def app(self, app_id: str) -> App:
        app = self.apps.get(app_id)
        if app is None:
            raise WixError(404, f"app {app_id} not found", "NOT_FOUND")
        return app

    # --- installations -------------------------------------------------------------------

    def installation_for(self, app_id: str, site_id: str) -> Installation | None:
        for inst in self.installations.values():
            if inst.app_id == app_id and inst.site_id == site_id:
                return inst
        return None

    def install(self, app_id: str, site_id: str) -> Installation:
        """Install (or re-enable) an app on a site; the instance id survives a reinstall."""
        with self.lock:
            self.app(app_id)
            self.site(site_id)
            inst = self.installation_for(app_id, site_id)
            if inst is None:
                inst = Installation(new_id(), app_id, site_id, self.stamp())
                self.installations[inst.instance_id] = inst
            elif inst.active:
                return inst
            inst.active = True
            inst.installed = self.stamp()
        self.emit("app_installed", inst)
        return inst

    def remove_app(self, instance_id: str) -> Installation:
        """Remove the app from its site: every code and token of the instance stops working."""
        with self.lock:
            inst = self.installations.get(instance_id)
            if inst is None or not inst.active:
                raise WixError(404, f"instance {instance_id} not found", "NOT_FOUND")
            inst.active = False
            self.tokens = {k: t for k, t in self.tokens.items() if t.instance_id != instance_id}
            self.codes = {k: c for k, c in self.codes.items() if c.instance_id != instance_id}
        self.emit("app_removed", inst)
        return inst

    def active_installation(self, instance_id: str) -> Installation | None:
        inst = self.installations.get(instance_id)
        return inst if inst is not None and inst.active else None

    # --- codes and tokens ----------------------------------------------------------------

    def issue_code(self, instance_id: str) -> AuthCode:
        with self.lock:
            inst = self.installations[instance_id]
            code = AuthCode(
                code=secrets.token_urlsafe(24),
                app_id=inst.app_id,
                instance_id=instance_id,
                expires_at=self.now() + self.config["code_ttl"],
            )
            self.codes[code.code] = code
            return code

    def issue_token(self, instance_id: str, kind: str, ttl: float | None) -> Token:
        with self.lock:
            inst = self.installations[instance_id]
            prefix = "OauthNG.JWS." if kind == "access" else "OAUTH2."
            token = Token(
                token=prefix + secrets.token_urlsafe(32),
                kind=kind,
                app_id=inst.app_id,
                instance_id=instance_id,
                expires_at=None if ttl is None else self.now() + ttl,
            )
            self.tokens[token.token] = token
            return token

    def access_token_info(self, header: str | None) -> Token:
        """Validate an Authorization header (raw token or "Bearer TOKEN")."""
        if not header:
            raise WixError(401, "Missing Authorization header", "UNAUTHENTICATED")
        raw = header.strip()
        if raw[:7].lower() == "bearer ":
            raw = raw[7:].strip()
        with self.lock:
            token = self.tokens.get(raw)
            if token is None or token.kind != "access":
                raise WixError(401, "Invalid access token", "UNAUTHENTICATED")
            if token.expires_at is not None and token.expires_at <= self.now():
                raise WixError(401, "Access token expired", "UNAUTHENTICATED")
            if self.active_installation(token.instance_id) is None:
                raise WixError(401, "The app is not installed on this site", "UNAUTHENTICATED")
            return token

    def expire_tokens(self) -> int:
        """Fault: every access token expires now (refresh tokens survive)."""
        with self.lock:
            count = 0
            for token in self.tokens.values():
                if token.kind == "access":
                    token.expires_at = self.now() - 1
                    count += 1
            return count

    # --- products and orders (indexes) ---------------------------------------------------

    def add_product(self, product: Product) -> None:
        with self.lock:
            self.products[product.id] = product
            self.site_products[product.site_id][product.id] = product
            for variant in product.variants:
                if variant.inventory_id:
                    self.inventory_index[variant.inventory_id] = (product.id, variant.id)

    def drop_product(self, product: Product) -> None:
        with self.lock:
            self.products.pop(product.id, None)
            self.site_products[product.site_id].pop(product.id, None)
            for variant in product.variants:
                self.inventory_index.pop(variant.inventory_id, None)

    def add_order(self, order: Order) -> None:
        with self.lock:
            self.orders[order.id] = order
            self.site_orders[order.site_id].append(order)
            self.orders_version += 1

    def order_changed(self, order: Order) -> None:
        """Forget the rendered order and the sorted indexes it sits in."""
        with self.lock:
            order.cache = None
            order.json_cache = None
            self.orders_version += 1

    def order_index(self, site_id: str, field_name: str) -> list[tuple[str, str, Order]]:
        """Orders of a site sorted by (date field, id); rebuilt only after a change."""
        with self.lock:
            key = (site_id, field_name)
            cached = self.order_indexes.get(key)
            if cached is not None and cached[0] == self.orders_version:
                return cached[1]
            attr = "created" if field_name == "createdDate" else "updated"
            entries = sorted(
                ((getattr(o, attr), o.id, o) for o in self.site_orders[site_id]),
                key=lambda e: (e[0], e[1]),
            )
            self.order_indexes[key] = (self.orders_version, entries)
            return entries

    def add_automation(self, automation: Automation) -> None:
        with self.lock:
            self.automations[automation.id] = automation

    # --- events --------------------------------------------------------------------------

    def emit(self, kind: str, subject: object, **extra: object) -> None:
        """Hand an event to the webhook dispatcher (automations and app webhooks)."""
        if self.dispatcher is not None:
            self.dispatcher.emit(kind, subject, **extra)

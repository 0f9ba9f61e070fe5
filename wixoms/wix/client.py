"""WixClient: one app instance (one channel) — auth, transport, catalog, orders."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from typing import Any

import requests

from .auth import Credentials, WixApp
from .catalog import CatalogGateway, CatalogVersion
from .catalog_v1 import CatalogV1
from .catalog_v3 import CatalogV3
from .errors import WixAuthError, WixPayloadError, WixPreconditionFailed
from .locations import LocationsApi
from .models import AppInstance
from .orders import FulfillmentsApi, OrdersApi
from .throughput import DEFAULT_PLAN, ThroughputPlan, resolve_plan
from .tokens import TokenManager, TokenRegistry, token_registry
from .transport import RateLimiter, RetryPolicy, Transport, rate_limiters


class WixClient:
    """Talks to Wix for one app instance. Thread-safe; one pooled session per client.

    Tokens are fetched or refreshed before expiry and once after a 401, single-flight per
    instance (per process, or per cluster with ``tokens`` from wixoms.cluster.tokens);
    ``on_credentials`` receives every new token so the caller can store it encrypted.
    ReconnectRequired means Wix refused to issue a token (app removed).
    """

    def __init__(
        self,
        app: WixApp,
        *,
        instance_id: str,
        credentials: Credentials | None,
        plan: ThroughputPlan | str = DEFAULT_PLAN,
        timeout: tuple[float, float] = (5, 30),
        on_credentials: Callable[[Credentials], None] | None = None,
        rate_limiter: RateLimiter | None = None,
        session: requests.Session | None = None,
        retry: RetryPolicy | None = None,
        sleep: Callable[[float], None] = time.sleep,
        location_id: str | None = None,
        tokens: TokenRegistry | Any = token_registry,
    ) -> None:
        if not instance_id:
            raise ValueError("instance_id is required")
        self.app = app
        self.instance_id = instance_id
        self.plan = resolve_plan(plan)
        self.location_id = location_id
        limiter = rate_limiter or rate_limiters.get(instance_id, self.plan, sleep=sleep)
        self.transport = Transport(
            app.api_base,
            timeout=timeout,
            session=session,
            rate_limiter=limiter,
            retry=retry,
            sleep=sleep,
        )
        self.tokens = TokenManager(
            app,
            instance_id,
            credentials,
            self.transport,
            on_credentials=on_credentials,
            registry=tokens,
        )
        self.orders = OrdersApi(self.request, page_size=self.plan.orders_page_size)
        self.fulfillments = FulfillmentsApi(self.request)
        self.locations = LocationsApi(self._catalog_request)
        self._version: CatalogVersion | None = None
        self._version_lock = threading.Lock()

    @property
    def calls(self) -> int:
        """HTTP requests sent by this client so far (token calls and retries included)."""
        return self.transport.calls

    @property
    def credentials(self) -> Credentials | None:
        return self.tokens.credentials

    def request(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: Mapping[str, Any] | None = None,
        safe_to_retry: bool | None = None,
    ) -> Any:
        """An authenticated call; on 401 the token is renewed once and the call repeated."""
        token = self.tokens.access_token()
        try:
            return self.transport.request(
                method, path, json=json, params=params,
                headers={"Authorization": token}, safe_to_retry=safe_to_retry,
            )  # fmt: skip
        except WixAuthError:
            token = self.tokens.after_unauthorized(token)
        # Wix never processed a request it answered 401, so repeating it is safe.
        return self.transport.request(
            method, path, json=json, params=params,
            headers={"Authorization": token}, safe_to_retry=safe_to_retry,
        )  # fmt: skip

    def app_instance(self) -> AppInstance:
        """The installation: instance id (trust this one, not a URL's), site id, site URL."""
        return AppInstance.from_wix(self.request("GET", "/apps/v1/instance"))

    def finished_configuration(self) -> None:
        """Tell Wix the merchant finished setting the app up (BI event
        APP_FINISHED_CONFIGURATION, @wix/auto_sdk_app-management_bi-events)."""
        self.request("POST", "/apps/v1/bi-event", json={"eventName": "APP_FINISHED_CONFIGURATION"})

    def catalog_version(self, *, refresh: bool = False) -> CatalogVersion:
        """The site's catalog version; cached (it never changes once V3) unless ``refresh``."""
        with self._version_lock:
            if self._version is None or refresh:
                body = self.request("GET", "/stores/v3/provision/version")
                value = body.get("catalogVersion")
                try:
                    self._version = CatalogVersion(value)
                except ValueError:
                    raise WixPayloadError("catalogVersion", f"is unknown: {value!r}") from None
            return self._version

    def catalog(self, version: CatalogVersion | None = None) -> CatalogGateway:
        """The catalog gateway for ``version`` (default: the site's, looked up once)."""
        version = version or self.catalog_version()
        if version is CatalogVersion.V1:
            return CatalogV1(self._catalog_request, self.plan)
        if version is CatalogVersion.V3:
            return CatalogV3(
                self._catalog_request,
                self.plan,
                instance_id=self.instance_id,
                location_id=self.location_id,
            )
        raise WixPreconditionFailed(
            "Wix Stores is not installed on this site", code="STORES_NOT_INSTALLED"
        )

    def _catalog_request(self, method: str, path: str, **kw: Any) -> Any:
        try:
            return self.request(method, path, **kw)
        except WixPreconditionFailed:
            # 428 on a catalog call: the cached version may be wrong; re-check next time.
            with self._version_lock:
                self._version = None
            raise

    def close(self) -> None:
        """Close the pooled HTTP session."""
        self.transport.close()

    def __enter__(self) -> WixClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

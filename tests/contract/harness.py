"""Wix's official JavaScript SDK as a second opinion on wixoms's client and the sandbox.

Used by the contract tests and by ``bench/wix_contract.py``:
- ``operations_used()``: the Wix operations wixoms's code calls, found in its source;
- ``exercise_wixoms(url)``: wixoms's client runs every one of them against a sandbox, and
  each request it sends is recorded;
- ``compare_shapes(requests)``: the SDK (``sdk/shapes.mjs``) builds the same operations from
  the same input; method, path, query keys and body keys must be equal;
- ``run_sdk_scenarios(...)``: the SDK itself talks to the sandbox (``sdk/scenarios.mjs``).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import requests

from wixoms.sandbox.control_client import SandboxControl
from wixoms.wix import (
    AuthFlow,
    CatalogVersion,
    ProductSpec,
    ThroughputPlan,
    VariantRef,
    VariantSpec,
    WixApp,
    WixClient,
    exchange_code,
    refresh_access_token,
)
from wixoms.wix.catalog_v3 import revision_cache
from wixoms.wix.sku_list import list_skus
from wixoms.wix.transport import Transport

CONTRACT_DIR = Path(__file__).resolve().parent
REPO = CONTRACT_DIR.parents[1]
NODE_MODULES = CONTRACT_DIR / "node_modules"
NODE_TIMEOUT_S = 60

# operation → "METHOD /path" (``*`` = one path segment). The names are the SDK's modules and
# functions (sdk/lib.mjs MODULES), so a mismatch reads as "wixoms vs <module>.<function>".
OPERATIONS: dict[str, str] = {
    "auth.clientCredentials": "POST /oauth2/token",
    "auth.codeExchange": "POST /oauth/access",
    "auth.refresh": "POST /oauth/access",
    "appInstances.getAppInstance": "GET /apps/v1/instance",
    "biEvents.sendBiEvent": "POST /apps/v1/bi-event",
    "catalogVersioning.getCatalogVersion": "GET /stores/v3/provision/version",
    "productsV1.queryProducts": "POST /stores/v1/products/query",
    "productsV1.getProduct": "GET /stores-reader/v1/products/*",
    "productsV1.createProduct": "POST /stores/v1/products",
    "productsV1.updateProduct": "PATCH /stores/v1/products/*",
    "productsV1.updateProductVariants": "PATCH /stores/v1/products/*/variants",
    "productsV1.deleteProduct": "DELETE /stores/v1/products/*",
    "inventoryV1.updateInventoryVariants": "PATCH /stores/v2/inventoryItems/product/*",
    "inventoryV1.incrementInventory": "POST /stores/v2/inventoryItems/increment",
    "inventoryV1.decrementInventory": "POST /stores/v2/inventoryItems/decrement",
    "productsV3.queryProducts": "GET /stores/v3/products/query",
    "productsV3.getProduct": "GET /stores/v3/products/*",
    "productsV3.createProductWithInventory": "POST /stores/v3/products-with-inventory",
    "productsV3.updateProduct": "PATCH /stores/v3/products/*",
    "productsV3.deleteProduct": "DELETE /stores/v3/products/*",
    "inventoryItemsV3.queryInventoryItems": "GET /stores/v3/inventory-items/query",
    "inventoryItemsV3.bulkUpdateInventoryItems": "POST /stores/v3/bulk/inventory-items/update",
    "inventoryItemsV3.bulkCreateInventoryItems": "POST /stores/v3/bulk/inventory-items/create",
    "orders.searchOrders": "POST /ecom/v1/orders/search",
    "orders.getOrder": "GET /ecom/v1/orders/*",
    "fulfillments.createFulfillment": "POST /ecom/v1/fulfillments/orders/*/create-fulfillment",
    "fulfillments.listFulfillmentsForSingleOrder": "GET /ecom/v1/fulfillments/orders/*",
    "storesLocationsV3.queryStoresLocations": "POST /stores/v3/locations/query",
}
_ID = r"(?!query$|search$|count$)[^/]+"  # an id segment, never a named endpoint
# /oauth/access serves two grants: the body tells them apart.
GRANTS = {"auth.codeExchange": "authorization_code", "auth.refresh": "refresh_token"}


def classify(method: str, path: str, body: Any = None) -> str | None:
    """The operation a request is, or None for one no Wix operation here describes."""
    for op, spec in OPERATIONS.items():
        op_method, template = spec.split(" ", 1)
        pattern = re.escape(template).replace(r"\*", _ID)
        if op_method != method.upper() or not re.fullmatch(pattern, path):
            continue
        if op in GRANTS and not (isinstance(body, dict) and body.get("grant_type") == GRANTS[op]):
            continue
        return op
    return None


# --- which operations wixoms's code calls --------------------------------------------------

# A path literal in either kind of quotes; an f-string may hold the other kind inside its braces.
_ROOTS = r"/(?:stores|stores-reader|ecom|apps|oauth2?)/"
_PATH = re.compile(rf'f?(?:"({_ROOTS}[^"]*)"' + rf"|'({_ROOTS}[^']*)')")
_METHOD = re.compile(r"""["'](GET|POST|PATCH|PUT|DELETE)["']""")
_TOKEN_GRANTS = {"exchange_code": "authorization_code", "refresh_access_token": "refresh_token"}


def operations_used(root: Path = REPO / "wixoms") -> dict[str, list[str]]:
    """Every Wix REST path literal in wixoms (the sandbox aside), as operation → places.

    A path whose operation is unknown shows up under "unknown:<METHOD> <path>", so a new call
    cannot slip past the contract unnoticed.
    """
    used: dict[str, list[str]] = {}
    for source in sorted(root.rglob("*.py")):
        if "sandbox" in source.parts:
            continue
        text = source.read_text()
        for match in _PATH.finditer(text):
            path = re.sub(r"\{[^}]*\}", "X", match.group(1) or match.group(2))
            before = text[max(0, match.start() - 160) : match.start()]
            methods = _METHOD.findall(before)
            method = methods[-1] if methods else "POST"  # the token endpoints take POST
            body = None
            if path == "/oauth/access":
                func = re.findall(r"\ndef (\w+)\(", text[: match.start()])
                body = {"grant_type": _TOKEN_GRANTS.get(func[-1] if func else "", "")}
            op = classify(method, path, body) or _only_operation(path, body)
            op = op or f"unknown:{method} {path}"
            line = text.count("\n", 0, match.start()) + 1
            used.setdefault(op, []).append(f"{source.relative_to(root.parent)}:{line}")
    return used


def _only_operation(path: str, body: Any) -> str | None:
    """The operation of a path literal far from its method (e.g. a query helper's argument),
    when only one operation has that path."""
    found = {classify(m, path, body) for m in ("GET", "POST", "PATCH", "PUT", "DELETE")}
    found.discard(None)
    return found.pop() if len(found) == 1 else None


# --- running wixoms's client against the sandbox, recording what it sends -----------------


@dataclass
class Recorder:
    """A requests Session that keeps every request it sent (method, URL, JSON body)."""

    session: requests.Session = field(default_factory=requests.Session)
    sent: list[dict] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.session.hooks["response"].append(self._record)

    def _record(self, response: requests.Response, *args: Any, **kw: Any) -> None:
        request = response.request
        body = request.body.decode() if isinstance(request.body, bytes) else request.body
        path = urlsplit(request.url).path
        parsed = json.loads(body) if body else None
        self.sent.append(
            {
                "op": classify(request.method, path, parsed),
                "method": request.method,
                "url": request.url,
                "body": body,
                "status": response.status_code,
            }
        )


CONTRACT_PLAN = ThroughputPlan(
    "contract", "contract", 120, 20, orders_page_size=2, products_page_size=1
)


def _wix_app(app: dict, base: str, flow: AuthFlow) -> WixApp:
    return WixApp(app["appId"], app["appSecret"], flow, api_base=base, www_base=base)


def exercise_wixoms(base: str) -> list[dict]:
    """Run every Wix operation wixoms uses through wixoms's own client; return the requests.

    Small pages (1 product, 2 orders) make the cursor and keyset pages happen too.
    """
    control = SandboxControl(base)
    control.reset()
    revision_cache.clear()
    recorder = Recorder()
    site3 = control.create_site("Contract V3", "V3_CATALOG")
    site1 = control.create_site("Contract V1", "V1_CATALOG")
    app = control.register_app(auth_flow="oauth")
    oauth = _wix_app(app, base, AuthFlow.OAUTH)
    clients = [
        WixClient(
            oauth,
            instance_id=control.install(app["appId"], site["id"])["instanceId"],
            credentials=None,
            session=recorder.session,
            plan=CONTRACT_PLAN,
        )  # fmt: skip
        for site in (site3, site1)
    ]
    try:
        _exercise_v3(clients[0])
        _exercise_v1(clients[1])
        _exercise_orders(control, clients[0], site3["id"])
        _exercise_legacy_auth(control, base, recorder, site1["id"])
    finally:
        for client in clients:
            client.close()
    return recorder.sent


def _exercise_v3(client: WixClient) -> None:
    client.app_instance()
    client.finished_configuration()
    assert client.catalog_version() is CatalogVersion.V3
    catalog = client.catalog()
    spec = ProductSpec(
        name="Contract Tee", price=Decimal("10.00"), options=[("Size", ["S", "M"])],
        variants=[VariantSpec({"Size": "S"}, "CT-S"), VariantSpec({"Size": "M"}, "CT-M")],
    )  # fmt: skip
    tee = catalog.create_product(spec)
    catalog.create_product(ProductSpec(name="Contract Mug", price=Decimal("5"), sku="CT-MUG"))
    spec.options = [("Size", ["S", "M", "L"])]  # a new variant: it needs an inventory item
    catalog.update_product(tee.id, spec)
    products = list(catalog.iter_products())
    levels = catalog.inventory_levels()
    catalog.set_inventory({ref: 7 for ref in levels})
    revision_cache.clear()  # a fresh process: revisions come from a filtered query
    catalog.set_inventory({ref: 3 for ref in levels})
    catalog.find_variants_by_sku(["CT-M"])
    assert {"CT-S", "CT-M"} <= {sku.sku for sku in list_skus(client, CatalogVersion.V3)}
    assert [loc.default for loc in client.locations.all()] == [True]
    catalog.delete_product(products[-1].id)


def _exercise_v1(client: WixClient) -> None:
    catalog = client.catalog(CatalogVersion.V1)
    spec = ProductSpec(
        name="Contract Cap", price=Decimal("12"), options=[("Size", ["S", "M"])],
        variants=[VariantSpec({"Size": "S"}, "CC-S")],
    )  # fmt: skip
    cap = catalog.create_product(spec)
    mugs = [
        catalog.create_product(ProductSpec(name=f"Mug {i}", price=Decimal("4"), sku=f"CM-{i}"))
        for i in range(3)
    ]
    catalog.update_product(cap.id, spec)
    catalog.get_product(cap.id)
    list(catalog.iter_products())
    refs = [VariantRef(m.id, m.variants[0].id) for m in mugs]
    catalog.set_inventory({r: 5 for r in refs})  # unknown levels: one PATCH per product
    catalog.set_inventory(  # known levels: two delta calls beat three PATCHes
        {refs[0]: 9, refs[1]: 2, refs[2]: 8}, last_known={r: 5 for r in refs}
    )
    catalog.delete_product(mugs[-1].id)


def _exercise_orders(control: SandboxControl, client: WixClient, site_id: str) -> None:
    product = control.add_product(site_id, name="Order Tee", price=20, sku="OT-1")
    placed = [control.place_order(site_id, lines=[{"productId": product["id"]}]) for _ in range(3)]
    control.place_order(site_id, status="PENDING")
    pages = client.orders.iter_pages(statuses=["APPROVED", "PENDING"], updated_since=None)
    assert sum(len(page.orders) for page in pages) == 4
    order = client.orders.get(placed[0]["id"])
    client.fulfillments.create(
        order.id, line_items=[(order.line_items[0].id, 1)], tracking_number="1Z999",
        shipping_provider="ups",
    )  # fmt: skip
    client.fulfillments.list(order.id)


def _exercise_legacy_auth(
    control: SandboxControl, base: str, recorder: Recorder, site_id: str
) -> None:
    app = control.register_app(auth_flow="legacy", redirect_url="https://app.example/callback")
    legacy = _wix_app(app, base, AuthFlow.LEGACY)
    code = control.install(app["appId"], site_id)["code"]
    transport = Transport(base, session=recorder.session)
    creds = exchange_code(legacy, code, transport=transport)
    refresh_access_token(legacy, creds.refresh_token or "", transport=transport)


# --- the official SDK ----------------------------------------------------------------------


class SdkUnavailable(RuntimeError):
    """Node or the SDK packages (``make contract-deps``) are missing."""


def sdk_ready() -> str | None:
    """None when Node and the pinned SDK are installed, else what is missing."""
    if shutil.which("node") is None:
        return "node is not on PATH (Node 20 runs Wix's official SDK)"
    if not (NODE_MODULES / "@wix" / "sdk" / "package.json").exists():
        return f"{NODE_MODULES} is missing: run `make contract-deps` (npm ci)"
    return None


def run_node(script: str, payload: dict) -> dict:
    """Run ``sdk/<script>`` with ``payload`` as its input file; return its JSON output."""
    missing = sdk_ready()
    if missing:
        raise SdkUnavailable(missing)
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as handle:
        json.dump(payload, handle)
    try:
        done = subprocess.run(
            ["node", str(CONTRACT_DIR / "sdk" / script), handle.name],
            cwd=CONTRACT_DIR, capture_output=True, text=True, timeout=NODE_TIMEOUT_S,
            env={**os.environ, "NODE_NO_WARNINGS": "1"},
        )  # fmt: skip
    finally:
        os.unlink(handle.name)
    if done.returncode != 0:
        raise RuntimeError(f"node {script} failed ({done.returncode}): {done.stderr[-2000:]}")
    return json.loads(done.stdout)


@dataclass
class ShapeReport:
    """The request-shape comparison: one entry per distinct request wixoms sent."""

    results: list[dict]
    versions: dict[str, str]

    @property
    def mismatches(self) -> list[dict]:
        return [r for r in self.results if r.get("error") or _differs(r)]

    @property
    def operations_checked(self) -> set[str]:
        return {r["op"] for r in self.results if not r.get("error") and not _differs(r)}


def _differs(result: dict) -> list[str]:
    wixoms, sdk, meta = result.get("wixoms"), result.get("sdk"), result.get("meta")
    if not sdk:
        return ["no SDK request"]
    diffs = [k for k in ("method", "path", "query", "body") if wixoms[k] != sdk[k]]
    if meta and meta["method"] != sdk["method"]:
        diffs.append("meta.method")
    if meta and not re.fullmatch(re.sub(r":\w+", "[^/]+", meta["path"]), sdk["path"]):
        diffs.append("meta.path")
    if result.get("unknownKeys"):
        diffs.append("body keys not in the SDK's request type")
    return diffs


def compare_shapes(sent: list[dict]) -> ShapeReport:
    """What the SDK sends for each distinct (operation, shape) wixoms sent."""
    distinct: dict[str, dict] = {}
    for request in sent:
        if request["op"] is None:
            continue
        key = json.dumps([request["op"], request["method"], _shape_key(request)])
        distinct.setdefault(key, request)
    out = run_node("shapes.mjs", {"requests": list(distinct.values())})
    for result in out["results"]:
        result["differences"] = _differs(result) if not result.get("error") else ["error"]
    return ShapeReport(out["results"], out["versions"])


def _shape_key(request: dict) -> str:
    body = json.loads(request["body"]) if request["body"] else None
    return json.dumps([urlsplit(request["url"]).query.split("=")[0], _keys(body)])


def _keys(value: Any, prefix: str = "") -> list[str]:
    if isinstance(value, dict):
        return sorted(k for key, v in value.items() for k in _keys(v, f"{prefix}.{key}"))
    if isinstance(value, list):
        return sorted({k for v in value for k in _keys(v, prefix + "[]")})
    return [prefix]


def run_sdk_scenarios(payload: dict) -> list[dict]:
    """The official SDK's own calls against the sandbox: [{"name", "ok", "detail"}]."""
    return run_node("scenarios.mjs", payload)["checks"]


def prepare_sdk_world(base: str) -> dict:
    """A sandbox world for ``scenarios.mjs``: two sites, an OAuth app installed on both, a
    legacy app with a fresh code, products, orders, and two real webhook JWTs."""
    control = SandboxControl(base)
    control.reset()
    control.config(webhook_max_attempts=1)  # the JWTs are wanted, not the deliveries
    site3 = control.create_site("SDK V3", "V3_CATALOG")
    site1 = control.create_site("SDK V1", "V1_CATALOG")
    spare = control.create_site("SDK spare", "V3_CATALOG")
    app = control.register_app(auth_flow="oauth", webhook_url="http://127.0.0.1:9/hooks")
    instance3 = control.install(app["appId"], site3["id"])["instanceId"]
    instance1 = control.install(app["appId"], site1["id"])["instanceId"]
    control.remove_app(control.install(app["appId"], spare["id"])["instanceId"])
    hoodie = control.add_product(site3["id"], name="Hoodie", price=30, options={"Size": ["S"]})
    cap = control.add_product(site1["id"], name="Cap", price=9, sku="CAP", quantity=10)
    control.add_product(site1["id"], name="Hidden cap", price=9, sku="CAP-H", visible=False)
    tee = control.add_product(site3["id"], name="Tee", price=20, sku="TEE", quantity=50)
    depot = control.add_location(site3["id"], "SDK depot")
    approved = [
        control.place_order(site3["id"], lines=[{"productId": tee["id"]}])["id"] for _ in range(3)
    ]
    pending = control.place_order(site3["id"], status="PENDING")["id"]
    legacy = control.register_app(auth_flow="legacy", redirect_url="https://app.example/callback")
    legacy_install = control.install(legacy["appId"], site1["id"])
    deliveries = control.wait_for_deliveries(timeout=10)
    created = next(
        d for d in deliveries
        if d["eventType"] == "wix.ecom.v1.order_created" and d.get("orderId") == approved[0]
    )  # fmt: skip
    removed = next(d for d in deliveries if d["eventType"] == "AppRemoved")
    return {
        "base": base,
        "siteV3": site3["id"],
        "oauth": {
            "appId": app["appId"], "appSecret": app["appSecret"], "publicKey": app["publicKey"],
            "instanceV3": instance3, "instanceV1": instance1,
        },
        "legacy": {
            "appId": legacy["appId"], "appSecret": legacy["appSecret"],
            "code": legacy_install["code"], "instanceId": legacy_install["instanceId"],
        },
        "orders": {"approved": approved, "pending": pending},
        "v1": {
            "productId": cap["id"], "variantId": cap["variants"][0]["id"], "quantity": 10,
            "visibleProducts": 1,
        },
        "v3": {"productId": hoodie["id"], "products": 2, "locations": [depot["id"]]},
        "webhooks": {
            "orderCreated": created["body"], "orderId": approved[0], "appRemoved": removed["body"],
        },
    }  # fmt: skip

"""The sandbox behaves as Wix's published SDK packages say (wix-api.md §10), point by point.

Each test names its source: a § of wix-api.md, or an npm package of Wix's SDK (the versions
§10 lists, pinned in tests/contract/package-lock.json) and the typing it read.
"""

from __future__ import annotations

import json
import socket
import threading

import jwt
import pytest

from wixoms.wix.catalog import sdk_query

V3_NAMES = "VARIANT_OPTION_CHOICE_NAMES"


def r_param(payload: dict) -> str:
    """A GET query as @wix/sdk-runtime's toURLSearchParams sends it (.r = base64url JSON);
    tests/contract checks that this encoder sends what the SDK sends."""
    return sdk_query(payload)[".r"]


def v3_product(name="Hoodie", sizes=("S", "M"), skus=None, inventory=None, physical=True):
    variants = []
    for i, size in enumerate(sizes):
        variant = {
            "choices": [{"optionChoiceNames": {"optionName": "Size", "choiceName": size}}],
            "price": {"actualPrice": {"amount": "10.00"}},
        }
        if physical:
            variant["physicalProperties"] = {}
        if skus:
            variant["sku"] = skus[i]
        if inventory is not None:
            variant["inventoryItem"] = inventory
        variants.append(variant)
    product = {
        "name": name,
        "productType": "PHYSICAL",
        "options": [
            {
                "name": "Size",
                "optionRenderType": "TEXT_CHOICES",
                "choicesSettings": {
                    "choices": [{"choiceType": "CHOICE_TEXT", "name": s} for s in sizes]
                },
            }
        ],
        "variantsInfo": {"variants": variants},
    }
    if physical:
        product["physicalProperties"] = {}
    return {"product": product}


def items_of(wix, product_id: str) -> list[dict]:
    query = {
        "query": {"filter": {"productId": {"$in": [product_id]}}, "cursorPaging": {"limit": 1000}}
    }
    return wix.get(f"/stores/v3/inventory-items/query?.r={r_param(query)}").json()["inventoryItems"]


# --- catalog v3 ---------------------------------------------------------------------------


def test_v3_get_product_names_choices_only_when_asked(connect):
    """products-v-3 typings, OptionChoice.optionChoiceNames: "Returned only when you pass
    VARIANT_OPTION_CHOICE_NAMES to the fields array"."""
    wix = connect()
    created = wix.post("/stores/v3/products-with-inventory", v3_product()).json()["product"]
    plain = wix.get(f"/stores/v3/products/{created['id']}").json()["product"]
    choice = plain["variantsInfo"]["variants"][0]["choices"][0]
    assert set(choice) == {"optionChoiceIds"}
    named = wix.get(f"/stores/v3/products/{created['id']}?fields={V3_NAMES}").json()["product"]
    names = named["variantsInfo"]["variants"][0]["choices"][0]["optionChoiceNames"]
    assert (names["optionName"], names["choiceName"]) == ("Size", "S")


def test_v3_create_product_makes_no_inventory_items_but_with_inventory_does(connect):
    """§10 / products-v-3 ``createProductWithInventory``: Create Product creates no inventory
    items; a variant without one has no stock to update."""
    wix = connect()
    bare = wix.post("/stores/v3/products", v3_product("Bare")).json()["product"]
    assert items_of(wix, bare["id"]) == []
    stocked = wix.post(
        "/stores/v3/products-with-inventory", v3_product("Stocked", inventory={"quantity": 3})
    ).json()
    items = items_of(wix, stocked["product"]["id"])
    assert [i["quantity"] for i in items] == [3, 3] and all(i["trackQuantity"] for i in items)


def test_v3_update_without_variant_ids_makes_new_variants(connect):
    """products-v-3 typings, V3VariantsInfo.variants: without ``id`` "new variant with
    different id will be created"; the new variant has no inventory item until Bulk Create."""
    wix = connect()
    made = wix.post(
        "/stores/v3/products-with-inventory", v3_product(inventory={"quantity": 1})
    ).json()["product"]
    body = v3_product()
    body["product"]["revision"] = made["revision"]
    updated = wix.call("PATCH", f"/stores/v3/products/{made['id']}", json=body).json()["product"]
    old = {v["id"] for v in made["variantsInfo"]["variants"]}
    new = [v["id"] for v in updated["variantsInfo"]["variants"]]
    assert old.isdisjoint(new) and items_of(wix, made["id"]) == []
    created = wix.post(
        "/stores/v3/bulk/inventory-items/create",
        {"inventoryItems": [{"productId": made["id"], "variantId": v, "quantity": 2} for v in new]},
    ).json()
    assert created["bulkActionMetadata"]["totalSuccesses"] == 2
    assert len(items_of(wix, made["id"])) == 2


def test_v3_sku_has_min_length_one_and_is_unique_in_the_store(connect):
    """§10 / products-v-3 typings: Variant.sku @minLength 1 @maxLength 40;
    SKU_ALREADY_EXIST_ERROR among Create Product's application errors."""
    wix = connect()
    empty = wix.post("/stores/v3/products", v3_product(skus=["", "B"]))
    assert empty.status_code == 400
    violation = empty.json()["details"]["validationError"]["fieldViolations"][0]
    assert violation["field"] == "product.variantsInfo.variants[0].sku"
    assert wix.post("/stores/v3/products", v3_product(skus=["A", "B"])).status_code == 200
    clash = wix.post("/stores/v3/products", v3_product("Other", skus=["C", "A"]))
    assert clash.status_code == 409
    assert clash.json()["details"]["applicationError"]["code"] == "SKU_ALREADY_EXIST_ERROR"


def test_v3_physical_products_need_physical_properties(connect):
    """products-v-3 typings: physicalProperties "Required when productType: PHYSICAL", and
    on each variant "Must be passed when productType: PHYSICAL"."""
    wix = connect()
    response = wix.post("/stores/v3/products", v3_product(physical=False))
    assert response.status_code == 400
    assert "physicalProperties" in response.json()["message"]


def test_v3_bulk_inventory_update_takes_up_to_1000_items(connect):
    """inventory-items-v-3 typings, BulkUpdateInventoryItemsRequest.inventoryItems:
    @minSize 1 @maxSize 1000 (§10)."""
    wix = connect()
    sizes = [f"S{i}" for i in range(1000)]
    made = wix.post(
        "/stores/v3/products-with-inventory", v3_product(sizes=sizes, inventory={"quantity": 0})
    ).json()["product"]
    items = items_of(wix, made["id"])
    assert len(items) == 1000  # a query page holds up to 1000 items
    body = [
        {"inventoryItem": {"id": i["id"], "revision": i["revision"], "quantity": 5}} for i in items
    ]
    done = wix.post(
        "/stores/v3/bulk/inventory-items/update", {"inventoryItems": body, "reason": "MANUAL"}
    ).json()
    assert done["bulkActionMetadata"]["totalSuccesses"] == 1000
    too_many = wix.post(
        "/stores/v3/bulk/inventory-items/update", {"inventoryItems": body + body[:1]}
    )
    assert too_many.status_code == 400


def test_v3_quantity_may_be_negative_and_track_quantity_is_read_only(connect):
    """inventory-items-v-3 typings: quantity @min -99999 @max 99999 ("can be negative");
    trackQuantity @readonly (a quantity means tracked)."""
    wix = connect()
    made = wix.post(
        "/stores/v3/products-with-inventory", v3_product(sizes=("S",), inventory={"inStock": True})
    ).json()["product"]
    [item] = items_of(wix, made["id"])
    assert item["trackQuantity"] is False
    update = {
        "id": item["id"],
        "revision": item["revision"],
        "quantity": -5,
        "trackQuantity": False,
    }
    result = wix.post(
        "/stores/v3/bulk/inventory-items/update",
        {"inventoryItems": [{"inventoryItem": update}], "returnEntity": True},
    ).json()["results"][0]
    assert result["item"]["quantity"] == -5 and result["item"]["trackQuantity"] is True
    below = {"id": item["id"], "revision": result["item"]["revision"], "quantity": -100000}
    failed = wix.post(
        "/stores/v3/bulk/inventory-items/update", {"inventoryItems": [{"inventoryItem": below}]}
    ).json()["results"][0]["itemMetadata"]
    assert failed["success"] is False


def test_v3_inventory_query_pages_up_to_1000_and_then_only_the_cursor(connect):
    """inventory-items-v-3 typings: CursorPaging.limit @max 1000; PlatformPagingMetadataV2
    has no hasNext; §8/§10: after the first page send only the cursor."""
    wix = connect()
    made = wix.post(
        "/stores/v3/products-with-inventory",
        v3_product(sizes=("S", "M", "L"), inventory={"quantity": 1}),
    ).json()["product"]
    first = {
        "query": {"filter": {"productId": {"$in": [made["id"]]}}, "cursorPaging": {"limit": 2}}
    }
    page = wix.get(f"/stores/v3/inventory-items/query?.r={r_param(first)}").json()
    meta = page["pagingMetadata"]
    assert len(page["inventoryItems"]) == 2 and "hasNext" not in meta and meta["cursors"]["next"]
    cursor = meta["cursors"]["next"]
    both = {"query": {**first["query"], "cursorPaging": {"cursor": cursor}}}
    assert wix.get(f"/stores/v3/inventory-items/query?.r={r_param(both)}").status_code == 400
    alone = {"query": {"cursorPaging": {"cursor": cursor, "limit": 2}}}
    rest = wix.get(f"/stores/v3/inventory-items/query?.r={r_param(alone)}").json()
    assert len(rest["inventoryItems"]) == 1 and rest["pagingMetadata"]["cursors"] == {}
    over = {"query": {"cursorPaging": {"limit": 1001}}}
    assert wix.get(f"/stores/v3/inventory-items/query?.r={r_param(over)}").status_code == 400


def test_v3_hidden_products_need_the_admin_read_scope(connect, sandbox):
    """§10: v3 needs the product-read-admin scope for non-visible products (products-v-3
    getProduct/queryProducts: WIX_STORES.PRODUCT_READ_NON_VISIBLE)."""
    wix = connect(permissions=["SCOPE.DC-STORES.READ-PRODUCTS"])
    hidden = sandbox.add_product(wix.site["id"], name="Secret", price=3, visible=False)
    sandbox.add_product(wix.site["id"], name="Open", price=3)
    listed = wix.get(f"/stores/v3/products/query?.r={r_param({'query': {}})}").json()["products"]
    assert [p["name"] for p in listed] == ["Open"]
    assert wix.get(f"/stores/v3/products/{hidden['id']}").status_code == 404
    admin = connect(name="Admin", permissions=["SCOPE.STORES.PRODUCT_READ_ADMIN"])
    secret = sandbox.add_product(admin.site["id"], name="Secret", price=3, visible=False)
    assert admin.get(f"/stores/v3/products/{secret['id']}").status_code == 200


# --- catalog v1 ---------------------------------------------------------------------------


def test_v1_query_hides_hidden_products_unless_include_hidden_products(connect, sandbox):
    """products typings, QueryProductsRequest.includeHiddenProducts: hidden products are
    "silently excluded" and not counted; it "Requires permissions to manage products"."""
    wix = connect("V1_CATALOG")
    sandbox.add_product(wix.site["id"], name="Open", price=2)
    sandbox.add_product(wix.site["id"], name="Hidden", price=2, visible=False)
    plain = wix.post("/stores/v1/products/query", {"query": {}}).json()
    assert [p["name"] for p in plain["products"]] == ["Open"] and plain["totalResults"] == 1
    every = wix.post(
        "/stores/v1/products/query", {"query": {}, "includeHiddenProducts": True}
    ).json()
    assert every["totalResults"] == 2
    reader = connect("V1_CATALOG", name="Reader", permissions=["SCOPE.DC-STORES.READ-PRODUCTS"])
    denied = reader.post("/stores/v1/products/query", {"query": {}, "includeHiddenProducts": True})
    assert denied.status_code == 403
    assert denied.json()["details"]["applicationError"]["code"] == "PERMISSION_DENIED"


def test_v1_stock_may_go_negative(connect, sandbox):
    """§10: v1 stock may be negative too (a decrement is not refused)."""
    wix = connect("V1_CATALOG")
    cap = sandbox.add_product(wix.site["id"], name="Cap", price=2, sku="CAP", quantity=1)
    variant = cap["variants"][0]["id"]
    data = [{"productId": cap["id"], "variantId": variant, "decrementBy": 3}]
    assert (
        wix.post("/stores/v2/inventoryItems/decrement", {"decrementData": data}).status_code == 200
    )
    product = wix.get(f"/stores-reader/v1/products/{cap['id']}").json()["product"]
    assert product["variants"][0]["stock"]["quantity"] == -2
    assert product["variants"][0]["stock"]["inStock"] is False


def test_v1_variant_choices_are_keyed_by_the_choice_description(connect):
    """§10: ``{"value": "S", "description": "Small"}`` → variant ``choices: {"Size": "Small"}``."""
    wix = connect("V1_CATALOG")
    body = {
        "product": {
            "name": "Tee", "productType": "physical", "priceData": {"price": 5},
            "manageVariants": True,
            "productOptions": [{"name": "Size", "choices": [
                {"value": "S", "description": "Small"}, {"value": "M", "description": "Medium"},
            ]}],
        }
    }  # fmt: skip
    product = wix.post("/stores/v1/products", body).json()["product"]
    assert [v["choices"] for v in product["variants"]] == [{"Size": "Small"}, {"Size": "Medium"}]
    assert product["productOptions"][0]["choices"][0]["value"] == "S"
    set_sku = {"variants": [{"choices": {"Size": "Small"}, "sku": "TEE-S"}]}
    assert wix.call("PATCH", f"/stores/v1/products/{product['id']}/variants", json=set_sku).ok


# --- orders and fulfillments --------------------------------------------------------------


def test_orders_search_leaves_pending_and_rejected_out_unless_asked(connect, sandbox):
    """§10 (ecom orders 1.0.300, Search Orders): PENDING and REJECTED only with an explicit
    status filter; INITIALIZED never."""
    wix = connect()
    sandbox.add_product(wix.site["id"], name="Tee", price=5)
    ids = {
        status: sandbox.place_order(wix.site["id"], status=status)["id"]
        for status in ("APPROVED", "PENDING", "REJECTED", "CANCELED", "INITIALIZED")
    }
    default = wix.post("/ecom/v1/orders/search", {"search": {}}).json()["orders"]
    assert {o["status"] for o in default} == {"APPROVED", "CANCELED"}
    statuses = ["APPROVED", "PENDING", "REJECTED", "CANCELED", "INITIALIZED"]
    asked = wix.post(
        "/ecom/v1/orders/search", {"search": {"filter": {"status": {"$in": statuses}}}}
    ).json()["orders"]
    assert {o["id"] for o in asked} == set(ids.values()) - {ids["INITIALIZED"]}


@pytest.mark.parametrize("payment", ["UNSPECIFIED", "PENDING_MERCHANT", "CANCELED", "DECLINED"])
def test_payment_status_has_the_sdk_values(connect, sandbox, payment):
    """ecom orders 1.0.300 PaymentStatus: ten values, more than §8 listed."""
    wix = connect()
    sandbox.add_product(wix.site["id"], name="Tee", price=5)
    order = sandbox.place_order(wix.site["id"], paymentStatus=payment)
    assert wix.get(f"/ecom/v1/orders/{order['id']}").json()["order"]["paymentStatus"] == payment


def test_create_fulfillment_defaults_quantity_links_known_carriers_and_lists(connect, sandbox):
    """§10 / order-fulfillments 1.0.65: quantity defaults to what is not yet fulfilled;
    canadaPost (like fedex, ups, usps, dhl) gets a link; nothing requires APPROVED; List
    Fulfillments For Single Order reads them back."""
    wix = connect()
    product = sandbox.add_product(wix.site["id"], name="Tee", price=5)
    order = sandbox.place_order(
        wix.site["id"], status="PENDING", lines=[{"productId": product["id"], "quantity": 3}]
    )
    line = order["lineItems"][0]["id"]
    made = wix.post(
        f"/ecom/v1/fulfillments/orders/{order['id']}/create-fulfillment",
        {
            "fulfillment": {
                "lineItems": [{"id": line}],
                "trackingInfo": {"trackingNumber": "CP1", "shippingProvider": "canadaPost"},
            }
        },
    )
    assert made.status_code == 200
    listed = wix.get(f"/ecom/v1/fulfillments/orders/{order['id']}").json()
    [fulfillment] = listed["orderWithFulfillments"]["fulfillments"]
    assert fulfillment["id"] == made.json()["fulfillmentId"]
    assert fulfillment["lineItems"] == [{"id": line, "quantity": 3}]
    assert fulfillment["trackingInfo"]["trackingLink"].startswith("https://")


# --- webhooks -----------------------------------------------------------------------------


def test_order_fulfilled_fires_on_any_fulfillment_status_change(connect, sandbox, webhook_listener):
    """§10: ``order_fulfilled`` fires on any fulfillment status change (partial too)."""
    wix = connect(webhook_url=webhook_listener.url)
    product = sandbox.add_product(wix.site["id"], name="Tee", price=5)
    order = sandbox.place_order(wix.site["id"], lines=[{"productId": product["id"], "quantity": 2}])
    sandbox.wait_for_deliveries()
    sandbox.clear_deliveries()
    wix.post(
        f"/ecom/v1/fulfillments/orders/{order['id']}/create-fulfillment",
        {"fulfillment": {"lineItems": [{"id": order["lineItems"][0]["id"], "quantity": 1}]}},
    )
    types = [d["eventType"] for d in sandbox.wait_for_deliveries()]
    assert "wix.ecom.v1.order_fulfilled" in types


def test_app_removed_carries_the_app_id(connect, sandbox, webhook_listener):
    """§10 (@wix/sdk webhooks, apps.AppRemoved): the event's data is ``{appId}``."""
    wix = connect(webhook_url=webhook_listener.url)
    sandbox.remove_app(wix.instance_id)
    [removed] = [d for d in sandbox.wait_for_deliveries() if d["eventType"] == "AppRemoved"]
    claims = jwt.decode(removed["body"], wix.app["publicKey"], algorithms=["RS256"])
    envelope = json.loads(claims["data"])
    assert json.loads(envelope["data"]) == {"appId": wix.app["appId"]}


def test_webhook_retries_follow_wix_schedule_and_resend_the_first_jwt(
    connect, sandbox, webhook_listener
):
    """§10: Wix waits 1250 ms, then retries over hours (12 more times, 1 min → 12 h); a
    retry carries the JWT of the first attempt. The time scale compresses the hours."""
    defaults = sandbox.config()
    schedule = defaults["webhook_retry_schedule_s"]
    assert defaults["webhook_timeout_s"] == 1.25
    assert (len(schedule), schedule[0], schedule[-1]) == (12, 60, 12 * 3600)
    wix = connect(webhook_url=webhook_listener.url)
    sandbox.config(webhook_time_scale=0.001, webhook_max_attempts=3, jwt_ttl_s=0)
    sandbox.add_product(wix.site["id"], name="Tee", price=5)
    sandbox.wait_for_deliveries()
    webhook_listener.statuses = [500, 503]
    order = sandbox.place_order(wix.site["id"])
    sandbox.wait_for_deliveries(timeout=10)
    [delivery] = sandbox.deliveries(eventType="wix.ecom.v1.order_created")
    assert delivery["orderId"] == order["id"] and delivery["status"] == "delivered"
    assert [a["status"] for a in delivery["attempts"]] == [500, 503, 200]
    received = [r.body for r in webhook_listener.received if b"order_created" in _claims(r.body)]
    assert len(received) == 3 and len(set(received)) == 1  # the very same JWT each time
    with pytest.raises(jwt.ExpiredSignatureError):  # long expired by the last retry
        jwt.decode(received[-1], wix.app["publicKey"], algorithms=["RS256"])


def _claims(body: bytes) -> bytes:
    return json.dumps(jwt.decode(body, options={"verify_signature": False})).encode()


def test_webhook_delivery_times_out_after_1250_ms(connect, sandbox):
    """§3/§10: no answer within 1250 ms counts as a failed attempt."""
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(4)
    accepted: list[socket.socket] = []
    threading.Thread(target=lambda: accepted.append(silent.accept()[0]), daemon=True).start()
    try:
        wix = connect(webhook_url=f"http://127.0.0.1:{silent.getsockname()[1]}/hooks")
        sandbox.config(webhook_max_attempts=1)
        sandbox.remove_app(wix.instance_id)
        [delivery] = sandbox.wait_for_deliveries(timeout=5, eventType="AppRemoved")
        assert delivery["status"] == "failed"
        assert delivery["attempts"][0]["error"] == "ReadTimeout"
    finally:
        for conn in accepted:
            conn.close()
        silent.close()


def test_signing_webhooks_parses_the_private_key_once(connect, sandbox, monkeypatch):
    """Signing must not re-read the key per event (it cost ~46 ms each)."""
    from cryptography.hazmat.primitives import serialization

    from wixoms.sandbox import webhooks

    calls = []
    real = serialization.load_pem_private_key
    monkeypatch.setattr(
        webhooks.serialization, "load_pem_private_key",
        lambda *a, **k: calls.append(1) or real(*a, **k),
    )  # fmt: skip
    wix = connect(webhook_url="http://127.0.0.1:9/hooks")
    sandbox.config(webhook_max_attempts=1)
    sandbox.add_product(wix.site["id"], name="Tee", price=5)
    for _ in range(5):
        sandbox.place_order(wix.site["id"])
    assert len([d for d in sandbox.wait_for_deliveries() if d["kind"] == "app_webhook"]) >= 5
    assert len(calls) <= 1


# --- app instance, errors, scopes, SDK request forms --------------------------------------


def test_app_instance_needs_manage_your_app_and_has_conditional_fields(connect, sandbox):
    """app-instances 1.0.49 typings: Get App Instance needs "Manage Your App"; site.url only
    when published; site.ownerInfo only with READ SITE OWNER EMAIL; billing only when paid."""
    full = connect().get("/apps/v1/instance").json()
    assert full["site"]["url"] and full["site"]["ownerInfo"]["email"]
    assert "billing" not in full["instance"] and full["instance"]["isFree"] is True
    narrow = connect(name="Narrow", permissions=["SCOPE.DC.MANAGE-YOUR-APP"])
    sandbox.update_site(narrow.site["id"], published=False)
    body = narrow.get("/apps/v1/instance").json()
    assert "url" not in body["site"] and "ownerInfo" not in body["site"]
    assert body["site"]["siteId"] == narrow.site["id"]
    denied = connect(name="Denied", permissions=["SCOPE.DC-STORES.READ-PRODUCTS"]).get(
        "/apps/v1/instance"
    )
    assert denied.status_code == 403
    assert denied.json()["details"]["applicationError"]["code"] == "PERMISSION_DENIED"


@pytest.mark.parametrize("style, body", [("empty", b""), ("wix", b'{"message":"","details":{}}')])
def test_5xx_bodies_are_empty_or_an_empty_message(connect, sandbox, style, body):
    """§2/§10: a 5xx body may be empty or {"message":"","details":{}} (configurable)."""
    wix = connect()
    sandbox.config(server_error_body=style)
    sandbox.burst("/apps/v1/instance", 503, 1)
    response = wix.get("/apps/v1/instance")
    assert response.status_code == 503 and response.content == body


@pytest.mark.parametrize(
    "method, path, body",
    [
        ("POST", "/ecom/v1/orders/search", {"search": {}}),
        ("POST", "/stores/v3/bulk/inventory-items/update", {"inventoryItems": [{}]}),
        ("POST", "/stores/v3/products-with-inventory", {}),
    ],
)
def test_each_api_needs_its_scope(connect, method, path, body):
    """Scopes from the SDK typings (@permissionScopeId); 403 in Wix's error shape."""
    response = connect(permissions=["SCOPE.DC.MANAGE-YOUR-APP"]).call(method, path, json=body)
    assert response.status_code == 403
    error = response.json()
    assert set(error) == {"message", "details"}
    assert error["details"]["applicationError"]["code"] == "PERMISSION_DENIED"


def test_the_sdks_get_query_forms_are_answered(connect, sandbox):
    """@wix/sdk-runtime toURLSearchParams: queries go out as ``GET …?.r=<base64>``
    (products-v-3 ``queryProducts``, inventory-items-v-3 ``queryInventoryItems``, products
    ``queryProducts`` → ``/stores-reader/v1/products/query-platformized``)."""
    v3 = connect()
    sandbox.add_product(v3.site["id"], name="Tee", price=5)
    query = r_param({"query": {"cursorPaging": {"limit": 10}}})
    assert len(v3.get(f"/stores/v3/products/query?.r={query}").json()["products"]) == 1
    assert len(v3.get(f"/stores/v3/inventory-items/query?.r={query}").json()["inventoryItems"]) == 1
    v1 = connect("V1_CATALOG", name="V1")
    sandbox.add_product(v1.site["id"], name="Cap", price=5)
    paged = r_param({"query": {"filter": {"name": "Cap"}, "paging": {"limit": 10, "offset": 0}}})
    found = v1.get(f"/stores-reader/v1/products/query-platformized?.r={paged}").json()
    assert [p["name"] for p in found["products"]] == ["Cap"] and found["metadata"]["total"] == 1
    assert v1.get("/stores-reader/v1/products/query-platformized?.r=@@").status_code == 400

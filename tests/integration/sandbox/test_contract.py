"""The sandbox answers with the fields and shapes of wix-api.md's samples, over real HTTP."""

from __future__ import annotations

import json
import re

import pytest
import requests

DECIMAL = re.compile(r"^\d+\.\d{2}$")
ISO = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$")
GUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


def no_nulls(doc) -> bool:
    """Absent values are omitted, never null."""
    if doc is None:
        return False
    if isinstance(doc, dict):
        return all(no_nulls(v) for v in doc.values())
    if isinstance(doc, list):
        return all(no_nulls(v) for v in doc)
    return True


def test_client_credentials_token_has_bearer_type_and_4_hour_lifetime(sandbox, sandbox_server):
    site = sandbox.create_site("S", "V3_CATALOG")
    app = sandbox.register_app(auth_flow="oauth")
    install = sandbox.install(app["appId"], site["id"])
    response = requests.post(
        sandbox_server.url + "/oauth2/token",
        json={
            "grant_type": "client_credentials",
            "client_id": app["appId"],
            "client_secret": app["appSecret"],
            "instance_id": install["instanceId"],
        },
        timeout=10,
    )
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"access_token", "token_type", "expires_in"}
    assert body["token_type"] == "Bearer" and body["expires_in"] == 14400


def test_wrong_secret_gets_oauth_style_4xx(sandbox, sandbox_server):
    app = sandbox.register_app(auth_flow="oauth")
    response = requests.post(
        sandbox_server.url + "/oauth2/token",
        json={"grant_type": "client_credentials", "client_id": app["appId"], "client_secret": "x"},
        timeout=10,
    )
    assert 400 <= response.status_code < 500
    assert {"error", "error_description"} <= set(response.json())


def test_app_instance_gives_instance_and_site(connect):
    wix = connect("V1_CATALOG", name="Corner Shop")
    body = wix.get("/apps/v1/instance").json()
    assert body["instance"]["instanceId"] == wix.instance_id
    assert {"appName", "appVersion", "isFree"} <= set(body["instance"])
    site = body["site"]
    assert site["siteId"] == wix.site["id"] != wix.instance_id
    assert site["siteDisplayName"] == "Corner Shop"
    assert site["url"].startswith("https://")
    assert "email" in site["ownerInfo"]


@pytest.mark.parametrize("version", ["V1_CATALOG", "V3_CATALOG", "STORES_NOT_INSTALLED"])
def test_catalog_version_is_per_site(connect, version):
    wix = connect(version)
    assert wix.get("/stores/v3/provision/version").json() == {"catalogVersion": version}


def test_bearer_prefix_and_raw_token_are_both_accepted(connect):
    wix = connect()
    for header in (wix.token, f"Bearer {wix.token}"):
        response = requests.get(
            wix.base + "/apps/v1/instance", headers={"Authorization": header}, timeout=10
        )
        assert response.status_code == 200


def test_missing_token_is_401_with_wix_error_json(sandbox, sandbox_server):
    response = requests.post(sandbox_server.url + "/ecom/v1/orders/search", json={}, timeout=10)
    assert response.status_code == 401
    error = response.json()
    assert error["message"]
    assert error["details"]["applicationError"]["code"] == "UNAUTHENTICATED"


def test_v1_product_has_wix_fields_and_money_as_numbers(connect, sandbox):
    wix = connect("V1_CATALOG")
    sandbox.add_product(
        wix.site["id"], name="Tee", price=19.5, options={"Size": ["S", "M"]}, quantity=3
    )
    body = wix.post(
        "/stores/v1/products/query",
        {"query": {"paging": {"limit": 10, "offset": 0}}, "includeVariants": True},
    ).json()
    assert set(body) == {"products", "metadata", "totalResults"}
    assert body["metadata"] == {"items": 1, "offset": 0} and body["totalResults"] == 1
    product = body["products"][0]
    assert product["productType"] == "physical"
    assert product["priceData"]["price"] == 19.5 and product["priceData"]["currency"] == "USD"
    assert product["numericId"].isdigit()
    assert {"trackInventory", "quantity", "inStock", "inventoryStatus"} <= set(product["stock"])
    assert product["productOptions"][0]["optionType"] == "drop_down"
    assert {"value", "description", "inStock", "visible"} <= set(
        product["productOptions"][0]["choices"][0]
    )
    variant = product["variants"][0]
    assert variant["choices"] == {"Size": "S"}
    assert isinstance(variant["variant"]["priceData"]["price"], (int, float))
    assert variant["stock"] == {"trackQuantity": True, "quantity": 3, "inStock": True}
    assert ISO.match(product["lastUpdated"])
    assert no_nulls(body)


def test_v1_query_filter_must_be_a_json_string(connect):
    wix = connect("V1_CATALOG")
    response = wix.post("/stores/v1/products/query", {"query": {"filter": {"visible": True}}})
    assert response.status_code == 400
    assert "fieldViolations" in response.json()["details"]["validationError"]


def test_v1_numeric_id_keyset_filter(connect, sandbox):
    wix = connect("V1_CATALOG")
    for n in range(5):
        sandbox.add_product(wix.site["id"], name=f"P{n}", price=1)
    first = wix.post(
        "/stores/v1/products/query",
        {"query": {"sort": json.dumps([{"numericId": "asc"}]), "paging": {"limit": 2}}},
    ).json()["products"]
    last = first[-1]["numericId"]
    rest = wix.post(
        "/stores/v1/products/query",
        {
            "query": {
                "filter": json.dumps({"numericId": {"$gt": last}}),
                "sort": json.dumps([{"numericId": "asc"}]),
                "paging": {"limit": 100},
            }
        },
    ).json()["products"]
    assert [p["name"] for p in first + rest] == [f"P{n}" for n in range(5)]


def test_v1_paging_limit_over_100_is_rejected(connect):
    wix = connect("V1_CATALOG")
    response = wix.post("/stores/v1/products/query", {"query": {"paging": {"limit": 101}}})
    assert response.status_code == 400


def test_v1_inventory_item_shape(connect, sandbox):
    wix = connect("V1_CATALOG")
    product = sandbox.add_product(wix.site["id"], name="Mug", price=8, quantity=4)
    body = wix.post("/stores/v2/inventoryItems/query", {"query": {}}).json()
    item = body["inventoryItems"][0]
    assert item["externalId"] == item["productId"] == product["id"]
    assert item["trackQuantity"] is True
    assert item["variants"] == [
        {"variantId": "00000000-0000-0000-0000-000000000000", "inStock": True, "quantity": 4}
    ]


def test_v3_query_has_no_variants_but_get_does(connect, sandbox):
    wix = connect("V3_CATALOG")
    created = sandbox.add_product(
        wix.site["id"], name="Hoodie", price="129.99", options={"Size": ["S", "M"]}
    )
    body = wix.post(
        "/stores/v3/products/query",
        {"query": {"filter": {"visible": True}, "cursorPaging": {"limit": 100}}, "fields": []},
    ).json()
    assert set(body) == {"products", "pagingMetadata"}
    assert body["pagingMetadata"]["count"] == 1 and body["pagingMetadata"]["hasNext"] is False
    listed = body["products"][0]
    assert "variantsInfo" not in listed
    assert listed["productType"] == "PHYSICAL" and listed["revision"] == "1"
    full = wix.get(
        f"/stores/v3/products/{created['id']}?fields=VARIANT_OPTION_CHOICE_NAMES"
    ).json()["product"]
    variant = full["variantsInfo"]["variants"][0]
    assert variant["price"]["actualPrice"]["amount"] == "129.99"
    names = variant["choices"][0]["optionChoiceNames"]
    assert names["optionName"] == "Size" and names["choiceName"] == "S"
    assert names["renderType"] == "TEXT_CHOICES"
    assert full["options"][0]["optionRenderType"] == "TEXT_CHOICES"
    assert full["options"][0]["choicesSettings"]["choices"][0]["name"] == "S"
    assert full["variantSummary"] == {"variantCount": 2}
    assert no_nulls(full)


def test_v3_on_a_v1_site_is_428_and_v1_on_a_v3_site_too(connect):
    v1 = connect("V1_CATALOG")
    assert v1.post("/stores/v3/products/query", {"query": {}}).status_code == 428
    v3 = connect("V3_CATALOG")
    assert v3.post("/stores/v1/products/query", {"query": {}}).status_code == 428


def test_v3_stale_revision_is_409_and_current_revision_updates(connect, sandbox):
    wix = connect("V3_CATALOG")
    product = sandbox.add_product(wix.site["id"], name="Cap", price=5)
    path = f"/stores/v3/products/{product['id']}"
    ok = wix.call("PATCH", path, json={"product": {"revision": "1", "name": "Cap 2"}})
    assert ok.status_code == 200 and ok.json()["product"]["revision"] == "2"
    stale = wix.call("PATCH", path, json={"product": {"revision": "1", "name": "Cap 3"}})
    assert stale.status_code == 409
    assert "revision" in stale.json()["message"]


def test_v3_inventory_items_and_bulk_update(connect, sandbox):
    wix = connect("V3_CATALOG")
    product = sandbox.add_product(
        wix.site["id"], name="Tee", price=5, options={"Size": ["S", "M"]}, quantity=1
    )
    body = wix.post(
        "/stores/v3/inventory-items/query",
        {
            "query": {
                "filter": {"productId": {"$in": [product["id"]]}},
                "cursorPaging": {"limit": 100},
            }
        },
    ).json()
    items = body["inventoryItems"]
    # inventory-items-v-3 typings: PlatformPagingMetadataV2 has count and cursors, no hasNext
    assert len(items) == 2 and body["pagingMetadata"] == {"count": 2, "cursors": {}}
    item = items[0]
    assert {
        "id",
        "revision",
        "productId",
        "variantId",
        "locationId",
        "trackQuantity",
        "quantity",
    } <= set(item)
    assert {"variantName", "variantSku"} <= set(item["product"]) or "variantName" in item["product"]
    result = wix.post(
        "/stores/v3/bulk/inventory-items/update",
        {
            "inventoryItems": [
                {
                    "inventoryItem": {
                        "id": item["id"],
                        "revision": item["revision"],
                        "trackQuantity": True,
                        "quantity": 10,
                    }
                },
                {"inventoryItem": {"id": items[1]["id"], "revision": "99", "quantity": 10}},
            ],
            "returnEntity": True,
            "reason": "MANUAL",
        },
    ).json()
    assert result["bulkActionMetadata"] == {
        "totalSuccesses": 1,
        "totalFailures": 1,
        "undetailedFailures": 0,
    }
    assert result["results"][0]["item"]["quantity"] == 10
    assert result["results"][1]["itemMetadata"]["success"] is False


def test_order_has_the_fields_of_the_order_object(connect, sandbox):
    wix = connect("V3_CATALOG")
    product = sandbox.add_product(
        wix.site["id"], name="Tee", price="66", options={"Size": ["S"]}, skus={"S": "TEE-S"}
    )
    placed = sandbox.place_order(
        wix.site["id"], lines=[{"productId": product["id"], "quantity": 2}], buyerNote="gift"
    )
    order = wix.get(f"/ecom/v1/orders/{placed['id']}").json()["order"]
    assert GUID.match(order["id"]) and order["number"].isdigit()
    assert ISO.match(order["createdDate"]) and ISO.match(order["updatedDate"])
    assert order["status"] == "APPROVED" and order["paymentStatus"] == "PAID"
    assert order["fulfillmentStatus"] == "NOT_FULFILLED"
    assert {"contactId", "email"} <= set(order["buyerInfo"])
    assert {"address", "contactDetails"} <= set(order["billingInfo"])
    assert "shippingDestination" in order["shippingInfo"]["logistics"]
    for key in ("subtotal", "shipping", "tax", "discount", "total"):
        assert DECIMAL.match(order["priceSummary"][key]["amount"]), key
        assert order["priceSummary"][key]["formattedAmount"]
    assert order["priceSummary"]["subtotal"]["amount"] == "132.00"
    line = order["lineItems"][0]
    assert line["productName"]["original"] == "Tee" and line["quantity"] == 2
    reference = line["catalogReference"]
    assert reference["catalogItemId"] == product["id"]
    assert reference["appId"] == "215238eb-22a5-4c36-9e7b-e7c08025e04e"
    assert "variantId" in reference["options"]
    assert line["physicalProperties"]["sku"] == "TEE-S"
    assert order["channelInfo"]["type"] and order["buyerNote"] == "gift"
    assert order["archived"] is False
    assert no_nulls(order)


def test_v1_unmanaged_variant_line_references_options(connect, sandbox):
    wix = connect("V1_CATALOG")
    product = sandbox.add_product(
        wix.site["id"],
        name="Tee",
        price=5,
        sku="TEE",
        options={"Size": ["S", "M"]},
        manageVariants=False,
    )
    order = sandbox.place_order(
        wix.site["id"], lines=[{"productId": product["id"], "choices": {"Size": "M"}}]
    )
    reference = order["lineItems"][0]["catalogReference"]
    assert reference["options"] == {"options": {"Size": "M"}}
    assert order["lineItems"][0]["physicalProperties"]["sku"] == "TEE"


def test_pickup_order_carries_pickup_details(connect, sandbox):
    wix = connect()
    sandbox.add_product(wix.site["id"], name="Tee", price=5)
    order = sandbox.place_order(wix.site["id"], pickup=True, pickupMethod="PICKUP_POINT")
    logistics = order["shippingInfo"]["logistics"]
    assert logistics["pickupDetails"]["pickupMethod"] == "PICKUP_POINT"
    assert "shippingDestination" not in logistics


def test_create_fulfillment_with_known_provider_generates_link(connect, sandbox):
    wix = connect()
    sandbox.add_product(wix.site["id"], name="Tee", price=5)
    order = sandbox.place_order(wix.site["id"])
    line = order["lineItems"][0]
    response = wix.post(
        f"/ecom/v1/fulfillments/orders/{order['id']}/create-fulfillment",
        {
            "fulfillment": {
                "lineItems": [{"id": line["id"], "quantity": 1}],
                "trackingInfo": {"trackingNumber": "1Z999", "shippingProvider": "ups"},
            }
        },
    )
    assert response.status_code == 200
    body = response.json()
    assert body["orderWithFulfillments"]["orderId"] == order["id"]
    fulfillment = body["orderWithFulfillments"]["fulfillments"][0]
    assert fulfillment["id"] == body["fulfillmentId"]
    assert fulfillment["trackingInfo"]["trackingLink"].startswith("https://www.ups.com/")
    after = wix.get(f"/ecom/v1/orders/{order['id']}").json()["order"]
    assert after["fulfillmentStatus"] == "FULFILLED"
    assert after["updatedDate"] > order["updatedDate"]
    listed = wix.get(f"/ecom/v1/fulfillments/orders/{order['id']}").json()
    assert listed["orderWithFulfillments"]["fulfillments"][0]["id"] == body["fulfillmentId"]


def test_fulfillment_rules(connect, sandbox):
    wix = connect()
    sandbox.add_product(wix.site["id"], name="Tee", price=5)
    order = sandbox.place_order(wix.site["id"])
    line_id = order["lineItems"][0]["id"]
    path = f"/ecom/v1/fulfillments/orders/{order['id']}/create-fulfillment"

    def fulfil(tracking: dict, quantity: int = 1):
        body = {
            "fulfillment": {
                "lineItems": [{"id": line_id, "quantity": quantity}],
                "trackingInfo": tracking,
            }
        }
        return wix.post(path, body)

    custom = fulfil({"trackingNumber": "A1", "shippingProvider": "Acme Post"})
    assert custom.status_code == 400  # custom providers must send trackingLink
    assert (
        fulfil({"trackingNumber": "A1", "shippingProvider": "usps"}, quantity=2).status_code == 400
    )
    pending = sandbox.place_order(wix.site["id"], status="PENDING")
    sandbox.config(fulfillment_requires_approved=True)  # §8's rule, configurable (§10)
    response = wix.post(
        f"/ecom/v1/fulfillments/orders/{pending['id']}/create-fulfillment",
        {"fulfillment": {"lineItems": [{"id": pending["lineItems"][0]["id"]}]}},
    )
    assert response.status_code == 400  # only APPROVED orders
    assert fulfil({"trackingNumber": "A1", "shippingProvider": "usps"}).status_code == 200


def test_duplicate_tracking_number_is_rejected(connect, sandbox):
    wix = connect()
    sandbox.add_product(wix.site["id"], name="Tee", price=5)
    order = sandbox.place_order(
        wix.site["id"],
        lines=[{"productId": sandbox.products(wix.site["id"])[0]["id"], "quantity": 2}],
    )
    line_id = order["lineItems"][0]["id"]
    path = f"/ecom/v1/fulfillments/orders/{order['id']}/create-fulfillment"
    body = {
        "fulfillment": {
            "lineItems": [{"id": line_id, "quantity": 1}],
            "trackingInfo": {"trackingNumber": "T1", "shippingProvider": "dhl"},
        }
    }
    assert wix.post(path, body).status_code == 200
    again = wix.post(path, body)
    assert again.status_code == 409
    assert again.json()["details"]["applicationError"]["code"] == "TRACKING_NUMBER_ALREADY_EXISTS"
    assert (
        wix.get(f"/ecom/v1/orders/{order['id']}").json()["order"]["fulfillmentStatus"]
        == "PARTIALLY_FULFILLED"
    )


def test_unknown_order_is_404_with_application_error(connect):
    wix = connect()
    response = wix.get("/ecom/v1/orders/00000000-0000-4000-8000-000000000000")
    assert response.status_code == 404
    assert response.json()["details"]["applicationError"]["code"]


def test_missing_scope_is_403(connect):
    wix = connect(permissions=["SCOPE.DC-STORES.READ-PRODUCTS"])
    response = wix.post("/ecom/v1/orders/search", {"search": {}})
    assert response.status_code == 403
    assert response.json()["details"]["applicationError"]["code"] == "PERMISSION_DENIED"

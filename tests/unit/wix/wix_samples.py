"""Payloads shaped exactly as wix-api.md describes them (one per sample there)."""

from __future__ import annotations

import copy

STORES_APP_ID = "215238eb-22a5-4c36-9e7b-e7c08025e04e"


def money(amount: str) -> dict:
    return {"amount": amount, "formattedAmount": f"${amount}"}


ADDRESS = {
    "country": "US",
    "subdivision": "US-NY",
    "city": "New York",
    "postalCode": "10001",
    "addressLine1": "5 Main St",
    "addressLine2": "Apt 3",
    "countryFullname": "United States",
}
CONTACT = {"firstName": "Ada", "lastName": "Lovelace", "phone": "+1 555 0100", "company": "AE"}

ORDER = {
    "id": "6a1f0a3e-1b2c-4d5e-8f90-0123456789ab",
    "number": "10042",
    "createdDate": "2025-02-01T10:00:00.000Z",
    "updatedDate": "2025-02-01T10:05:30.123Z",
    "status": "APPROVED",
    "paymentStatus": "PAID",
    "fulfillmentStatus": "NOT_FULFILLED",
    "currency": "USD",
    "weightUnit": "KG",
    "buyerInfo": {"contactId": "c-1", "email": "ada@example.com", "visitorId": "v-1"},
    "billingInfo": {"address": ADDRESS, "contactDetails": CONTACT},
    "recipientInfo": {"address": ADDRESS, "contactDetails": CONTACT},
    "shippingInfo": {
        "code": "std",
        "title": "Standard Shipping",
        "cost": {"price": money("10.00")},
        "logistics": {
            "shippingDestination": {"address": ADDRESS, "contactDetails": CONTACT},
            "deliveryTime": "3-5 days",
        },
    },
    "priceSummary": {
        "subtotal": money("132.00"),
        "shipping": money("10.00"),
        "tax": money("11.88"),
        "discount": money("5.00"),
        "total": money("148.88"),
    },
    "lineItems": [
        {
            "id": "li-1",
            "productName": {"original": "T-shirt", "translated": "T-shirt"},
            "quantity": 2,
            "price": money("50.00"),
            "catalogReference": {
                "catalogItemId": "prod-1",
                "appId": STORES_APP_ID,
                "options": {"variantId": "00000000-0000-0020-0005-ad9cdc10d3b8"},
            },
            "physicalProperties": {"sku": "TS-S-BLUE", "weight": 0.2, "shippable": True},
            "descriptionLines": [],
        },
        {
            "id": "li-2",
            "productName": {"original": "Mug"},
            "quantity": 1,
            "price": money("32.00"),
            "catalogReference": {
                "catalogItemId": "prod-2",
                "appId": STORES_APP_ID,
                "options": {"options": {"Size": "L", "Color": "Red"}},
            },
            "physicalProperties": {"sku": "MUG-L", "shippable": True},
        },
    ],
    "channelInfo": {"type": "WEB"},
    "archived": False,
    "buyerNote": "Leave at the door",
    "someFutureField": {"ignored": True},
}


def order(**changes) -> dict:
    o = copy.deepcopy(ORDER)
    o.update(changes)
    return o


def pickup_order() -> dict:
    o = order(id="pick-1", number="10043")
    o["shippingInfo"]["title"] = "Store pickup"
    o["shippingInfo"]["logistics"] = {
        "pickupDetails": {
            "address": {**ADDRESS, "city": "Brooklyn"},
            "pickupMethod": "STORE_PICKUP",
        }
    }
    return o


PRODUCT_V1 = {
    "id": "prod-1",
    "name": "T-shirt",
    "slug": "t-shirt",
    "visible": True,
    "productType": "physical",
    "priceData": {"currency": "USD", "price": 25.5},
    "stock": {
        "trackInventory": True,
        "quantity": 7,
        "inStock": True,
        "inventoryStatus": "IN_STOCK",
    },
    "manageVariants": True,
    "productOptions": [
        {
            "name": "Size",
            "optionType": "drop_down",
            "choices": [
                {"value": "S", "description": "S", "inStock": True, "visible": True},
                {"value": "M", "description": "M", "inStock": True, "visible": True},
            ],
        },
        {
            "name": "Color",
            "optionType": "color",
            # a colour's value is its hex code; variants name it by description (§10)
            "choices": [{"value": "#00f", "description": "Blue", "inStock": True, "visible": True}],
        },
    ],
    "variants": [
        {
            "id": "00000000-0000-0020-0005-ad9cdc10d3b8",
            "choices": {"Size": "S", "Color": "Blue"},
            "variant": {
                "priceData": {"currency": "USD", "price": 25.5},
                "weight": 0.2,
                "sku": "TS-S-BLUE",
                "visible": True,
            },
            "stock": {"trackQuantity": True, "quantity": 3, "inStock": True},
        },
        {
            "id": "00000000-0000-0021-0005-ad9cdc10d3b8",
            "choices": {"Size": "M", "Color": "Blue"},
            "variant": {"priceData": {"currency": "USD", "price": 27}, "visible": True},
            "stock": {"trackQuantity": True, "quantity": 4, "inStock": True},
        },
    ],
    "numericId": "1700000000000001",
    "lastUpdated": "2025-02-01T10:00:00.000Z",
}

PRODUCT_V1_SIMPLE = {
    "id": "prod-2",
    "name": "Mug",
    "visible": True,
    "productType": "physical",
    "sku": "MUG",
    "priceData": {"currency": "USD", "price": 9.99},
    "manageVariants": False,
    "productOptions": [],
    "variants": [
        {
            "id": "00000000-0000-0000-0000-000000000000",
            "choices": {},
            "variant": {"priceData": {"currency": "USD", "price": 9.99}, "visible": True},
            "stock": {"trackQuantity": False, "inStock": True},
        },
    ],
    "numericId": "1700000000000002",
}


def v3_choice(option: str, choice: str) -> dict:
    """A variant's choice as Get Product returns it with fields=VARIANT_OPTION_CHOICE_NAMES."""
    return {
        "optionChoiceIds": {"optionId": f"opt-{option}", "choiceId": f"ch-{choice}"},
        "optionChoiceNames": {
            "optionName": option,
            "choiceName": choice,
            "renderType": "TEXT_CHOICES",
        },
    }


PRODUCT_V3 = {
    "id": "p3-1",
    "revision": "4",
    "name": "Hoodie",
    "slug": "hoodie",
    "visible": True,
    "productType": "PHYSICAL",
    "options": [
        {
            "id": "opt-Size",
            "name": "Size",
            "optionRenderType": "TEXT_CHOICES",
            "choicesSettings": {
                "choices": [
                    {"choiceId": "ch-S", "choiceType": "CHOICE_TEXT", "name": "S"},
                    {"choiceId": "ch-M", "choiceType": "CHOICE_TEXT", "name": "M"},
                ]
            },
        },
    ],
    "variantsInfo": {
        "variants": [
            {
                "id": "v3-s",
                "sku": "HD-S",
                "visible": True,
                "choices": [v3_choice("Size", "S")],
                "price": {"actualPrice": {"amount": "129.99"}},
            },
            {
                "id": "v3-m",
                "visible": False,
                "choices": [v3_choice("Size", "M")],
                "price": {"actualPrice": {"amount": "139.99"}},
            },
        ]
    },
    "variantSummary": {"variantCount": 2},
}

INVENTORY_ITEM_V3 = {
    "id": "inv-1",
    "revision": "2",
    "productId": "p3-1",
    "variantId": "v3-s",
    "locationId": "loc-default",
    "trackQuantity": True,
    "quantity": 5,
    "product": {"variantName": "S", "variantSku": "HD-S"},
}

INVENTORY_ITEM_V1 = {
    "id": "prod-1",
    "externalId": "prod-1",
    "productId": "prod-1",
    "trackQuantity": True,
    "variants": [
        {"variantId": "00000000-0000-0020-0005-ad9cdc10d3b8", "inStock": True, "quantity": 3}
    ],
    "lastUpdated": "2025-02-01T10:00:00.000Z",
    "numericId": "12",
}

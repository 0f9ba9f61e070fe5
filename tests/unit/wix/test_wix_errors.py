"""Every Wix error status maps to its typed error, carrying code, description and a message."""

from __future__ import annotations

import pytest

from tests.unit.wix.conftest import BASE
from wixoms.wix import (
    InvalidSignedInstance,
    ReconnectRequired,
    WixAuthError,
    WixConflict,
    WixError,
    WixNotFound,
    WixPayloadError,
    WixPermissionError,
    WixPreconditionFailed,
    WixRateLimited,
    WixServerError,
    WixUnavailable,
    WixValidationError,
)
from wixoms.wix.errors import error_from_response

APP_ERROR = {
    "message": "Order not found",
    "details": {
        "applicationError": {"code": "NOT_FOUND", "description": "no such order", "data": {}}
    },
}
VALIDATION_ERROR = {
    "message": "invalid request",
    "details": {
        "validationError": {
            "fieldViolations": [
                {
                    "field": "product.name",
                    "description": "must not be empty",
                    "violatedRule": "REQUIRED_FIELD",
                    "ruleName": "",
                    "data": {},
                }
            ]
        }
    },
}


@pytest.mark.parametrize(
    ("status", "cls"),
    [
        (400, WixValidationError),
        (401, WixAuthError),
        (403, WixPermissionError),
        (404, WixNotFound),
        (409, WixConflict),
        (428, WixPreconditionFailed),
        (429, WixRateLimited),
        (500, WixServerError),
        (501, WixServerError),
        (503, WixServerError),
        (504, WixServerError),
        (418, WixError),
    ],
)
def test_each_status_maps_to_its_error_through_the_client(mocked, make_client, status, cls):
    body = {} if status >= 500 else APP_ERROR
    mocked.get(f"{BASE}/ecom/v1/orders/o-1", json=body, status=status)
    # A 401 is answered by one token renewal and one repeat, which fails the same way.
    mocked.post(f"{BASE}/oauth2/token", json={"access_token": "tok-2", "expires_in": 14400})
    client = make_client(retry=None) if status not in (429, 500, 501, 503, 504) else make_client()
    with pytest.raises(cls) as info:
        client.orders.get("o-1")
    err = info.value
    assert type(err) is cls
    assert err.status == status
    assert err.user_message and "Wix" in err.user_message
    if status < 500:
        assert err.code == "NOT_FOUND"
        assert err.description == "no such order"


def test_application_error_body_gives_code_description_and_message():
    err = error_from_response(404, APP_ERROR)
    assert (err.code, err.description, err.message) == (
        "NOT_FOUND",
        "no such order",
        "Order not found",
    )
    assert "NOT_FOUND" in str(err)


def test_validation_error_names_the_field_for_the_merchant():
    err = error_from_response(400, VALIDATION_ERROR)
    assert isinstance(err, WixValidationError)
    assert err.field_violations[0]["field"] == "product.name"
    assert "product.name: must not be empty" in err.user_message


def test_server_error_with_empty_body_still_has_a_message():
    err = error_from_response(503, None)
    assert isinstance(err, WixServerError)
    assert err.code is None
    assert "503" in err.user_message


def test_oauth_style_error_body_is_read():
    err = error_from_response(400, {"error": "invalid_grant", "error_description": "revoked"})
    assert (err.code, err.description) == ("invalid_grant", "revoked")


def test_rate_limited_carries_retry_after():
    err = error_from_response(429, {"message": "Resource exhausted"}, retry_after=7.0)
    assert isinstance(err, WixRateLimited)
    assert err.retry_after == 7.0


def test_reconnect_required_says_to_reconnect():
    err = ReconnectRequired("revoked", status=400, code="invalid_grant")
    assert isinstance(err, WixAuthError)
    assert (
        err.user_message == "Wix rejected the token: the app was removed from the site. Reconnect."
    )


@pytest.mark.parametrize(
    "err",
    [
        WixUnavailable("timeout"),
        InvalidSignedInstance("forged"),
        WixPayloadError("order[1].number"),
        WixPermissionError("no scope", description="SCOPE.ECOM.ORDERS"),
    ],
)
def test_every_error_has_a_merchant_message(err):
    assert err.user_message.endswith(".")
    assert len(err.user_message) > 20


def test_payload_error_names_the_missing_field():
    err = WixPayloadError("order[o-1].number")
    assert err.field == "order[o-1].number"
    assert "order[o-1].number is missing" in err.user_message


def test_a_sku_used_by_another_wix_product_says_so():
    """products-v-3 typings: SKU_ALREADY_EXIST_ERROR (SKUs are unique in the store)."""
    body = {
        "message": "SKU A already exists in this store",
        "details": {"applicationError": {"code": "SKU_ALREADY_EXIST_ERROR", "description": "A"}},
    }
    err = error_from_response(409, body)
    assert isinstance(err, WixConflict)
    assert "already uses this SKU" in err.user_message and "Change the SKU" in err.user_message

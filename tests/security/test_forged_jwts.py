"""Forged Wix app webhooks (JWTs) at /hooks: refused with 401 and nothing stored.

Wix signs app webhooks RS256 with the app's private key (wix-api.md §3); wixoms holds the
public key. An expired but genuine JWT is accepted on purpose (Wix retries with the token it
signed first) and a replay of it is stored once.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time

import jwt
import pytest

from tests.integration.webhooks.webhook_world import INSTANCE_ID, app_jwt, order_event

ORDER_ID = "0b7c1a7e-2222-4a3b-9c1d-000000000002"
EVENT_TYPE = "wix.ecom.v1.order_created"


def _b64(data: bytes) -> bytes:
    return base64.urlsafe_b64encode(data).rstrip(b"=")


def _claims(instance_id: str = INSTANCE_ID, ttl_s: int = 300) -> dict:
    envelope = {
        "eventType": EVENT_TYPE,
        "instanceId": instance_id,
        "data": json.dumps(order_event(ORDER_ID)),
    }
    now = int(time.time())
    return {"data": json.dumps(envelope), "iat": now, "exp": now + ttl_s}


def _post(hooks, body: bytes):
    # Wix sends no CSRF token; /hooks is exempt, so the suite posts as Wix does.
    client = hooks.app.test_client()
    return client.post(
        hooks.url(hooks.app_token), data=body, headers={"Content-Type": "text/plain"}
    )


def _alg_none() -> bytes:
    header = _b64(json.dumps({"alg": "none", "typ": "JWT"}).encode())
    return header + b"." + _b64(json.dumps(_claims()).encode()) + b"."


def _hs256_with_the_public_key(public_pem: str) -> bytes:
    """Algorithm confusion: the public key (known to anyone) used as an HMAC secret."""
    header = _b64(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
    payload = _b64(json.dumps(_claims()).encode())
    signature = hmac.new(public_pem.encode(), header + b"." + payload, hashlib.sha256).digest()
    return header + b"." + payload + b"." + _b64(signature)


def _tampered(app_keys) -> bytes:
    """A genuine JWT whose payload was swapped for another order's after signing."""
    header, _, signature = app_jwt(app_keys, EVENT_TYPE, order_event(ORDER_ID)).split(b".")
    other = _claims()
    other["data"] = other["data"].replace(ORDER_ID, "0b7c1a7e-9999-4a3b-9c1d-000000000009")
    return header + b"." + _b64(json.dumps(other).encode()) + b"." + signature


FORGERIES = {
    "alg none": lambda keys, stranger: _alg_none(),
    "HS256 with the public key": lambda keys, stranger: _hs256_with_the_public_key(keys.public_pem),
    "signed by another key": lambda keys, stranger: app_jwt(
        stranger, EVENT_TYPE, order_event(ORDER_ID)
    ),
    "expired and signed by another key": lambda keys, stranger: jwt.encode(
        _claims(ttl_s=-3600), stranger.private_pem, algorithm="RS256"
    ).encode(),
    "payload tampered after signing": lambda keys, stranger: _tampered(keys),
    "PS256 (not Wix's algorithm)": lambda keys, stranger: jwt.encode(
        _claims(), keys.private_pem, algorithm="PS256"
    ).encode(),
    "no signature part": lambda keys, stranger: b".".join(
        app_jwt(keys, EVENT_TYPE, order_event(ORDER_ID)).split(b".")[:2]
    ),
}


@pytest.mark.parametrize("forgery", FORGERIES)
def test_a_forged_jwt_is_refused_and_nothing_is_stored(hooks, app_keys, stranger_keys, forgery):
    before = hooks.snapshot()
    response = _post(hooks, FORGERIES[forgery](app_keys, stranger_keys))
    assert response.status_code == 401, response.get_data(as_text=True)
    assert response.get_json()["error"]["code"] == "BAD_SIGNATURE"
    assert hooks.snapshot() == before


def test_a_genuine_jwt_for_another_app_instance_is_refused(hooks, app_keys):
    before = hooks.snapshot()
    body = app_jwt(app_keys, EVENT_TYPE, order_event(ORDER_ID), instance_id="someone-elses")
    response = _post(hooks, body)
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "WRONG_INSTANCE"
    assert hooks.snapshot() == before


def test_an_expired_genuine_jwt_is_accepted_once_and_its_replay_is_a_duplicate(hooks, app_keys):
    body = app_jwt(app_keys, EVENT_TYPE, order_event(ORDER_ID), ttl_s=-3600)
    first, replay = _post(hooks, body), _post(hooks, body)
    assert first.status_code == 200 and first.get_json()["duplicate"] is False
    assert replay.status_code == 200 and replay.get_json()["duplicate"] is True
    assert len(hooks.events()) == 1

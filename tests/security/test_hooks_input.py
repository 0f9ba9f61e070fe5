"""/hooks/<token> under hostile input: every refusal is a 4xx with a stable code, nothing stored.

Wix retries a 5xx for hours, so a 500 here turns one bad request into a stream of them.
"""

from __future__ import annotations

import base64
import json

import jwt
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.integration.webhooks.webhook_world import app_jwt, order_event

ORDER_ID = "0b7c1a7e-1111-4a3b-9c1d-000000000001"
DEPTH = 100_000


def _post(hooks, token: str, body: bytes, content_type: str = "application/json"):
    # Wix sends no CSRF token; /hooks is exempt, so the suite posts as Wix does.
    client = hooks.app.test_client()
    return client.post(hooks.url(token), data=body, headers={"Content-Type": content_type})


def _refused(response, status: int, code: str) -> None:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.get_json()["error"]["code"] == code


def test_deeply_nested_json_is_a_400_not_a_500(hooks):
    before = hooks.snapshot()
    body = b'{"data": ' + b"[" * DEPTH + b"]" * DEPTH + b"}"
    _refused(_post(hooks, hooks.automation_token, body), 400, "TOO_DEEP")
    assert hooks.snapshot() == before


def test_nesting_below_the_recursion_limit_but_absurd_is_refused_too(hooks):
    body = b'{"id": "%s", "x": ' % ORDER_ID.encode() + b"[" * 200 + b"]" * 200 + b"}"
    _refused(_post(hooks, hooks.automation_token, body), 400, "TOO_DEEP")


def test_deeply_nested_jwt_header_is_refused_not_a_500(hooks):
    header = base64.urlsafe_b64encode(b"[" * DEPTH + b"]" * DEPTH).rstrip(b"=")
    body = header + b".e30.c2ln"
    response = _post(hooks, hooks.app_token, body, "text/plain")
    assert response.status_code in (400, 401), response.get_data(as_text=True)


def test_deeply_nested_event_inside_a_signed_jwt_is_a_400(hooks, app_keys):
    envelope = {
        "eventType": "wix.ecom.v1.order_created",
        "instanceId": "ignored",
        "data": "[" * DEPTH + "]" * DEPTH,
    }
    claims = {"data": json.dumps(envelope)}
    body = jwt.encode(claims, app_keys.private_pem, algorithm="RS256").encode()
    _refused(_post(hooks, hooks.app_token, body, "text/plain"), 400, "BAD_PAYLOAD")


def test_a_normal_event_is_still_accepted(hooks, app_keys):
    body = app_jwt(app_keys, "wix.ecom.v1.order_created", order_event(ORDER_ID))
    response = _post(hooks, hooks.app_token, body, "text/plain")
    assert response.status_code == 200, response.get_data(as_text=True)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20,
)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    payload=st.dictionaries(
        st.sampled_from(["id", "orderId", "_id", "data", "siteId", "instanceId", "number", "x"]),
        json_values,
        max_size=6,
    ),
    content_type=st.sampled_from(["application/json", "text/plain", "application/x+json", ""]),
)
def test_fuzzed_automation_bodies_never_answer_500(hooks, payload, content_type):
    response = _post(hooks, hooks.automation_token, json.dumps(payload).encode(), content_type)
    assert response.status_code < 500, response.get_data(as_text=True)
    assert response.is_json


@settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(body=st.binary(max_size=300), token=st.text(max_size=60))
def test_fuzzed_bytes_and_tokens_never_answer_500(hooks, body, token):
    client = hooks.app.test_client()
    for url, kind in (
        (hooks.url(hooks.app_token), "text/plain"),
        ("/hooks/" + token, "application/json"),
    ):
        response = client.post(url, data=body, headers={"Content-Type": kind})
        assert response.status_code < 500, (url, response.get_data(as_text=True))


def test_an_order_id_that_walks_up_the_api_path_is_refused(hooks):
    before = hooks.snapshot()
    body = json.dumps({"data": {"order": {"id": "../../../_sandbox/config"}}}).encode()
    _refused(_post(hooks, hooks.automation_token, body), 400, "BAD_ENTITY_ID")
    assert hooks.snapshot() == before


def test_a_signed_app_event_with_a_traversal_entity_id_is_refused(hooks, app_keys):
    event = order_event("../../../_sandbox/config")
    body = app_jwt(app_keys, "wix.ecom.v1.order_created", event)
    _refused(_post(hooks, hooks.app_token, body, "text/plain"), 400, "BAD_ENTITY_ID")


@pytest.mark.parametrize("token", ["%00", "a%00b", "%C3%A9" * 10, "x" * 65, "a%20b"])
def test_a_token_no_endpoint_could_have_is_a_404_on_every_database(hooks, token):
    """PostgreSQL refuses NUL in text: the token must not reach the query (it answered 500)."""
    response = hooks.app.test_client().post(f"/hooks/{token}", data=b"{}")
    _refused(response, 404, "UNKNOWN_ENDPOINT")

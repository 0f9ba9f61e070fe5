"""Every route × anonymous, an operator of the account, and another account's admin (CSRF on).

Acme owns one object of every kind; its URLs are tried by each role with a hostile form. No
answer is a 500, nothing of Acme's changes unless an Acme admin asks, and each role gets the
answer its rights allow.
"""

from __future__ import annotations

from tests.security.conftest import HOSTILE_FORM, fingerprint, login
from tests.security.routes import OPERATOR_POSTS, PUBLIC

# Routes whose arguments are not Acme objects: the visitor sees their own (empty) things.
# Pages that are an editing form (an operator gets 403 there, as on their POST).
EDIT_FORMS = ("edit", "create", "delete", "webhook_new", "sku_picks", "warehouse_locations")
NOT_ACME = {
    "wizard.frame",
    "wizard.step",
    "wizard.submit",
}


def _no_crash(response) -> bool:
    """Below 500, or /hooks/wix's deliberate 503 before a Wix public key is configured (Wix
    retries it later)."""
    return response.status_code < 500 or (
        response.status_code == 503 and b"PUBLIC_KEY_MISSING" in response.data
    )


def _send(client, route):
    if route.method == "POST":
        response = client.post(route.url, data=HOSTILE_FORM)
    else:
        response = client.get(route.url)
    response.get_data()
    response.close()  # a streamed answer (CSV) ends its request here, not mid-next-request
    return response


def test_anonymous_visitors_reach_only_the_public_routes(app, client, routes):
    before = fingerprint(app)
    seen = {}
    for route in routes:
        response = _send(client, route)
        seen[str(route)] = response.status_code
        if route.endpoint in PUBLIC:
            assert _no_crash(response), route
        else:
            assert response.status_code == 302, route
            assert response.location.startswith("/login"), route
    assert fingerprint(app) == before
    assert len(seen) >= 70


def test_another_accounts_admin_gets_404_for_every_acme_object(app, client, world, routes):
    login(client, world.other.email)
    before = fingerprint(app)
    checked = 0
    for route in routes:
        if route.endpoint == "auth.logout":
            continue  # would end the sweep; logout is covered by the session tests
        response = _send(client, route)
        assert _no_crash(response), (route, response.data[:400])
        if route.endpoint in PUBLIC or route.endpoint in NOT_ACME or "<" in route.url:
            continue
        if any(part.isdigit() for part in route.url.split("/")):
            assert response.status_code == 404, (route, response.status_code)
            assert b"Victim" not in response.data, route
            checked += 1
    assert fingerprint(app) == before
    assert checked >= 45


def test_an_operator_views_but_changes_nothing(app, client, world, routes):
    login(client, world.operator.email)
    before = fingerprint(app)
    for route in routes:
        if route.endpoint in {"auth.logout"}:
            continue  # would end the sweep; logout is covered by the session tests
        response = _send(client, route)
        assert _no_crash(response), (route, response.data[:400])
        if route.method == "GET" and not route.endpoint.endswith(EDIT_FORMS):
            assert response.status_code != 403, (route, "an operator may look")
        if route.changes and route.endpoint not in OPERATOR_POSTS | PUBLIC | NOT_ACME:
            assert response.status_code in (403, 400, 404), (route, response.status_code)
    assert fingerprint(app) == before

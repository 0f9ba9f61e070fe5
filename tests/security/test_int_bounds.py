"""Overflow: ids and whole numbers no column can hold are a 404 or a 400, never a 500.

SQLite's integers end at 2^63, PostgreSQL's at 2^31; Python parses 5000 digits only with
an error. Every <int:> route and every int parameter is tried with each.
"""

from __future__ import annotations

import re

import pytest

from tests.integration.views.builders import add_order
from tests.security.conftest import HOSTILE_FORM, fingerprint, login

HUGE = [str(2**31), str(2**63), str(2**64 + 1), "9" * 5000]
INT_ARG = re.compile(r"<int:(\w+)>")


def _int_routes(app):
    for rule in app.url_map.iter_rules():
        if INT_ARG.search(rule.rule):
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                yield method, rule.rule


@pytest.mark.parametrize("huge", HUGE, ids=["2^31", "2^63", "2^64+1", "5000 digits"])
def test_every_int_route_answers_404_to_an_id_no_column_holds(app, client, world, victim, huge):
    login(client, world.admin.email)
    before = fingerprint(app)
    tried = 0
    for method, rule in _int_routes(app):
        url = INT_ARG.sub(huge, rule)
        url = re.sub(r"<(\w+:)?\w+>", "x", url)
        response = client.open(url, method=method, data=HOSTILE_FORM)
        assert response.status_code in (404, 405), (method, url[:80], response.status_code)
        tried += 1
    assert tried >= 50
    assert fingerprint(app) == before


@pytest.mark.parametrize("huge", HUGE, ids=["2^31", "2^63", "2^64+1", "5000 digits"])
def test_int_parameters_never_answer_500(app, client, world, victim, huge):
    login(client, world.admin.email)
    channel = victim["values"]["channel_id"]
    gets = [
        f"/channels/{channel}/sync/progress?runs={huge},1",
        f"/channels/{channel}/sync-log?before={huge}",
        f"/orders/?new_after={huge}",
        f"/orders/?after={huge}.{huge}",
        f"/products/?after={huge}",
        f"/inventory/?warehouse={huge}",
        f"/wizard/?reconnect={huge}",
    ]
    for url in gets:
        response = client.get(url, headers={"HX-Request": "true"})
        assert response.status_code in (200, 404), (url[:80], response.status_code)
    posts = [
        ("/account", {"account_id": huge}),
        ("/orders/release", {"order_id": huge}),
        ("/wizard/connect", {"reconnect": huge}),
        (f"/channels/{channel}", {"version": huge, "stock_buffer": huge}),
    ]
    for url, data in posts:
        response = client.post(url, data=data)
        assert 300 <= response.status_code < 500, (url, response.status_code)


def test_a_5000_digit_quantity_is_refused_with_a_message(app, client, world, victim):
    login(client, world.admin.email)
    order = add_order(app, world.acme.id, "V-2", lines=[("VIC-1", 2)])
    page = client.get(f"/orders/{order}").get_data(as_text=True)
    line = re.search(r'name="qty-(\d+)"', page).group(1)
    before = fingerprint(app)
    response = client.post(
        f"/orders/{order}/shipments",
        data={
            f"qty-{line}": "9" * 5000,
            "tracking_number": "1Z",
            "carrier_id": str(victim["values"]["carrier_id"]),
        },
    )
    assert 400 <= response.status_code < 500
    assert "left to ship" in response.get_data(as_text=True)
    assert fingerprint(app) == before

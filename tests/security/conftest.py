"""The security suite's world: Acme (the victim) with one object of every kind and its users;
the webhook world (a channel with its /hooks endpoints) and the merchant's world are reused."""

from __future__ import annotations

import hashlib

import pytest
from sqlalchemy import text

from tests.browser.merchant_world import merchant  # noqa: F401
from tests.fixtures.app import PASSWORD
from tests.integration.webhooks.conftest import app_keys, hooks, stranger_keys  # noqa: F401
from tests.security.routes import all_routes, build_victim, mapping_ids_of
from wixoms.extensions import db

# Rows here change on any visit (leases, a visitor's own wizard), not Acme's data.
VOLATILE = {"leases", "wizard_sessions", "used_signed_instances", "login_attempts"}

# What a form post carries, so that a missing check would really change something.
HOSTILE_FORM = {
    "name": "Hijacked",
    "code": "HJK",
    "on_hand": "999",
    "reserved": "0",
    "kind": "all",
    "tracking_number": "1Z",
    "wix_sku": "HIJACK",
    "wix_shipping_title": "Hijacked",
    "variants-0-sku": "HIJACK",
    "variants-0-price": "1",
    "confirm": "y",
    "account_id": "1",
}


@pytest.fixture
def victim(app, world) -> dict:
    values = build_victim(app, world.acme.id)
    return {"values": values, "mappings": mapping_ids_of(app, values["channel_id"])}


@pytest.fixture
def routes(app, victim):
    return all_routes(app, victim["values"], victim["mappings"])


def fingerprint(app, account_id: int = 1) -> str:
    """A hash of the account's stored rows (its own, its channels', and the shared tables):
    equal before and after means nothing of the account changed."""
    digest = hashlib.sha256()
    with app.app_context():
        channels = "SELECT id FROM channels WHERE account_id = :a"
        for table in db.metadata.sorted_tables:
            if table.name in VOLATILE:
                continue
            where = ""
            if "account_id" in table.c:
                where = "WHERE account_id = :a"
            elif "channel_id" in table.c:
                where = f"WHERE channel_id IN ({channels})"
            sql = f'SELECT * FROM "{table.name}" {where} ORDER BY 1'
            rows = db.session.execute(text(sql), {"a": account_id}).all()
            digest.update(f"{table.name}:{rows!r}".encode())
        db.session.remove()
    return digest.hexdigest()


def login(client, email: str) -> None:
    response = client.post("/login", data={"email": email, "password": PASSWORD})
    assert response.status_code == 302, response.data[:300]

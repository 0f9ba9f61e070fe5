"""`flask wixoms seed-demo`: a demo world, a printed login, and safe to run twice."""

import re

from wixoms.demo import DEMO_EMAIL
from wixoms.extensions import db
from wixoms.models import (
    Account,
    Carrier,
    InventoryLevel,
    Membership,
    Order,
    Product,
    User,
    Variant,
    Warehouse,
)


def counts(app) -> dict[str, int]:
    with app.app_context():
        return {
            model.__name__: db.session.scalar(db.select(db.func.count()).select_from(model))
            for model in (
                Account,
                User,
                Membership,
                Warehouse,
                Product,
                Variant,
                InventoryLevel,
                Carrier,
                Order,
            )
        }


def seed(app, *args: str) -> tuple[str, str]:
    result = app.test_cli_runner().invoke(args=["wixoms", "seed-demo", *args])
    assert result.exit_code == 0, result.output
    found = re.search(r"Log in as (\S+) / (\S+)", result.output)
    assert found, result.output
    return found.group(1), found.group(2)


def test_seed_demo_prints_a_login_that_works(app, client):
    email, password = seed(app, "--password", "demo-pass-123")
    assert (email, password) == (DEMO_EMAIL, "demo-pass-123")
    response = client.post("/login", data={"email": email, "password": password})
    assert response.status_code == 302
    page = client.get("/").get_data(as_text=True)
    assert "Acme Outdoor" in page and "Globex Home" in page  # admin of both accounts


def test_seed_demo_builds_the_promised_world(app):
    seed(app, "--password", "demo-pass-123")
    n = counts(app)
    assert n["Account"] == 2 and n["Warehouse"] == 3 and n["Carrier"] == 8
    assert 45 <= n["Product"] <= 60 and n["Variant"] > n["Product"]
    assert n["InventoryLevel"] >= n["Variant"] and n["Order"] >= 6
    with app.app_context():
        codes = set(db.session.scalars(db.select(Carrier.code)))
        assert codes == {"ups", "usps", "fedex", "dhl"}
        products = db.session.scalars(db.select(Product)).all()
        assert any(p.has_variants for p in products) and any(not p.has_variants for p in products)
        assert all(len(p.variants) == 1 for p in products if not p.has_variants)
        user = db.session.scalar(db.select(User).where(User.email == DEMO_EMAIL))
        assert {m.role for m in user.memberships} == {"admin"} and len(user.memberships) == 2
        assert db.session.scalar(db.select(Order).where(Order.hold_reason.is_not(None)))


def test_seed_demo_twice_does_not_fail_or_duplicate(app, client):
    seed(app, "--password", "demo-pass-123")
    first = counts(app)
    email, password = seed(app)  # no password: a fresh random one
    assert counts(app) == first
    assert len(password) >= 8 and password != "demo-pass-123"
    response = client.post("/login", data={"email": email, "password": password})
    assert response.status_code == 302

"""The Wix dashboard pages a merchant clicks through in the demo, over real HTTP."""

from __future__ import annotations

import re

import pytest
import requests


@pytest.fixture
def site(sandbox):
    site = sandbox.create_site("Demo Shop", "V1_CATALOG")
    sandbox.add_product(site["id"], name="Tee", price=12, options={"Size": ["S", "M"]}, quantity=5)
    return site


@pytest.fixture
def page(sandbox_server):
    session = requests.Session()

    def go(method: str, path: str, **kw) -> requests.Response:
        return session.request(method, sandbox_server.url + path, timeout=10, **kw)

    return go


def test_home_lists_sites_and_app_market(page, site, sandbox):
    app = sandbox.register_app(name="wixoms")
    html = page("GET", "/").text
    assert "Demo Shop" in html and f"/app-market/{app['appId']}" in html


def test_products_page_shows_generated_variants(page, site):
    html = page("GET", f"/dashboard/{site['id']}/products").text
    assert "Tee" in html and "S ·" in html and "M ·" in html and "5 in stock" in html


def test_dashboard_product_form_creates_cartesian_variants(page, site, sandbox):
    response = page(
        "POST",
        f"/dashboard/{site['id']}/products",
        data={
            "name": "Cap",
            "price": "9.5",
            "options": "Size: S, M; Color: Red, Blue",
            "quantity": "2",
        },
    )
    assert response.status_code == 200 and "Product created." in response.text
    cap = next(p for p in sandbox.products(site["id"]) if p["name"] == "Cap")
    assert len(cap["variants"]) == 4


def test_place_test_order_form_places_order_and_fires_automation(
    page, site, sandbox, webhook_listener
):
    sandbox.add_automation(site["id"], webhook_listener.url)
    form = page("GET", f"/dashboard/{site['id']}/orders/new").text
    values = list(dict.fromkeys(re.findall(r"<option value=\"([^\"]+\|[^\"]+)\"", form)))
    assert len(values) == 2
    response = page(
        "POST",
        f"/dashboard/{site['id']}/orders/new",
        data={
            "item0": values[1],
            "qty0": "3",
            "delivery": "pickup",
            "pickupMethod": "STORE_PICKUP",
            "status": "APPROVED",
            "firstName": "Mia",
        },
    )
    assert response.status_code == 200 and "placed." in response.text
    [order] = sandbox.orders(site["id"])
    assert order["lineItems"][0]["quantity"] == 3
    assert order["shippingInfo"]["logistics"]["pickupDetails"]["pickupMethod"] == "STORE_PICKUP"
    [received] = webhook_listener.wait_for(1)
    assert received.json()["data"]["order"]["id"] == order["id"]
    product = sandbox.products(site["id"])[0]
    assert product["variants"][1]["stock"]["quantity"] == 2  # Wix deducts tracked stock


def test_place_order_without_items_is_422(page, site):
    response = page("POST", f"/dashboard/{site['id']}/orders/new", data={"status": "APPROVED"})
    assert response.status_code == 422 and "Choose at least one product" in response.text


def test_order_status_change_in_orders_list(page, site, sandbox):
    order = sandbox.place_order(site["id"], status="PENDING")
    listing = page("GET", f"/dashboard/{site['id']}/orders").text
    assert order["number"] in listing
    page(
        "POST",
        f"/dashboard/{site['id']}/orders/{order['id']}/status",
        data={"status": "APPROVED", "paymentStatus": "PAID"},
    )
    [after] = sandbox.orders(site["id"])
    assert after["status"] == "APPROVED" and after["paymentStatus"] == "PAID"


def test_automation_steps_of_the_seed_guide(page, site, sandbox, webhook_listener):
    base = f"/dashboard/{site['id']}/automations"
    assert "Create Automation" in page("GET", base).text
    start = page("GET", f"{base}/new").text
    assert "Start from Scratch" in start
    assert "Order placed" in page("GET", f"{base}/new?step=trigger").text
    assert 'aria-label="Add an action"' in page("GET", f"{base}/new?step=add_action").text
    assert "Send HTTP Request" in page("GET", f"{base}/new?step=action").text
    configure = page("GET", f"{base}/new?step=configure").text
    assert "Target URL" in configure and "Activate" in configure
    bad = page("POST", base, data={"url": "not a url"})
    assert bad.status_code == 422 and "Paste a full URL" in bad.text
    activated = page("POST", base, data={"url": webhook_listener.url, "bodyStyle": "data_order"})
    assert "Automation activated." in activated.text
    [automation] = sandbox.automations(site["id"])
    assert automation["url"] == webhook_listener.url and automation["active"]
    sandbox.place_order(site["id"])
    assert len(webhook_listener.wait_for(1)) == 1


def test_unknown_site_page_is_a_404_page(page, sandbox):
    response = page("GET", "/dashboard/nope/orders")
    assert response.status_code == 404 and "<html" in response.text

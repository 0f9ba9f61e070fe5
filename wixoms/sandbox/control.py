"""Control API under /_sandbox/ for tests, benchmarks and the demo (never part of Wix)."""

from __future__ import annotations

import dataclasses

from flask import Blueprint, Response, jsonify, request

from . import seed as seeding
from .builders import create_simple_product, render_product, set_inventory
from .errors import WixError
from .gateway import store
from .install_flow import sign_instance
from .models import Faults
from .orders import order_of, place_order, render_order, update_order

bp = Blueprint("sandbox_control", __name__, url_prefix="/_sandbox")


def json_body() -> dict:
    """The control request's JSON object ({} when there is none)."""
    data = request.get_json(silent=True)
    return data if isinstance(data, dict) else {}


def site_doc(site) -> dict:
    st = store()
    return {
        "id": site.id,
        "name": site.name,
        "catalogVersion": site.catalog_version,
        "url": site.url,
        "currency": site.currency,
        "locationId": site.location_id,
        "published": site.published,
        "products": len(st.site_products.get(site.id, {})),
        "orders": len(st.site_orders.get(site.id, [])),
        "dashboardUrl": f"/dashboard/{site.id}/home",
    }


def app_doc(app) -> dict:
    return {
        "appId": app.app_id,
        "appSecret": app.app_secret,
        "name": app.name,
        "authFlow": app.auth_flow,
        "appUrl": app.app_url,
        "redirectUrl": app.redirect_url,
        "postInstallationUrl": app.post_installation_url,
        "webhookUrl": app.webhook_url,
        "permissions": list(app.permissions),
        "publicKey": app.public_key_pem,
    }


@bp.post("/reset")
def reset():
    store().reset()
    return jsonify({})


@bp.post("/seed")
def seed():
    data = json_body()
    result = seeding.seed(
        store(),
        sites=int(data.get("sites", 2)),
        catalog=data.get("catalog", "mixed"),
        products=int(data.get("products", 12)),
        orders=int(data.get("orders", 30)),
        seed_value=int(data.get("seed", 1)),
        base_date=data.get("baseDate"),
    )
    return jsonify(result)


@bp.get("/snapshot")
def snapshot():
    return jsonify({"sites": seeding.snapshot(store()), "digest": seeding.digest(store())})


@bp.get("/sites")
def list_sites():
    with store().lock:
        return jsonify({"sites": [site_doc(s) for s in store().sites.values()]})


@bp.post("/sites")
def create_site():
    data = json_body()
    site = store().create_site(
        data.get("name") or "My Site",
        data.get("catalogVersion", "V3_CATALOG"),
        site_id=data.get("id"),
        currency=data.get("currency", "USD"),
    )
    return jsonify(site_doc(site)), 201


@bp.get("/sites/<site_id>")
def get_site(site_id: str):
    return jsonify(site_doc(store().site(site_id)))


@bp.patch("/sites/<site_id>")
def update_site(site_id: str):
    """{published}: an unpublished site has no site.url in /apps/v1/instance."""
    data = json_body()
    st = store()
    with st.lock:
        site = st.site(site_id)
        if "published" in data:
            site.published = bool(data["published"])
        return jsonify(site_doc(site))


@bp.get("/apps")
def list_apps():
    return jsonify({"apps": [app_doc(a) for a in store().apps.values()]})


@bp.post("/apps")
def register_app():
    return jsonify(app_doc(store().register_app(json_body()))), 201


@bp.get("/apps/<app_id>")
def get_app(app_id: str):
    return jsonify(app_doc(store().app(app_id)))


@bp.get("/apps/<app_id>/public-key")
def public_key(app_id: str):
    """The app's public key, as the Wix dashboard shows it to the app's developer."""
    return Response(store().app(app_id).public_key_pem, mimetype="application/x-pem-file")


def installation_doc(inst) -> dict:
    return {
        "instanceId": inst.instance_id,
        "appId": inst.app_id,
        "siteId": inst.site_id,
        "installedDate": inst.installed,
        "active": inst.active,
    }


@bp.get("/installations")
def list_installations():
    st = store()
    with st.lock:
        return jsonify({"installations": [installation_doc(i) for i in st.installations.values()]})


@bp.post("/installations")
def install():
    """Install without a browser; legacy apps get a fresh auth code, all a signed instance."""
    data = json_body()
    st = store()
    inst = st.install(data.get("appId", ""), data.get("siteId", ""))
    with st.lock:
        app = st.apps[inst.app_id]
        doc = installation_doc(inst)
        doc["instance"] = sign_instance(st, app, inst)
        if app.auth_flow == "legacy":
            doc["code"] = st.issue_code(inst.instance_id).code
    return jsonify(doc), 201


@bp.delete("/installations/<instance_id>")
def remove_installation(instance_id: str):
    return jsonify(installation_doc(store().remove_app(instance_id)))


@bp.post("/installations/<instance_id>/code")
def new_code(instance_id: str):
    st = store()
    if st.active_installation(instance_id) is None:
        raise WixError(404, f"instance {instance_id} not found")
    return jsonify({"code": st.issue_code(instance_id).code})


@bp.post("/tokens")
def issue_token():
    """An access token for an instance without the OAuth dance (tests of other packages)."""
    data = json_body()
    st = store()
    instance_id = data.get("instanceId", "")
    if st.active_installation(instance_id) is None:
        raise WixError(404, f"instance {instance_id} not found")
    ttl = data.get("ttl", st.config["oauth2_token_ttl"])
    return jsonify({"access_token": st.issue_token(instance_id, "access", ttl).token})


def faults_doc() -> dict:
    return dataclasses.asdict(store().faults)


@bp.get("/faults")
def get_faults():
    return jsonify(faults_doc())


@bp.route("/faults", methods=["PUT", "PATCH"])
def set_faults():
    """PATCH merges, PUT replaces (unnamed switches back to defaults)."""
    st = store()
    data = json_body()
    known = {f.name for f in dataclasses.fields(Faults)}
    unknown = set(data) - known
    if unknown:
        raise WixError(400, f"unknown fault switches: {', '.join(sorted(unknown))}")
    with st.lock:
        base = Faults() if request.method == "PUT" else st.faults
        faults = dataclasses.replace(base, **data)
        faults.bursts = [
            {**b, "remaining": int(b.get("remaining", b.get("count", 1)))} for b in faults.bursts
        ]
        st.faults = faults
    return jsonify(faults_doc())


@bp.delete("/faults")
def clear_faults():
    with store().lock:
        store().faults = Faults()
    return jsonify(faults_doc())


@bp.post("/faults/bursts")
def add_burst():
    """Next `count` requests under `path_prefix` answer `status`."""
    data = json_body()
    burst = {
        "path_prefix": data.get("path_prefix", "/"),
        "status": int(data.get("status", 503)),
        "remaining": int(data.get("count", 1)),
    }
    if data.get("method"):
        burst["method"] = data["method"]
    with store().lock:
        store().faults.bursts.append(burst)
    return jsonify(faults_doc())


@bp.post("/faults/expire-tokens")
def expire_tokens():
    return jsonify({"expired": store().expire_tokens()})


@bp.get("/counters")
def counters():
    st = store()
    with st.lock:
        return jsonify(
            {
                "endpoints": dict(st.endpoint_counts),
                "sites": {k: dict(v) for k, v in st.site_counts.items()},
                "peak_per_minute": dict(st.window_peaks),
                "token_grants": dict(st.token_grants),
                "total": sum(st.endpoint_counts.values()),
            }
        )


@bp.delete("/counters")
def reset_counters():
    store().reset_counters()
    return jsonify({})


@bp.get("/sites/<site_id>/orders")
def list_orders(site_id: str):
    st = store()
    with st.lock:
        st.site(site_id)
        return jsonify({"orders": [render_order(o) for o in st.site_orders[site_id]]})


@bp.post("/sites/<site_id>/orders")
def create_order(site_id: str):
    st = store()
    order = place_order(st, st.site(site_id), json_body())
    with st.lock:
        return jsonify({"order": render_order(order)}), 201


@bp.get("/orders/<order_id>")
def get_order(order_id: str):
    st = store()
    with st.lock:
        order = st.orders.get(order_id)
        if order is None:
            raise WixError(404, f"order {order_id} not found")
        return jsonify({"order": render_order(order)})


@bp.patch("/orders/<order_id>")
def patch_order(order_id: str):
    st = store()
    order = st.orders.get(order_id)
    if order is None:
        raise WixError(404, f"order {order_id} not found")
    update_order(st, order_of(st, st.site(order.site_id), order_id), json_body())
    with st.lock:
        return jsonify({"order": render_order(order)})


@bp.get("/sites/<site_id>/products")
def list_products(site_id: str):
    st = store()
    with st.lock:
        site = st.site(site_id)
        docs = [render_product(p, site) for p in st.site_products[site_id].values()]
    return jsonify({"products": docs})


@bp.post("/sites/<site_id>/products")
def create_product(site_id: str):
    st = store()
    site = st.site(site_id)
    product = create_simple_product(st, site, json_body())
    with st.lock:
        return jsonify({"product": render_product(product, site)}), 201


@bp.patch("/products/<product_id>/inventory")
def patch_inventory(product_id: str):
    st = store()
    product = st.products.get(product_id)
    if product is None:
        raise WixError(404, f"product {product_id} not found")
    set_inventory(st, product, json_body())
    with st.lock:
        return jsonify({"product": render_product(product, st.sites[product.site_id])})


@bp.get("/config")
def get_config():
    return jsonify(store().config)


@bp.patch("/config")
def patch_config():
    st = store()
    data = json_body()
    unknown = set(data) - set(st.config)
    if unknown:
        raise WixError(400, f"unknown config keys: {', '.join(sorted(unknown))}")
    with st.lock:
        st.config.update(data)
    return jsonify(st.config)


@bp.post("/clock")
def advance_clock():
    """Move the sandbox's clock forward (code and token expiry without sleeping)."""
    seconds = float(json_body().get("advanceSeconds", 0))
    store().clock.advance(seconds)
    return jsonify({"offsetSeconds": store().clock.offset})

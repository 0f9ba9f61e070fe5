"""The Wix dashboard of a site: products, orders, "Place test order", Automations, Apps."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for

from .builders import BODY_STYLES, create_simple_product, new_automation
from .catalog_render import variant_name, variant_price
from .errors import WixError
from .gateway import store
from .orders import PAYMENT_STATUSES, STATUSES, place_order, render_order, update_order

bp = Blueprint("wix_dashboard", __name__, url_prefix="/dashboard")

TRIGGERS = ["Order placed", "Form submitted", "Invoice paid", "Member signed up"]
ACTIONS = ["Send HTTP Request", "Send an email", "Create a task", "Send a chat message"]
BODY_LABELS = {
    "data_order": "Entire payload (all keys and values)",
    "order": "Order object only",
    "entire": "Order fields at the top level",
    "custom": "Custom structure (choose keys)",
}


@bp.app_context_processor
def _sites():
    st = store()
    return {"all_sites": list(st.sites.values())}


def _site(site_id: str):
    return store().site(site_id)


@bp.get("/")
def sites():
    return redirect(url_for("wix_www.home"))


@bp.get("/<site_id>/home")
def home(site_id: str):
    st = store()
    site = _site(site_id)
    with st.lock:
        counts = {
            "products": len(st.site_products[site.id]),
            "orders": len(st.site_orders[site.id]),
            "automations": sum(1 for a in st.automations.values() if a.site_id == site.id),
            "apps": sum(1 for i in st.installations.values() if i.site_id == site.id and i.active),
        }
    return render_template("sandbox/dashboard_home.html", site=site, counts=counts, tab="home")


@bp.get("/<site_id>/products")
def products(site_id: str):
    st = store()
    site = _site(site_id)
    with st.lock:
        items = list(st.site_products[site.id].values())
        rows = [
            {
                "product": p,
                "variants": [
                    {"v": v, "name": variant_name(p, v), "price": variant_price(p, v)}
                    for v in p.variants
                ],
            }
            for p in items
        ]
    return render_template("sandbox/products.html", site=site, rows=rows, tab="products")


@bp.post("/<site_id>/products")
def add_product(site_id: str):
    site = _site(site_id)
    form = request.form
    options = {}
    for part in (form.get("options") or "").split(";"):
        if ":" in part:
            name, choices = part.split(":", 1)
            values = [c.strip() for c in choices.split(",") if c.strip()]
            if name.strip() and values:
                options[name.strip()] = values
    try:
        create_simple_product(
            store(),
            site,
            {
                "name": form.get("name", "").strip(),
                "price": form.get("price") or "0",
                "sku": form.get("sku", "").strip(),
                "options": options,
                "quantity": int(form.get("quantity") or 0),
                "trackQuantity": True,
            },
        )
        flash("Product created.", "ok")
    except (WixError, ValueError) as exc:
        flash(f"Could not create the product: {getattr(exc, 'message', exc)}", "error")
    return redirect(url_for(".products", site_id=site.id))


@bp.get("/<site_id>/orders")
def orders(site_id: str):
    st = store()
    site = _site(site_id)
    with st.lock:
        docs = [render_order(o) for o in reversed(st.site_orders[site.id][-500:])]
    return render_template(
        "sandbox/orders.html",
        site=site,
        orders=docs,
        total=len(st.site_orders[site.id]),
        statuses=STATUSES,
        payment_statuses=PAYMENT_STATUSES,
        tab="orders",
    )


@bp.post("/<site_id>/orders/<order_id>/status")
def change_order(site_id: str, order_id: str):
    st = store()
    order = st.orders.get(order_id)
    if order is None or order.site_id != site_id:
        raise WixError(404, "Order not found")
    changes = {k: v for k, v in request.form.items() if k in ("status", "paymentStatus") and v}
    modified = update_order(st, order, changes)
    flash(f"Order #{order.number} updated." if modified else "Nothing changed.", "ok")
    return redirect(url_for(".orders", site_id=site_id))


@bp.route("/<site_id>/orders/new", methods=["GET", "POST"])
def new_order(site_id: str):
    """ "Place test order": products, quantities, delivery or pickup, status."""
    st = store()
    site = _site(site_id)
    with st.lock:
        choices = [
            {
                "value": f"{p.id}|{v.id}",
                "label": p.name if not v.choices else f"{p.name} — {variant_name(p, v)}",
                "sku": v.sku or p.sku,
                "price": variant_price(p, v),
            }
            for p in st.site_products[site.id].values()
            for v in p.variants
        ]
    if request.method == "POST":
        form = request.form
        lines = []
        for i in range(4):
            pick, qty = form.get(f"item{i}"), form.get(f"qty{i}") or "1"
            if pick and "|" in pick:
                product_id, variant_id = pick.split("|", 1)
                lines.append(
                    {"productId": product_id, "variantId": variant_id, "quantity": int(qty)}
                )
        if not lines:
            flash("Choose at least one product.", "error")
            return render_template(
                "sandbox/new_order.html",
                site=site,
                choices=choices,
                statuses=STATUSES,
                payment_statuses=PAYMENT_STATUSES,
                tab="orders",
                form=form,
            ), 422
        spec = {
            "lines": lines,
            "status": form.get("status", "APPROVED"),
            "pickup": form.get("delivery") == "pickup",
            "buyer": {
                "firstName": form.get("firstName") or "Test",
                "lastName": form.get("lastName") or "Buyer",
                "email": form.get("email") or "buyer@example.com",
            },
        }
        if form.get("paymentStatus"):
            spec["paymentStatus"] = form["paymentStatus"]
        if spec["pickup"]:
            spec["pickupMethod"] = form.get("pickupMethod", "STORE_PICKUP")
        order = place_order(st, site, spec)
        flash(f"Order #{order.number} placed.", "ok")
        return redirect(url_for(".orders", site_id=site.id))
    return render_template(
        "sandbox/new_order.html",
        site=site,
        choices=choices,
        statuses=STATUSES,
        payment_statuses=PAYMENT_STATUSES,
        tab="orders",
        form={},
    )


@bp.get("/<site_id>/automations")
def automations(site_id: str):
    st = store()
    site = _site(site_id)
    with st.lock:
        items = [a for a in st.automations.values() if a.site_id == site.id]
    return render_template(
        "sandbox/automations.html", site=site, automations=items, tab="automations"
    )


@bp.get("/<site_id>/automations/new")
def new_automation_page(site_id: str):
    """Create Automation → Start from scratch → Order placed → + → Send HTTP Request → URL."""
    site = _site(site_id)
    step = request.args.get("step", "start")
    if step not in ("start", "trigger", "add_action", "action", "configure"):
        step = "start"
    return render_template(
        "sandbox/automation_new.html",
        site=site,
        step=step,
        triggers=TRIGGERS,
        actions=ACTIONS,
        body_styles=BODY_STYLES,
        body_labels=BODY_LABELS,
        tab="automations",
        error=None,
        url="",
    )


@bp.post("/<site_id>/automations")
def activate_automation(site_id: str):
    site = _site(site_id)
    form = request.form
    try:
        new_automation(
            store(),
            site,
            {
                "url": form.get("url", ""),
                "name": form.get("name") or "Order placed → Send HTTP Request",
                "bodyStyle": form.get("bodyStyle", "data_order"),
                "customKeys": [
                    k.strip() for k in form.get("customKeys", "").split(",") if k.strip()
                ],
            },
        )
    except WixError as exc:
        return render_template(
            "sandbox/automation_new.html",
            site=site,
            step="configure",
            triggers=TRIGGERS,
            actions=ACTIONS,
            body_styles=BODY_STYLES,
            body_labels=BODY_LABELS,
            tab="automations",
            error="Paste a full URL starting with https:// or http://."
            if "url" in exc.message
            else exc.message,
            url=form.get("url", ""),
        ), 422
    flash("Automation activated.", "ok")
    return redirect(url_for(".automations", site_id=site.id))


@bp.post("/<site_id>/automations/<automation_id>/<action>")
def automation_action(site_id: str, automation_id: str, action: str):
    st = store()
    with st.lock:
        automation = st.automations.get(automation_id)
        if automation is None or automation.site_id != site_id:
            raise WixError(404, "Automation not found")
        if action == "toggle":
            automation.active = not automation.active
        elif action == "delete":
            st.automations.pop(automation_id)
    return redirect(url_for(".automations", site_id=site_id))


@bp.get("/<site_id>/apps")
def apps(site_id: str):
    st = store()
    site = _site(site_id)
    with st.lock:
        installed = [
            (i, st.apps.get(i.app_id))
            for i in st.installations.values()
            if i.site_id == site.id and i.active
        ]
        available = [
            a for a in st.apps.values() if a.app_id not in {i.app_id for i, _ in installed}
        ]
    return render_template(
        "sandbox/apps.html", site=site, installed=installed, available=available, tab="apps"
    )


@bp.post("/<site_id>/apps/<instance_id>/remove")
def remove_app(site_id: str, instance_id: str):
    st = store()
    inst = st.installations.get(instance_id)
    if inst is None or inst.site_id != site_id:
        raise WixError(404, "App not installed on this site")
    st.remove_app(instance_id)
    flash("App removed. Its access to this site was revoked.", "ok")
    return redirect(url_for(".apps", site_id=site_id))

"""Products and their variants (SKUs): list with search, view, create, edit."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from sqlalchemy import func, or_, tuple_

from wixoms.extensions import db, htmx
from wixoms.forms.catalog import ProductForm, VariantRow
from wixoms.forms.common import commit_or_field_error, contains_pattern
from wixoms.ids import bounded_int
from wixoms.models import InventoryLevel, Product, Variant, Warehouse
from wixoms.sync.stock import allocated
from wixoms.views.access import admin_required, current_account, get_scoped_or_404

bp = Blueprint("products", __name__, url_prefix="/products")


@bp.get("/")
def index():
    account = current_account()
    q = request.args.get("q", "").strip()[:100]
    size = current_app.config.get("OMS_PAGE_SIZE", 50)
    stmt = db.select(Product).where(Product.account_id == account.id)
    if q:
        pattern = contains_pattern(q)
        skus = db.select(Variant.product_id).where(
            Variant.account_id == account.id, Variant.sku.ilike(pattern, escape="\\")
        )
        stmt = stmt.where(or_(Product.name.ilike(pattern, escape="\\"), Product.id.in_(skus)))
    after = _int(request.args.get("after"))
    last = db.session.get(Product, after) if after is not None else None
    if last is not None and last.account_id == account.id:
        stmt = stmt.where(tuple_(Product.name, Product.id) > (last.name, last.id))
    products = db.session.scalars(stmt.order_by(Product.name, Product.id).limit(size + 1)).all()
    has_next = len(products) > size
    products = products[:size]
    context = {
        "products": products,
        "on_hand": _on_hand([p.id for p in products]),
        "q": q,
        "next_after": products[-1].id if has_next else None,
        "paged": after is not None,
    }
    if htmx and htmx.target == "results":
        return render_template("products/_results.html", **context)
    return render_template("products/index.html", **context)


@bp.get("/<int:product_id>")
def show(product_id: int):
    product = get_scoped_or_404(Product, product_id)
    warehouses = db.session.scalars(
        db.select(Warehouse)
        .where(Warehouse.account_id == product.account_id)
        .order_by(Warehouse.name)
    ).all()
    levels = {
        (lvl.variant_id, lvl.warehouse_id): lvl
        for lvl in db.session.scalars(
            db.select(InventoryLevel).where(
                InventoryLevel.variant_id.in_([v.id for v in product.variants])
            )
        )
    }
    return render_template(
        "products/show.html",
        product=product,
        warehouses=warehouses,
        levels=levels,
        allocated=allocated(product.account_id, [v.id for v in product.variants]),
    )


@bp.route("/new", methods=["GET", "POST"])
@admin_required
def create():
    form = ProductForm()
    return _handle(form, None)


@bp.route("/<int:product_id>/edit", methods=["GET", "POST"])
@admin_required
def edit(product_id: int):
    product = get_scoped_or_404(Product, product_id)
    form = ProductForm(data=_form_data(product) if request.method == "GET" else None)
    return _handle(form, product)


def _handle(form: ProductForm, product: Product | None):
    """Add a row, re-render for new option names, or validate and save."""
    if request.method == "POST":
        if "add_row" in request.form:
            form.variants.append_entry()
            return _render(form, product, 200)
        if request.form.get("refresh"):
            return _render(form, product, 200)
        if form.validate() and _skus_free(form, product):
            saved = _save(form, product)
            if saved is not None:
                flash(f"Product {saved.name} saved.", "success")
                return redirect(url_for("products.show", product_id=saved.id))
        return _render(form, product, 422)
    return _render(form, product, 200)


def _render(form: ProductForm, product: Product | None, status: int):
    names = form.parsed_option_names() if not form.option_names.errors else []
    for row in form.variants:
        row.form.option_values.label.text = ", ".join(names) if names else "Options"
    return render_template(
        "products/form.html",
        form=form,
        product=product,
        option_names=names,
    ), status


def _form_data(product: Product) -> dict:
    return {
        "name": product.name,
        "description": product.description,
        "option_names": ", ".join(product.option_names),
        "variants": [
            {
                "id": str(v.id),
                "option_values": ", ".join(
                    (v.options or {}).get(n, "") for n in product.option_names
                ),
                "sku": v.sku,
                "price": f"{v.price:.2f}",
                "weight": "" if v.weight is None else f"{v.weight.normalize():f}",
                "barcode": v.barcode,
            }
            for v in product.variants
        ],
    }


def _skus_free(form: ProductForm, product: Product | None) -> bool:
    """SKUs are unique per account: refuse one another product already uses."""
    rows = {row.sku.data: row for row in form.rows()}
    taken = db.session.scalars(
        db.select(Variant).where(
            Variant.account_id == current_account().id, Variant.sku.in_(list(rows))
        )
    ).all()
    ok = True
    for variant in taken:
        if product is None or variant.product_id != product.id:
            rows[variant.sku].sku.errors.append(
                f"SKU {variant.sku} is already used by {variant.product.name}."
            )
            ok = False
    return ok


def _save(form: ProductForm, product: Product | None) -> Product | None:
    account_id = current_account().id
    if product is None:
        product = Product(account_id=account_id)
        db.session.add(product)
    product.name = form.name.data
    product.description = form.description.data or ""
    names = form.parsed_option_names()
    existing = {v.id: v for v in product.variants}
    rows = form.rows()
    keep = {_int(r.id.data) for r in rows} & set(existing)
    for variant_id, variant in existing.items():
        if variant_id not in keep:
            product.variants.remove(variant)
    # Deletes first, so a SKU moved from a removed variant to a new row does not collide.
    db.session.flush()
    for row in rows:
        variant = existing.get(_int(row.id.data)) if row.id.data else None
        if variant is None:
            variant = Variant(account_id=account_id)
            product.variants.append(variant)
        _fill_variant(variant, row, names)
    first = form.rows()[0].sku
    if not commit_or_field_error(first, "A SKU of this product was just used elsewhere."):
        return None
    return product


def _fill_variant(variant: Variant, row: VariantRow, names: list[str]) -> None:
    values = [v.strip() for v in (row.option_values.data or "").split(",")]
    variant.sku = row.sku.data
    variant.options = dict(zip(names, values, strict=True)) if names else {}
    variant.price = row.price.value
    variant.weight = row.weight.value
    variant.barcode = row.barcode.data or ""


def _on_hand(product_ids: list[int]) -> dict[int, int]:
    if not product_ids:
        return {}
    rows = db.session.execute(
        db.select(Variant.product_id, func.coalesce(func.sum(InventoryLevel.on_hand), 0))
        .join(InventoryLevel, InventoryLevel.variant_id == Variant.id)
        .where(Variant.product_id.in_(product_ids))
        .group_by(Variant.product_id)
    ).all()
    return {pid: int(total) for pid, total in rows}


def _int(value: str | None) -> int | None:
    return bounded_int(value)

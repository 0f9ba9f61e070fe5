"""Stock per variant and warehouse: on hand (edited inline), allocated to open orders, and
available to sell."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from sqlalchemy import and_, or_, tuple_

from wixoms.extensions import db, htmx
from wixoms.forms.catalog import StockLevelForm
from wixoms.forms.common import commit_or_field_error, contains_pattern
from wixoms.ids import bounded_int
from wixoms.models import InventoryLevel, Product, Variant, Warehouse
from wixoms.sync.runs.soon import push_stock_soon
from wixoms.sync.stock import allocated
from wixoms.views.access import admin_required, current_account, get_scoped_or_404

bp = Blueprint("inventory", __name__, url_prefix="/inventory")


@bp.get("/")
def index():
    account = current_account()
    warehouses = db.session.scalars(
        db.select(Warehouse).where(Warehouse.account_id == account.id).order_by(Warehouse.name)
    ).all()
    warehouse_id = _int(request.args.get("warehouse"))
    if warehouse_id not in {w.id for w in warehouses}:
        warehouse_id = None
    q = request.args.get("q", "").strip()[:100]
    size = current_app.config.get("OMS_PAGE_SIZE", 50)
    stmt = (
        db.select(Variant, Warehouse, InventoryLevel)
        .join(Product, Product.id == Variant.product_id)
        .join(Warehouse, Warehouse.account_id == Variant.account_id)
        .outerjoin(
            InventoryLevel,
            and_(
                InventoryLevel.variant_id == Variant.id,
                InventoryLevel.warehouse_id == Warehouse.id,
            ),
        )
        .where(Variant.account_id == account.id)
    )
    if warehouse_id:
        stmt = stmt.where(Warehouse.id == warehouse_id)
    if q:
        pattern = contains_pattern(q)
        stmt = stmt.where(
            or_(Variant.sku.ilike(pattern, escape="\\"), Product.name.ilike(pattern, escape="\\"))
        )
    after = _cursor(request.args.get("after"), account.id)
    if after:
        stmt = stmt.where(tuple_(Variant.sku, Warehouse.id) > after)
    rows = db.session.execute(stmt.order_by(Variant.sku, Warehouse.id).limit(size + 1)).all()
    held = allocated(account.id, {v.id for v, _w, _l in rows[:size]})
    context = {
        "rows": rows[:size],
        "allocated": held,
        "unassigned": sum(n for (_v, w), n in held.items() if w is None),
        "warehouses": warehouses,
        "warehouse_id": warehouse_id,
        "q": q,
        "next_after": _cursor_of(rows[size - 1]) if len(rows) > size else None,
        "paged": after is not None,
        "list_url": request.full_path.rstrip("?"),
    }
    if htmx and htmx.target == "results":
        return render_template("inventory/_results.html", **context)
    return render_template("inventory/index.html", **context)


@bp.route("/<int:variant_id>/<int:warehouse_id>", methods=["GET", "POST"])
@admin_required
def edit(variant_id: int, warehouse_id: int):
    variant = get_scoped_or_404(Variant, variant_id)
    warehouse = get_scoped_or_404(Warehouse, warehouse_id)
    level = db.session.get(InventoryLevel, (variant.id, warehouse.id))
    current = {"on_hand": str(level.on_hand if level else 0)}
    form = StockLevelForm(data=current if request.method == "GET" else None)
    if form.validate_on_submit():
        if level is None:
            level = InventoryLevel(variant_id=variant.id, warehouse_id=warehouse.id)
            db.session.add(level)
        level.on_hand = int(form.on_hand.value)
        if commit_or_field_error(form.on_hand, "Someone else just changed this level; try again."):
            push_stock_soon(current_app._get_current_object(), warehouse.account_id, {warehouse.id})
            if htmx:
                return render_template(
                    "inventory/_row.html",
                    v=variant,
                    w=warehouse,
                    lvl=level,
                    allocated=allocated(variant.account_id, [variant.id]),
                    saved=True,
                    list_url=None,
                )
            flash(f"Stock of {variant.sku} in {warehouse.name} saved.", "success")
            return redirect(_back_to_list())
    status = 422 if form.is_submitted() else 200
    if htmx:
        level = db.session.get(InventoryLevel, (variant.id, warehouse.id))
        return render_template(
            "inventory/_row.html",
            v=variant,
            w=warehouse,
            lvl=level,
            allocated=allocated(variant.account_id, [variant.id]),
            form=form,
            list_url=None,
        ), status
    return render_template(
        "inventory/edit.html",
        form=form,
        variant=variant,
        warehouse=warehouse,
        allocated=allocated(variant.account_id, [variant.id]).get((variant.id, warehouse.id), 0),
    ), status


def _back_to_list() -> str:
    """The filtered list the edit came from (same-site paths only)."""
    target = request.args.get("next") or ""
    if target.startswith("/inventory") and "//" not in target:
        return target
    return url_for("inventory.index")


def _cursor_of(row) -> str:
    return f"{row[0].id}-{row[1].id}"


def _cursor(raw: str | None, account_id: int) -> tuple[str, int] | None:
    """`<variant id>-<warehouse id>` of the last row shown → (sku, warehouse id) to go on from."""
    parts = (raw or "").split("-")
    if len(parts) != 2:
        return None
    variant = db.session.get(Variant, _int(parts[0]) or 0)
    warehouse_id = _int(parts[1])
    if variant is None or variant.account_id != account_id or warehouse_id is None:
        return None
    return (variant.sku, warehouse_id)


def _int(value: str | None) -> int | None:
    return bounded_int(value)

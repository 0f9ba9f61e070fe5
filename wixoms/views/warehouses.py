"""Warehouses: where stock is kept (list, create, edit)."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from sqlalchemy import func

from wixoms.extensions import db
from wixoms.forms.catalog import WarehouseForm
from wixoms.forms.common import commit_or_field_error, taken
from wixoms.models import InventoryLevel, Warehouse
from wixoms.views.access import admin_required, current_account, get_scoped_or_404

bp = Blueprint("warehouses", __name__, url_prefix="/warehouses")


@bp.get("/")
def index():
    account = current_account()
    stock = (
        db.select(
            InventoryLevel.warehouse_id,
            func.count().label("skus"),
            func.coalesce(func.sum(InventoryLevel.on_hand), 0).label("on_hand"),
        )
        .where(InventoryLevel.on_hand > 0)
        .group_by(InventoryLevel.warehouse_id)
        .subquery()
    )
    rows = db.session.execute(
        db.select(Warehouse, stock.c.skus, stock.c.on_hand)
        .outerjoin(stock, stock.c.warehouse_id == Warehouse.id)
        .where(Warehouse.account_id == account.id)
        .order_by(Warehouse.name)
    ).all()
    return render_template("warehouses/index.html", rows=rows)


@bp.route("/new", methods=["GET", "POST"])
@admin_required
def create():
    form = WarehouseForm()
    if form.validate_on_submit() and _unique(form, None):
        warehouse = Warehouse(account_id=current_account().id)
        return _save(form, warehouse, "created")
    return _render(form, None)


@bp.route("/<int:warehouse_id>/edit", methods=["GET", "POST"])
@admin_required
def edit(warehouse_id: int):
    warehouse = get_scoped_or_404(Warehouse, warehouse_id)
    form = WarehouseForm(obj=warehouse)
    if form.validate_on_submit() and _unique(form, warehouse.id):
        return _save(form, warehouse, "saved")
    return _render(form, warehouse)


def _render(form: WarehouseForm, warehouse: Warehouse | None):
    status = 422 if form.is_submitted() else 200
    return render_template("warehouses/form.html", form=form, warehouse=warehouse), status


def _save(form: WarehouseForm, warehouse: Warehouse, verb: str):
    form.populate_obj(warehouse)
    db.session.add(warehouse)
    message = f"A warehouse with code {form.code.data} or name {form.name.data} already exists."
    if not commit_or_field_error(form.code, message):
        return _render(form, None if verb == "created" else warehouse)
    flash(f"Warehouse {warehouse.name} {verb}.", "success")
    return redirect(url_for("warehouses.index"))


def _unique(form: WarehouseForm, own_id: int | None) -> bool:
    """Code and name are unique per account (case-insensitively, as people read them)."""
    ok = True
    for field, column, label in (
        (form.code, Warehouse.code, "code"),
        (form.name, Warehouse.name, "name"),
    ):
        if taken(Warehouse, column, field.data, current_account().id, own_id):
            field.errors.append(f"Another warehouse already has the {label} {field.data}.")
            ok = False
    return ok

"""Warehouses: filled in by the OMS pages work."""

from flask import Blueprint, render_template

bp = Blueprint("warehouses", __name__, url_prefix="/warehouses")


@bp.get("/")
def index():
    return render_template("placeholder.html", title="Warehouses")

"""Inventory: filled in by the OMS pages work."""

from flask import Blueprint, render_template

bp = Blueprint("inventory", __name__, url_prefix="/inventory")


@bp.get("/")
def index():
    return render_template("placeholder.html", title="Inventory")

"""Products: filled in by the OMS pages work."""

from flask import Blueprint, render_template

bp = Blueprint("products", __name__, url_prefix="/products")


@bp.get("/")
def index():
    return render_template("placeholder.html", title="Products")

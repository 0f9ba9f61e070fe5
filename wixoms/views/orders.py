"""Orders: filled in by the OMS pages work."""

from flask import Blueprint, render_template

bp = Blueprint("orders", __name__, url_prefix="/orders")


@bp.get("/")
def index():
    return render_template("placeholder.html", title="Orders")

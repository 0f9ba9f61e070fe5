"""Carriers: filled in by the OMS pages work."""

from flask import Blueprint, render_template

bp = Blueprint("carriers", __name__, url_prefix="/carriers")


@bp.get("/")
def index():
    return render_template("placeholder.html", title="Carriers")

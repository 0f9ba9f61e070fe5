"""Sales Channels → Channels: the list and the channel page (tabs, Save, Delete, Sync)."""

from flask import Blueprint, render_template

bp = Blueprint("channels", __name__, url_prefix="/channels")


@bp.get("/")
def index():
    return render_template("placeholder.html", title="Channels")

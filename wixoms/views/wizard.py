"""The onboarding wizard: connect Wix, check the catalog version, pick the account, name it."""

from flask import Blueprint, render_template

bp = Blueprint("wizard", __name__, url_prefix="/wizard")


@bp.get("/")
def start():
    return render_template("placeholder.html", title="Add Wix channel")

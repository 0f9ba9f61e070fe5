"""/hooks/<token>: where Wix Automations and Wix app webhooks deliver events."""

from flask import Blueprint, abort

from wixoms.extensions import csrf

bp = Blueprint("hooks", __name__, url_prefix="/hooks")
csrf.exempt(bp)


@bp.post("/<token>")
def receive(token: str):
    abort(404)

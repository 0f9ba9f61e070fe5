"""One renderer for error pages (JSON for /hooks, which Wix calls)."""

from __future__ import annotations

from flask import Flask, jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

MESSAGES = {
    400: "The request could not be understood.",
    403: "You don't have permission to do that.",
    404: "That page does not exist, or it belongs to another account.",
    405: "That action is not allowed here.",
    413: "That upload is too large.",
    429: "Too many requests. Wait a moment and try again.",
    500: "Something went wrong on our side. Nothing was half-saved; try again.",
}


def _render(code: int, description: str | None):
    if request.path.startswith("/hooks"):
        return jsonify(
            error={"code": f"HTTP_{code}", "message": description or MESSAGES[code]}
        ), code
    message = description or MESSAGES.get(code, "Error")
    return render_template("errors.html", code=code, message=message), code


def register(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def _csrf(err: CSRFError):
        return _render(
            400,
            "Your form expired or was sent without its security token. "
            "Reload the page and try again.",
        )

    @app.errorhandler(HTTPException)
    def _http(err: HTTPException):
        code = err.code or 500
        default = err.description == type(err).description
        return _render(code, None if default else err.description)

    @app.errorhandler(InternalServerError)
    def _internal(err):
        from wixoms.extensions import db

        db.session.rollback()
        return _render(500, None)

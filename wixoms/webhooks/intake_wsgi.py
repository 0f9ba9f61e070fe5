"""Wix's deliveries answered at the WSGI layer, before Flask builds a request context.

A delivery needs nothing a page needs: no session, login, CSRF, Flask-Limiter (it has its own
per-endpoint bucket) or template, and building them cost as much CPU as storing the delivery
(bench/webhooks.py). So POSTs to the three delivery URLs — /hooks/<token>, /hooks/wix and
/hooks/wix/<app id> — are answered here in an app context; every other request goes to
Flask. The Flask routes of the same URLs stay (url_for, and the same answer_delivery).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable
from functools import cache
from typing import Any, Literal

from flask import Flask
from werkzeug.exceptions import HTTPException
from werkzeug.http import HTTP_STATUS_CODES
from werkzeug.wrappers import Request

from wixoms.webhooks.answer import answer_delivery

log = logging.getLogger(__name__)

_PREFIX = "/hooks/"


def delivery_target(method: str, path: str) -> tuple[Literal["token", "app"], str | None] | None:
    """("token", token), ("app", None or app id) for a delivery URL; None for anything else."""
    if method != "POST" or not path.startswith(_PREFIX):
        return None
    parts = path[len(_PREFIX) :].split("/")
    if parts == ["wix"]:
        return "app", None
    if len(parts) == 2 and parts[0] == "wix" and parts[1]:
        return "app", parts[1]
    if len(parts) == 1 and parts[0]:
        return "token", parts[0]
    return None


class DeliveryIntake:
    """WSGI middleware in front of the Flask app (installed by create_app)."""

    def __init__(self, app: Flask, wsgi_app: Callable[..., Iterable[bytes]]) -> None:
        self.app = app
        self.wsgi_app = wsgi_app

    def __call__(self, environ: dict[str, Any], start_response: Callable) -> Iterable[bytes]:
        target = delivery_target(environ.get("REQUEST_METHOD", ""), environ.get("PATH_INFO", ""))
        if target is None:
            return self.wsgi_app(environ, start_response)
        request = Request(environ)
        with self.app.app_context():
            try:
                payload, status, headers = answer_delivery(*target, request)
            except HTTPException as err:  # e.g. the client went away mid-body: 400
                code = err.code or 400
                payload, status, headers = _error(code, err.description), code, {}
            except Exception:
                log.exception("webhook delivery failed")
                _rollback()
                payload, status, headers = _error(500, None), 500, {}
        body = json.dumps(payload, separators=(",", ":")).encode()
        start_response(
            f"{status} {HTTP_STATUS_CODES.get(status, 'Error')}",
            [
                ("Content-Type", "application/json"),
                ("Content-Length", str(len(body))),
                *headers.items(),
                *_security_headers(),
            ],
        )
        return [body]


def _error(code: int, description: str | None) -> dict[str, Any]:
    from wixoms.views.errors import MESSAGES

    message = description or MESSAGES.get(code, "The request could not be handled.")
    return {"error": {"code": f"HTTP_{code}", "message": message}}


@cache
def _security_headers() -> tuple[tuple[str, str], ...]:
    """The headers every wixoms response carries (views/security_headers.py), built once."""
    from wixoms.views.security_headers import HEADERS

    return tuple(HEADERS.items())


def _rollback() -> None:
    from wixoms.extensions import db

    try:
        db.session.rollback()
    except Exception:  # the session may be unusable; the app context teardown removes it
        log.debug("rollback after a failed delivery failed", exc_info=True)


def install_delivery_intake(app: Flask) -> None:
    app.wsgi_app = DeliveryIntake(app, app.wsgi_app)  # type: ignore[method-assign]

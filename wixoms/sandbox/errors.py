"""Wix error responses: JSON for 4xx (wix-api.md §2), an empty body for 5xx."""

from __future__ import annotations

from flask import Flask, Response, current_app, jsonify, render_template, request

DEFAULT_CODES = {
    400: "INVALID_ARGUMENT",
    401: "UNAUTHENTICATED",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    405: "METHOD_NOT_ALLOWED",
    409: "ALREADY_EXISTS",
    428: "FAILED_PRECONDITION",
    429: "RESOURCE_EXHAUSTED",
}


class WixError(Exception):
    """An error Wix would answer with; rendered by `wix_error_response`."""

    def __init__(
        self,
        status: int,
        message: str,
        code: str | None = None,
        violations: list[dict] | None = None,
        headers: dict | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.code = code or DEFAULT_CODES.get(status, "UNKNOWN")
        self.violations = violations
        self.headers = headers or {}


def invalid(field: str, description: str, rule: str = "REQUIRED_FIELD") -> WixError:
    """A 400 validation error about one field."""
    return WixError(
        400,
        f"INVALID_ARGUMENT: {field}: {description}",
        violations=[
            {
                "field": field,
                "description": description,
                "violatedRule": rule,
                "ruleName": rule,
                "data": {},
            }
        ],
    )


def not_found(what: str, ident: str) -> WixError:
    return WixError(404, f"{what} with id {ident} not found", "NOT_FOUND")


def wix_error_response(error: WixError) -> Response:
    """Render an error the way Wix does."""
    if error.status >= 500:
        return server_error_response(error.status, error.headers)
    if error.violations:
        details = {"validationError": {"fieldViolations": error.violations}}
    else:
        details = {
            "applicationError": {"code": error.code, "description": error.message, "data": {}}
        }
    response = jsonify({"message": error.message, "details": details})
    response.status_code = error.status
    for key, value in error.headers.items():
        response.headers[key] = value
    return response


def server_error_response(status: int, headers: dict | None = None) -> Response:
    """A 5xx as Wix sends one: an empty body, or ``{"message":"","details":{}}`` when the
    sandbox's ``server_error_body`` is "wix" (wix-api.md §10 has seen both)."""
    store = current_app.extensions.get("wix_sandbox")
    if store is not None and store.config.get("server_error_body") == "wix":
        response = Response(
            b'{"message":"","details":{}}', status=status, mimetype="application/json"
        )
    else:
        response = Response(b"", status=status)
    for key, value in (headers or {}).items():
        response.headers[key] = value
    return response


API_PREFIXES = ("/stores", "/ecom/", "/oauth", "/apps/", "/_sandbox/")


def _render(error: WixError):
    """Wix JSON on the API host and control API; a page on the www host."""
    if request.path.startswith(API_PREFIXES) or error.status >= 500:
        return wix_error_response(error)
    html = render_template("sandbox/error.html", status=error.status, message=error.message)
    return html, error.status


def register_error_handlers(app: Flask) -> None:
    """Wix JSON errors on the API host; plain pages elsewhere."""
    app.register_error_handler(WixError, _render)

    @app.errorhandler(404)
    def _not_found(_exc):
        return _render(WixError(404, "Not Found", "NOT_FOUND"))

    @app.errorhandler(405)
    def _not_allowed(_exc):
        return _render(WixError(405, "Method Not Allowed", "METHOD_NOT_ALLOWED"))

    @app.errorhandler(500)
    def _internal(_exc):
        return server_error_response(500)

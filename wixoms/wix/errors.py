"""Typed errors of the Wix client, each with a message a merchant can act on.

Wix error bodies (wix-api.md §2) come in two shapes:
``{"message", "details": {"applicationError": {"code", "description", "data"}}}`` and
``{"message", "details": {"validationError": {"fieldViolations": [...]}}}``; 5xx bodies are empty.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


class WixError(Exception):
    """Any failure talking to Wix. ``status`` is the HTTP status when there was a response."""

    default_user_message = "Wix returned an error. Try again; if it persists, check the sync log."

    def __init__(
        self,
        message: str = "",
        *,
        status: int | None = None,
        code: str | None = None,
        description: str | None = None,
        field_violations: list[dict[str, Any]] | None = None,
    ) -> None:
        self.status = status
        self.code = code
        self.description = description
        self.message = message or description or code or self.__class__.__name__
        self.field_violations = list(field_violations or [])
        super().__init__(self._summary())

    def _summary(self) -> str:
        parts = [f"HTTP {self.status}" if self.status else None, self.code, self.message]
        return ": ".join(p for p in parts if p)

    @property
    def user_message(self) -> str:
        """A sentence for the merchant: what happened and what to do next."""
        return self.default_user_message


class WixValidationError(WixError):
    """400: Wix refused a field of the request."""

    @property
    def user_message(self) -> str:
        fields = ", ".join(
            f"{v.get('field')}: {v.get('description') or v.get('violatedRule')}"
            for v in self.field_violations
            if v.get("field")
        )
        detail = fields or self.description or self.message
        return f"Wix rejected the data ({detail}). Correct it and sync again."


class WixAuthError(WixError):
    """401: the access token is missing, wrong or expired."""

    default_user_message = (
        "Wix rejected the access token. wixoms will ask for a new one; "
        "if this keeps happening, reconnect the channel."
    )


class ReconnectRequired(WixAuthError):
    """Wix refused to issue a token (refresh token revoked, app removed from the site)."""

    default_user_message = "Wix rejected the token: the app was removed from the site. Reconnect."


class WixPermissionError(WixError):
    """403: the app lacks a permission scope on this site."""

    @property
    def user_message(self) -> str:
        return (
            "The wixoms app is missing a permission on this Wix site"
            f" ({self.description or self.message}). Reinstall the app to grant it."
        )


class WixNotFound(WixError):
    """404: the product, order or instance does not exist (any more) in Wix."""

    default_user_message = (
        "Wix could not find it: it was probably deleted in Wix. Check the mappings."
    )


class WixConflict(WixError):
    """409: already exists, or a stale revision."""

    default_user_message = (
        "Wix reported a conflict (it already exists or was changed at the same time). "
        "Sync again to retry with fresh data."
    )

    @property
    def user_message(self) -> str:
        if self.code == "SKU_ALREADY_EXIST_ERROR":  # SKUs are unique in a Wix store (§10)
            return (
                "Another product in Wix already uses this SKU "
                f"({self.description or self.message}). Change the SKU, then sync again."
            )
        return self.default_user_message


class WixPreconditionFailed(WixError):
    """428: e.g. a /stores/v3 call on a Catalog v1 site (wix-api.md §5)."""

    default_user_message = (
        "Wix refused the request because the site is not in the expected state "
        "(for example its catalog version changed). Re-check the catalog version."
    )


class WixRateLimited(WixError):
    """429: over 200 requests per minute for this app instance."""

    def __init__(self, message: str = "", *, retry_after: float | None = None, **kw: Any) -> None:
        self.retry_after = retry_after
        super().__init__(message, **kw)

    default_user_message = (
        "Wix is limiting requests (too many per minute). wixoms will retry later; "
        "choose a lower Throughput plan if this repeats."
    )


class WixServerError(WixError):
    """5xx: a problem on Wix's side (empty body)."""

    @property
    def user_message(self) -> str:
        return f"Wix had a temporary problem (HTTP {self.status}). The next sync will retry."


class WixUnavailable(WixError):
    """Wix could not be reached: connection errors or timeouts, after retries."""

    default_user_message = (
        "Wix could not be reached (timeout or connection error). The next sync will retry."
    )


class InvalidSignedInstance(WixError):
    """The signed ``instance`` parameter is forged, malformed or stale."""

    default_user_message = (
        "The link from Wix could not be verified. Open wixoms again from your Wix dashboard."
    )


class InvalidWebhook(WixError):
    """A webhook whose signature, instance or shape is wrong."""

    default_user_message = "A webhook could not be verified and was ignored."


class WixPayloadError(WixError):
    """Wix answered, but a field wixoms relies on is missing or malformed."""

    def __init__(self, field: str, problem: str = "is missing", **kw: Any) -> None:
        self.field = field
        super().__init__(f"{field} {problem}", **kw)

    @property
    def user_message(self) -> str:
        return f"Wix sent data wixoms could not read ({self.message}). Report this to support."


_BY_STATUS: dict[int, type[WixError]] = {
    400: WixValidationError,
    401: WixAuthError,
    403: WixPermissionError,
    404: WixNotFound,
    409: WixConflict,
    428: WixPreconditionFailed,
    429: WixRateLimited,
}


def error_from_response(
    status: int, body: Mapping[str, Any] | None, *, retry_after: float | None = None
) -> WixError:
    """Build the typed error for an HTTP error response (body already JSON-decoded or None)."""
    body = body if isinstance(body, Mapping) else {}
    details = body.get("details") if isinstance(body.get("details"), Mapping) else {}
    app_error = details.get("applicationError") or {}
    violations = (details.get("validationError") or {}).get("fieldViolations") or []
    # OAuth endpoints answer {"error", "error_description"} instead (wix-api.md §1a).
    code = app_error.get("code") or body.get("error") or body.get("code")
    description = app_error.get("description") or body.get("error_description")
    message = str(body.get("message") or description or "")
    kw: dict[str, Any] = dict(
        status=status, code=code, description=description, field_violations=violations
    )
    if status == 429:
        return WixRateLimited(message, retry_after=retry_after, **kw)
    cls = _BY_STATUS.get(status)
    if cls is None:
        cls = WixServerError if status >= 500 else WixError
    return cls(message, **kw)

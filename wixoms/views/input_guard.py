"""Refuse text input that no database column can hold, before any view sees it."""

from __future__ import annotations

from flask import Flask, abort, request


def install_input_guard(app: Flask) -> None:
    """A NUL character in a query string or form field is a 400, never a database error."""

    @app.before_request
    def _refuse_nul_characters():
        if request.path.startswith("/hooks/"):
            return None  # webhook bodies are stored as bytes and judged by their own rules
        sources = [request.args]
        if request.method in ("POST", "PUT", "PATCH") and request.mimetype in (
            "application/x-www-form-urlencoded",
            "multipart/form-data",
        ):
            sources.append(request.form)
        texts = (
            text for source in sources for key, values in source.lists() for text in (key, *values)
        )
        if any("\x00" in text for text in texts):
            abort(
                400,
                description="The form contained an invalid character (NUL). Remove it "
                "and try again.",
            )
        return None

"""Refuse input that no database column can hold, before any view sees it."""

from __future__ import annotations

from flask import Flask, abort, request
from werkzeug.routing import IntegerConverter, ValidationError

from wixoms.ids import ID_DIGITS, ID_MAX


class BoundedIntConverter(IntegerConverter):
    """``<int:id>`` in every route: an id no column can hold is a 404, not a database error."""

    def __init__(self, map, *args, **kwargs) -> None:
        kwargs.setdefault("max", ID_MAX)
        super().__init__(map, *args, **kwargs)

    def to_python(self, value: str):
        if len(value) > ID_DIGITS:
            raise ValidationError()
        return super().to_python(value)


def install_int_converter(app: Flask) -> None:
    """Register before the blueprints so that their rules use it."""
    app.url_map.converters["int"] = BoundedIntConverter


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

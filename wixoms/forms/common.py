"""Field types and helpers shared by the OMS forms: numbers with merchant-friendly messages."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from wtforms import StringField
from wtforms.validators import StopValidation

NUMBER_RE = re.compile(r"^-?\d+(\.\d+)?$")
CODE_RE = r"^[A-Za-z0-9][A-Za-z0-9_.-]*$"
URL_RE = r"^https?://[^\s/$.?#][^\s]*$"


class NumberField(StringField):
    """A text input parsed into a Decimal (`.value`), with messages a merchant understands.

    Plain text rather than `type=number` so a malformed value reaches the server and gets a
    message next to the field instead of a browser tooltip that differs per browser.
    """

    def __init__(
        self,
        label: str,
        *,
        noun: str,
        example: str,
        places: int = 0,
        max_value: Decimal | int = 1_000_000_000,
        required: bool = True,
        **kwargs,
    ) -> None:
        render_kw = {"inputmode": "decimal" if places else "numeric", "autocomplete": "off"}
        render_kw.update(kwargs.pop("render_kw", {}))
        super().__init__(label, render_kw=render_kw, **kwargs)
        self.noun, self.example, self.places = noun, example, places
        self.max_value, self.required = Decimal(max_value), required
        self.value: Decimal | None = None
        if required:
            self.flags.required = True

    def process_formdata(self, valuelist: list) -> None:
        self.data = (valuelist[0] if valuelist else "").strip()

    def _value(self) -> str:
        return "" if self.data is None else str(self.data)

    def pre_validate(self, form) -> None:
        self.value = None
        raw = self._value()
        if not raw:
            if self.required:
                raise StopValidation(f"Enter the {self.noun}, like {self.example}.")
            return
        if not NUMBER_RE.match(raw):
            raise StopValidation(f"Enter the {self.noun} as a number, like {self.example}.")
        try:
            value = Decimal(raw)
        except InvalidOperation as exc:  # pragma: no cover - the regex already refused it
            raise StopValidation(f"Enter the {self.noun} as a number.") from exc
        if value < 0:
            raise StopValidation(f"The {self.noun} cannot be negative.")
        decimals = -value.as_tuple().exponent if value.as_tuple().exponent < 0 else 0
        if decimals > self.places:
            if self.places == 0:
                raise StopValidation(f"The {self.noun} is a whole number.")
            raise StopValidation(f"The {self.noun} has at most {self.places} decimals.")
        if value > self.max_value:
            raise StopValidation(f"The {self.noun} is at most {self.max_value}.")
        self.value = value


def strip(value: str | None) -> str | None:
    """WTForms filter: trim text inputs."""
    return value.strip() if isinstance(value, str) else value


def contains_pattern(text: str) -> str:
    """A LIKE pattern matching `text` anywhere, with LIKE's wildcards taken literally."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def commit_or_field_error(field, message: str) -> bool:
    """Commit; when a unique constraint fires (a race the pre-check missed) roll back and
    put `message` next to `field` instead of failing with a 500."""
    from sqlalchemy.exc import IntegrityError

    from wixoms.extensions import db

    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        field.errors = [*field.errors, message]
        return False
    return True


def taken(model, column, value: str, account_id: int, own_id: int | None) -> bool:
    """Whether a row of `model` in the account, other than `own_id`, already has `value` in
    `column`, compared case-insensitively (as people read names and codes)."""
    from sqlalchemy import func

    from wixoms.extensions import db

    stmt = db.select(model.id).where(
        model.account_id == account_id, func.lower(column) == value.lower()
    )
    if own_id is not None:
        stmt = stmt.where(model.id != own_id)
    return db.session.scalar(stmt) is not None

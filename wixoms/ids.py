"""Whole numbers from the outside world (URLs, forms) that a database column can hold."""

from __future__ import annotations

# PostgreSQL's integer; SQLite's 2^63 is larger, so one bound serves both.
ID_MAX = 2**31 - 1
ID_DIGITS = len(str(ID_MAX))


def bounded_int(raw: object, *, high: int = ID_MAX) -> int | None:
    """A whole number from 0 to ``high``, or None: never a huge ``int()`` or an overflow."""
    text = str(raw if raw is not None else "").strip()
    if not text.isdigit() or not text.isascii() or len(text) > ID_DIGITS:
        return None
    value = int(text)
    return value if value <= high else None

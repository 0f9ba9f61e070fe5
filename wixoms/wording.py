"""Words a merchant reads instead of Wix's codes, and plurals that agree with their number.

One place for both: the sync log, flashes and templates use the same words (templates through
the filters registered by ``register_filters``).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

from flask import Flask

# Wix eCommerce order status (wix-api.md §8): what each means for the merchant.
WIX_ORDER_STATUS_WORDS = {
    "INITIALIZED": "Not completed",
    "APPROVED": "Approved",
    "PENDING": "Awaiting payment",
    "CANCELED": "Canceled",
    "REJECTED": "Payment declined",
}
# Payment status (wix-api.md §8 and §10: the SDK lists more values than the docs).
PAYMENT_STATUS_WORDS = {
    "UNSPECIFIED": "Unknown",
    "NOT_PAID": "Not paid",
    "PAID": "Paid",
    "PENDING": "Payment pending",
    "PARTIALLY_PAID": "Partially paid",
    "PARTIALLY_REFUNDED": "Partially refunded",
    "FULLY_REFUNDED": "Refunded",
    "PENDING_MERCHANT": "Awaiting your confirmation",
    "CANCELED": "Canceled",
    "DECLINED": "Declined",
}
FULFILLMENT_STATUS_WORDS = {
    "NOT_FULFILLED": "Not fulfilled",
    "PARTIALLY_FULFILLED": "Partially fulfilled",
    "FULFILLED": "Fulfilled",
}
# Irregular plurals of the nouns the pages count; the rest take an "s".
IRREGULAR = {"entry": "entries", "delivery": "deliveries", "category": "categories"}


def plural(count: int, noun: str, plural_form: str | None = None) -> str:
    """'1 order', '3 orders', '0 orders'; the number is written with thousands separators."""
    word = noun if count == 1 else (plural_form or IRREGULAR.get(noun) or f"{noun}s")
    return f"{count:,} {word}"


def _humanize(code: str | None) -> str:
    """An unknown code, readable: 'SOME_NEW_VALUE' → 'Some new value'."""
    text = (code or "").replace("_", " ").strip().lower()
    return text[:1].upper() + text[1:] if text else "—"


def wix_order_status(code: str | None) -> str:
    return WIX_ORDER_STATUS_WORDS.get(code or "", _humanize(code))


def payment_status(code: str | None) -> str:
    return PAYMENT_STATUS_WORDS.get(code or "", _humanize(code))


def fulfillment_status(code: str | None) -> str:
    return FULFILLMENT_STATUS_WORDS.get(code or "", _humanize(code))


def either_of(words: Iterable[str], conjunction: str = "or") -> str:
    """'Approved', 'Approved or Awaiting payment', 'A, B or C'."""
    items = [w for w in words if w]
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} {conjunction} {items[-1]}"


def ago(when: datetime | None, now: datetime | None = None) -> str:
    """'just now', '12 min ago', '3 h ago', then the date: 'Nov 28, 14:05 UTC'."""
    if when is None:
        return "never"
    when = when if when.tzinfo else when.replace(tzinfo=UTC)
    seconds = ((now or datetime.now(UTC)) - when).total_seconds()
    if seconds < 60:
        return "just now"
    if seconds < 3600:
        return f"{int(seconds // 60)} min ago"
    if seconds < 24 * 3600:
        return f"{int(seconds // 3600)} h ago"
    return f"{when:%b %d, %H:%M} UTC"


def register_filters(app: Flask) -> None:
    """Words for templates: {{ n|plural('order') }}, {{ code|wix_status }} and the like."""
    app.jinja_env.filters.update(
        plural=lambda count, noun, plural_form=None: plural(int(count or 0), noun, plural_form),
        wix_status=wix_order_status,
        payment_status=payment_status,
        fulfillment_status=fulfillment_status,
        ago=ago,
    )

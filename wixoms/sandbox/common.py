"""Small helpers shared by the sandbox: clock, ids, dates and money as Wix writes them."""

from __future__ import annotations

import random
import threading
import time
import uuid
from datetime import UTC, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

CURRENCY_SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£", "ILS": "₪", "CAD": "CA$", "AUD": "A$"}
WIX_STORES_APP_ID = "215238eb-22a5-4c36-9e7b-e7c08025e04e"
ZERO_VARIANT_ID = "00000000-0000-0000-0000-000000000000"


class Clock:
    """Wall clock with an offset tests can advance (codes expire after 10 minutes)."""

    def __init__(self) -> None:
        self.offset = 0.0
        self._last = 0.0
        self._lock = threading.Lock()

    def time(self) -> float:
        return time.time() + self.offset

    def advance(self, seconds: float) -> None:
        self.offset += seconds

    def reset(self) -> None:
        self.offset = 0.0

    def stamp(self) -> str:
        """A strictly increasing ISO timestamp: every change gets a newer updatedDate."""
        with self._lock:
            now = max(self.time(), self._last + 0.001)
            self._last = now
        return iso(datetime.fromtimestamp(now, UTC))


def iso(value: datetime) -> str:
    """ISO-8601 UTC with milliseconds and Z, as Wix writes dates."""
    value = value.astimezone(UTC)
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"


def parse_iso(text: str) -> datetime:
    """Parse the ISO-8601 forms clients send (Z or offset, with or without fractions)."""
    text = text.strip()
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    value = datetime.fromisoformat(text)
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def normalize_date(text: str) -> str:
    """Canonical form of a date string, so dates compare as strings."""
    return iso(parse_iso(text))


def new_id(rng: random.Random | None = None) -> str:
    """A GUID; deterministic when a seeded rng is given."""
    if rng is None:
        return str(uuid.uuid4())
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def money(value: Decimal | float | int | str) -> Decimal:
    """Round to cents."""
    return Decimal(str(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def amount(value: Decimal | float | int | str) -> str:
    """Decimal string as v3 and eCommerce write money ("129.99")."""
    return str(money(value))


def money_number(value: Decimal | float | int | str) -> float | int:
    """JSON number as catalog v1 writes money (10 or 10.5)."""
    rounded = money(value)
    return int(rounded) if rounded == rounded.to_integral() else float(rounded)


def formatted(value: Decimal | float | int | str, currency: str) -> str:
    """Human form of a price, e.g. "$129.99"."""
    symbol = CURRENCY_SYMBOLS.get(currency, currency + " ")
    return f"{symbol}{money(value):,.2f}"


def price_obj(value: Decimal | float | int | str, currency: str) -> dict:
    """The eCommerce/v3 price object {amount, formattedAmount}."""
    return {"amount": amount(value), "formattedAmount": formatted(value, currency)}


def slugify(name: str) -> str:
    """Lower-case dashed slug of a product name."""
    out = "".join(c.lower() if c.isalnum() else "-" for c in name)
    while "--" in out:
        out = out.replace("--", "-")
    return out.strip("-") or "product"


def base_datetime(text: str | None) -> datetime:
    """The seed's fixed starting point (deterministic unless a date is given)."""
    if text:
        return parse_iso(text)
    return datetime(2025, 1, 1, tzinfo=UTC)


def plus(value: datetime, **kwargs: float) -> datetime:
    return value + timedelta(**kwargs)

"""Typed Wix objects: Decimal money, unknown fields ignored, missing used fields named loudly.

Wix omits fields that have no value (wix-api.md §2), so optional fields default to None or
empty; the fields wixoms cannot work without raise WixPayloadError naming the field's path.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from .errors import WixPayloadError

_MISSING = object()


def _get(obj: Any, path: str, default: Any = None) -> Any:
    # JSON decodes to dicts; checking dict (not the Mapping ABC) keeps parsing 100 orders cheap.
    for key in _split(path):
        if not isinstance(obj, dict):
            return default
        obj = obj.get(key)
        if obj is None:
            return default
    return obj


@functools.cache
def _split(path: str) -> tuple[str, ...]:
    return tuple(path.split("."))


def req(obj: Any, path: str, where: str) -> Any:
    """The value at dotted ``path`` or WixPayloadError("where.path is missing")."""
    value = _get(obj, path, _MISSING)
    if value is _MISSING or value == "":
        raise WixPayloadError(f"{where}.{path}")
    return value


def to_decimal(value: Any, where: str) -> Decimal:
    """Money from a decimal string, a JSON number or ``{"amount": "1.00"}``."""
    if isinstance(value, dict):
        value = value.get("amount", value.get("value"))
    if isinstance(value, float):
        value = repr(value)  # the shortest repr round-trips what Wix wrote
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise WixPayloadError(where, f"is not an amount: {value!r}") from None


def money(obj: Any, path: str, where: str, *, required: bool = False) -> Decimal:
    value = req(obj, path, where) if required else _get(obj, path)
    return Decimal("0") if value is None else to_decimal(value, f"{where}.{path}")


def parse_datetime(value: Any, where: str) -> datetime:
    """An ISO-8601 timestamp (``2024-01-01T00:00:00.000Z``) as an aware UTC datetime."""
    if not isinstance(value, str):
        raise WixPayloadError(where, f"is not a timestamp: {value!r}")
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise WixPayloadError(where, f"is not a timestamp: {value!r}") from None
    return parsed.astimezone(UTC) if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def format_datetime(value: datetime) -> str:
    """UTC ISO-8601 with milliseconds and Z, as Wix writes and filters dates."""
    value = value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"


@dataclass(frozen=True)
class AppInstance:
    """The app's installation on one site (GET /apps/v1/instance)."""

    instance_id: str
    site_id: str | None
    site_display_name: str | None
    site_url: str | None
    owner_email: str | None
    app_name: str | None
    raw: dict[str, Any] = field(repr=False, compare=False, default_factory=dict)

    @classmethod
    def from_wix(cls, body: Mapping[str, Any]) -> AppInstance:
        return cls(
            instance_id=str(req(body, "instance.instanceId", "response")),
            site_id=_get(body, "site.siteId"),
            site_display_name=_get(body, "site.siteDisplayName"),
            site_url=_get(body, "site.url"),
            owner_email=_get(body, "site.ownerInfo.email"),
            app_name=_get(body, "instance.appName"),
            raw=dict(body),
        )


@dataclass(frozen=True)
class Address:
    country: str | None = None
    subdivision: str | None = None
    city: str | None = None
    postal_code: str | None = None
    address_line1: str | None = None
    address_line2: str | None = None

    @classmethod
    def from_wix(cls, a: Mapping[str, Any] | None) -> Address | None:
        if not a:
            return None
        line1 = a.get("addressLine1") or a.get("addressLine")
        street = a.get("streetAddress") or {}
        if not line1 and street:
            line1 = " ".join(str(p) for p in (street.get("number"), street.get("name")) if p)
        return cls(
            country=a.get("country"),
            subdivision=a.get("subdivision"),
            city=a.get("city"),
            postal_code=a.get("postalCode"),
            address_line1=line1 or None,
            address_line2=a.get("addressLine2"),
        )


@dataclass(frozen=True)
class Contact:
    first_name: str | None = None
    last_name: str | None = None
    phone: str | None = None
    company: str | None = None

    @classmethod
    def from_wix(cls, c: Mapping[str, Any] | None) -> Contact | None:
        if not c:
            return None
        return cls(c.get("firstName"), c.get("lastName"), c.get("phone"), c.get("company"))


@dataclass(frozen=True)
class Buyer:
    email: str | None
    contact_id: str | None
    first_name: str | None
    last_name: str | None
    phone: str | None


@dataclass(frozen=True)
class LineItem:
    id: str
    product_id: str | None
    variant_id: str | None
    options: dict[str, str]
    sku: str | None
    name: str
    quantity: int
    price: Decimal

    @classmethod
    def from_wix(cls, li: Mapping[str, Any], where: str) -> LineItem:
        options = _get(li, "catalogReference.options") or {}
        choices = options.get("options") or _described_choices(li)
        return cls(
            id=str(req(li, "id", where)),
            product_id=_get(li, "catalogReference.catalogItemId"),
            variant_id=options.get("variantId"),
            options={str(k): str(v) for k, v in choices.items()},
            sku=_get(li, "physicalProperties.sku") or None,
            name=str(_get(li, "productName.original") or req(li, "productName.translated", where)),
            quantity=int(req(li, "quantity", where)),
            price=money(li, "price", where, required=True),
        )


def _described_choices(li: Mapping[str, Any]) -> dict[str, str]:
    """The variant's choices from ``descriptionLines`` (catalog v3 lines name only variantId)."""
    out: dict[str, str] = {}
    for line in li.get("descriptionLines") or []:
        if not isinstance(line, Mapping):
            continue
        name = _get(line, "name.original")
        value = _get(line, "plainText.original") or _get(line, "colorInfo.original")
        if name and value:
            out[str(name)] = str(value)
    return out


@dataclass(frozen=True)
class Totals:
    subtotal: Decimal
    shipping: Decimal
    tax: Decimal
    discount: Decimal
    total: Decimal


@dataclass(frozen=True)
class Order:
    """An eCommerce order (wix-api.md §8); ``raw`` keeps the whole payload."""

    id: str
    number: str
    status: str
    payment_status: str | None
    fulfillment_status: str | None
    created_date: datetime
    updated_date: datetime
    currency: str | None
    buyer: Buyer
    billing_address: Address | None
    billing_contact: Contact | None
    shipping_address: Address | None
    shipping_contact: Contact | None
    shipping_title: str | None
    is_pickup: bool
    line_items: list[LineItem]
    totals: Totals
    buyer_note: str | None
    raw: dict[str, Any] = field(repr=False, compare=False, default_factory=dict)

    @classmethod
    def from_wix(cls, o: Mapping[str, Any]) -> Order:
        where = f"order[{o.get('id', '?')}]" if isinstance(o, Mapping) else "order"
        if not isinstance(o, Mapping):
            raise WixPayloadError("order", "is not an object")
        logistics = _get(o, "shippingInfo.logistics") or {}
        pickup = logistics.get("pickupDetails")
        destination = logistics.get("shippingDestination") or o.get("recipientInfo") or {}
        if pickup:
            destination = {"address": pickup.get("address"), **_only_contact(destination)}
        billing = o.get("billingInfo") or {}
        bill_contact = billing.get("contactDetails") or {}
        ship_contact = destination.get("contactDetails") or {}
        names = bill_contact or ship_contact
        ps = o.get("priceSummary") or {}
        return cls(
            id=str(req(o, "id", where)),
            number=str(req(o, "number", where)),
            status=str(req(o, "status", where)),
            payment_status=o.get("paymentStatus"),
            fulfillment_status=o.get("fulfillmentStatus"),
            created_date=parse_datetime(req(o, "createdDate", where), f"{where}.createdDate"),
            updated_date=parse_datetime(req(o, "updatedDate", where), f"{where}.updatedDate"),
            currency=o.get("currency"),
            buyer=Buyer(
                email=_get(o, "buyerInfo.email"),
                contact_id=_get(o, "buyerInfo.contactId"),
                first_name=names.get("firstName"),
                last_name=names.get("lastName"),
                phone=bill_contact.get("phone") or ship_contact.get("phone"),
            ),
            billing_address=Address.from_wix(billing.get("address")),
            billing_contact=Contact.from_wix(bill_contact),
            shipping_address=Address.from_wix(destination.get("address")),
            shipping_contact=Contact.from_wix(ship_contact),
            shipping_title=_get(o, "shippingInfo.title"),
            is_pickup=bool(pickup),
            line_items=[
                LineItem.from_wix(li, f"{where}.lineItems[{i}]")
                for i, li in enumerate(o.get("lineItems") or [])
            ],
            totals=Totals(
                subtotal=money(ps, "subtotal", f"{where}.priceSummary"),
                shipping=money(ps, "shipping", f"{where}.priceSummary"),
                tax=money(ps, "tax", f"{where}.priceSummary"),
                discount=money(ps, "discount", f"{where}.priceSummary"),
                total=money(ps, "total", f"{where}.priceSummary"),
            ),
            buyer_note=o.get("buyerNote"),
            raw=dict(o),
        )


def _only_contact(destination: Mapping[str, Any]) -> dict[str, Any]:
    contact = destination.get("contactDetails")
    return {"contactDetails": contact} if contact else {}


@dataclass(frozen=True)
class OrderPage:
    orders: list[Order]
    next_cursor: str | None
    has_next: bool


@dataclass(frozen=True)
class Fulfillment:
    id: str
    line_items: list[tuple[str, int]]
    tracking_number: str | None
    shipping_provider: str | None
    tracking_link: str | None
    created_date: datetime | None
    raw: dict[str, Any] = field(repr=False, compare=False, default_factory=dict)

    @classmethod
    def from_wix(cls, f: Mapping[str, Any]) -> Fulfillment:
        where = "fulfillment"
        created = f.get("createdDate")
        return cls(
            id=str(req(f, "id", where)),
            line_items=[
                (str(li.get("id")), int(li.get("quantity") or 0)) for li in f.get("lineItems") or []
            ],
            tracking_number=_get(f, "trackingInfo.trackingNumber"),
            shipping_provider=_get(f, "trackingInfo.shippingProvider"),
            tracking_link=_get(f, "trackingInfo.trackingLink"),
            created_date=parse_datetime(created, f"{where}.createdDate") if created else None,
            raw=dict(f),
        )


# --- catalog (both versions map into these) ----------------------------------------------


@dataclass(frozen=True)
class VariantRef:
    """Where one sellable variant lives in Wix; hashable, stored by the OMS as the mapping."""

    product_id: str
    variant_id: str


@dataclass(frozen=True)
class Variant:
    id: str
    product_id: str
    sku: str | None
    choices: dict[str, str]
    visible: bool
    price: Decimal | None
    quantity: int | None = None
    track_quantity: bool | None = None
    in_stock: bool | None = None

    @property
    def ref(self) -> VariantRef:
        return VariantRef(self.product_id, self.variant_id)

    @property
    def variant_id(self) -> str:
        return self.id


@dataclass(frozen=True)
class Product:
    id: str
    name: str
    visible: bool
    sku: str | None
    price: Decimal | None
    options: list[tuple[str, list[str]]]
    variants: list[Variant]
    revision: str | None = None
    numeric_id: str | None = None
    raw: dict[str, Any] = field(repr=False, compare=False, default_factory=dict)

    @property
    def has_variants(self) -> bool:
        return bool(self.options)


@dataclass(frozen=True)
class VariantSpec:
    """One wanted variant: its option choices, SKU and price (None → the product's price)."""

    choices: dict[str, str]
    sku: str
    price: Decimal | None = None
    visible: bool = True


@dataclass
class ProductSpec:
    """What the OMS wants a Wix product to be. Without options it is a single-SKU product."""

    name: str
    price: Decimal
    sku: str | None = None
    options: list[tuple[str, list[str]]] = field(default_factory=list)
    variants: list[VariantSpec] = field(default_factory=list)
    visible: bool = True
    description: str = ""


@dataclass
class InventoryResult:
    """What set_inventory did: strategy, HTTP calls spent, refs updated and refs that failed."""

    strategy: str
    calls: int = 0
    updated: list[VariantRef] = field(default_factory=list)
    failed: dict[VariantRef, str] = field(default_factory=dict)

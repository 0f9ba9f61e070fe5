"""What the merchant does to an order by hand: ship it (a Shipment the fulfillment push sends
to Wix) and release it from hold once its unknown SKUs exist."""

from __future__ import annotations

from collections.abc import Mapping

from wixoms.extensions import db
from wixoms.forms.catalog import TRACKING_PLACEHOLDER, WIX_PROVIDER_CODES
from wixoms.forms.orders import ShipmentForm
from wixoms.models import Carrier, Order, Shipment, ShipmentLine, SkuMapping, Variant


def carrier_choices(account_id: int) -> list[tuple]:
    """Options of the carrier select: the account's carriers by name."""
    carriers = db.session.scalars(
        db.select(Carrier).where(Carrier.account_id == account_id).order_by(Carrier.name)
    ).all()
    return [("", "Choose a carrier…")] + [(c.id, c.name) for c in carriers]


def remaining_quantities(order: Order) -> dict[int, int]:
    """Per order line id: quantity not yet in any shipment."""
    shipped: dict[int, int] = {}
    for shipment in order.shipments:
        for line in shipment.lines:
            shipped[line.order_line_id] = shipped.get(line.order_line_id, 0) + line.quantity
    return {line.id: max(line.quantity - shipped.get(line.id, 0), 0) for line in order.lines}


def add_shipment(
    order: Order, form: ShipmentForm, formdata: Mapping[str, str]
) -> tuple[Shipment | None, dict]:
    """Create a shipment of the quantities asked (`qty-<line id>`); problems keyed by field."""
    problems: dict = {}
    if order.on_hold:
        problems["form"] = "This order is on hold. Fix the reason and release it before shipping."
    elif order.status in ("cancelled", "merged"):
        problems["form"] = f"A {order.status} order cannot be shipped."
    remaining = remaining_quantities(order)
    quantities = _quantities(formdata, remaining, problems)
    if not problems and not any(quantities.values()):
        problems["form"] = "Ship at least one item."
    carrier = db.session.get(Carrier, form.carrier_id.data)
    url = _tracking_url(form, carrier, problems)
    number = form.tracking_number.data
    if any(s.tracking_number == number for s in order.shipments):
        form.tracking_number.errors.append(f"This order already has a shipment {number}.")
        problems["tracking_number"] = True
    if problems:
        return None, problems
    shipment = Shipment(order=order, carrier=carrier, tracking_number=number, tracking_url=url)
    for line in order.lines:
        if quantities.get(line.id):
            shipment.lines.append(ShipmentLine(order_line=line, quantity=quantities[line.id]))
    db.session.add(shipment)
    left = sum(remaining.values()) - sum(quantities.values())
    order.status = "shipped" if left == 0 else "partially_shipped"
    db.session.commit()
    return shipment, {}


def _quantities(formdata: Mapping[str, str], remaining: dict[int, int], problems: dict) -> dict:
    quantities: dict[int, int] = {}
    for line_id, left in remaining.items():
        if left == 0:
            continue
        raw = (formdata.get(f"qty-{line_id}") or "0").strip()
        if not raw.isdigit():
            problems[f"qty-{line_id}"] = "Enter a whole number."
        elif int(raw) > left:
            problems[f"qty-{line_id}"] = f"At most {left} left to ship."
        else:
            quantities[line_id] = int(raw)
    return quantities


def _tracking_url(form: ShipmentForm, carrier: Carrier | None, problems: dict) -> str:
    """The link Wix shows the buyer: typed, else the carrier's template; Wix builds its own
    only for the providers it knows."""
    url = form.tracking_url.data or ""
    if url or carrier is None:
        return url
    if carrier.tracking_url_template:
        return carrier.tracking_url_template.replace(
            TRACKING_PLACEHOLDER, form.tracking_number.data
        )[:500]
    if carrier.code.lower() not in WIX_PROVIDER_CODES:
        form.tracking_url.errors.append(
            f"Wix builds tracking links only for {', '.join(WIX_PROVIDER_CODES)}: "
            f"give the tracking URL for {carrier.name}."
        )
        problems["tracking_url"] = True
    return ""


def release_hold(order: Order) -> list[str]:
    """Link lines to the variants now known and release the hold; return SKUs still unknown."""
    unknown: list[str] = []
    for line in order.lines:
        if line.variant_id is not None:
            continue
        variant = _variant_for(order, line.sku)
        if variant is None:
            unknown.append(line.sku or f"(no SKU) {line.name}")
        else:
            line.variant_id = variant.id
    if unknown:
        db.session.rollback()
        return unknown
    order.hold_reason = None
    if order.status == "on_hold":
        order.status = "open"
    db.session.commit()
    return []


def _variant_for(order: Order, sku: str) -> Variant | None:
    if not sku:
        return None
    variant = db.session.scalar(
        db.select(Variant).where(Variant.account_id == order.account_id, Variant.sku == sku)
    )
    if variant is None and order.channel_id is not None:
        mapping = db.session.scalar(
            db.select(SkuMapping).where(
                SkuMapping.channel_id == order.channel_id, SkuMapping.wix_sku == sku
            )
        )
        variant = mapping.variant if mapping else None
    return variant

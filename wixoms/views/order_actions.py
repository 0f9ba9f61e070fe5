"""What the merchant does to an order by hand: ship it (a Shipment the fulfillment push sends
to Wix), map a Wix line without SKU, and release it from hold once every line is linked."""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy.exc import IntegrityError

from wixoms.extensions import db
from wixoms.forms.catalog import TRACKING_PLACEHOLDER, WIX_PROVIDER_CODES
from wixoms.forms.orders import ShipmentForm
from wixoms.ids import bounded_int
from wixoms.models import Carrier, Order, OrderLine, Shipment, ShipmentLine, Variant, WixItemMapping
from wixoms.order_state import SHIPPABLE, apply_state
from wixoms.sync.orders.holds import line_problems, release_if_mapped
from wixoms.sync.orders.rules import OrderRules
from wixoms.sync.stock import consume_shipment


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
    elif order.status == "awaiting_payment":
        problems["form"] = "This order awaits payment in Wix: it can be shipped once it is paid."
    elif order.status not in SHIPPABLE:
        problems["form"] = f"A {order.status.replace('_', ' ')} order cannot be shipped."
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
    consume_shipment(shipment)
    left = sum(remaining.values()) - sum(quantities.values())
    apply_state(order, "shipped" if left == 0 else "partially_shipped")
    db.session.commit()
    return shipment, {}


def _quantities(formdata: Mapping[str, str], remaining: dict[int, int], problems: dict) -> dict:
    quantities: dict[int, int] = {}
    for line_id, left in remaining.items():
        if left == 0:
            continue
        raw = (formdata.get(f"qty-{line_id}") or "0").strip()
        quantity = bounded_int(raw)
        if quantity is None and not raw.isdigit():
            problems[f"qty-{line_id}"] = "Enter a whole number."
        elif quantity is None or quantity > left:
            problems[f"qty-{line_id}"] = f"At most {left} left to ship."
        else:
            quantities[line_id] = quantity
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
    """Bind lines to the variants now known and release the hold; return what is still wrong
    (unknown SKUs, lines without SKU, SKU mismatches), nothing changed then."""
    left = release_if_mapped(order, OrderRules.for_order(order))
    if left:
        db.session.rollback()
        return [p.label() for p in left]
    db.session.commit()
    return []


def map_line_item(order: Order, line: OrderLine, oms_sku: str) -> str | None:
    """Map the Wix product (and variant) of a line without SKU to an OMS SKU, for this order
    and every later one; return why it cannot be, or None (not committed: release_hold is)."""
    if line.variant_id is not None:
        return "This line is already linked to an OMS SKU."
    if line.sku:
        return (
            f"This line has the Wix SKU {line.sku}: map that SKU under the channel's SKU Mappings."
        )
    if order.channel_id is None:
        return "This order's channel was deleted: its Wix products can no longer be mapped."
    if not line.wix_product_id:
        return "Wix sent no product for this line (a custom item), so it cannot be mapped."
    variant = db.session.scalar(
        db.select(Variant).where(Variant.account_id == order.account_id, Variant.sku == oms_sku)
    )
    if variant is None:
        return f"There is no OMS SKU {oms_sku}: add it under Products first, or check the spelling."
    mapping = db.session.scalar(
        db.select(WixItemMapping).where(
            WixItemMapping.channel_id == order.channel_id,
            WixItemMapping.wix_product_id == line.wix_product_id,
            WixItemMapping.wix_variant_id == (line.wix_variant_id or ""),
        )
    )
    if mapping is None:
        mapping = WixItemMapping(
            channel_id=order.channel_id,
            wix_product_id=line.wix_product_id,
            wix_variant_id=line.wix_variant_id or "",
        )
        db.session.add(mapping)
    mapping.variant_id = variant.id
    mapping.product_name = line.name[:255]
    try:
        db.session.flush()
    except IntegrityError:  # mapped by another request meanwhile
        db.session.rollback()
        return "This Wix product was just mapped by someone else; reload the page."
    return None


BULK_RELEASE_MAX = 500


def ready_to_release(orders: list[Order]) -> set[int]:
    """Ids of the held orders whose every unbound line now binds to a variant."""
    ready = set()
    rules: dict[int | None, OrderRules] = {}
    for order in orders:
        if not order.on_hold:
            continue
        if order.channel_id not in rules:
            rules[order.channel_id] = OrderRules.for_order(order)
        if all(p is None for _, p in line_problems(order, rules[order.channel_id])):
            ready.add(order.id)
    return ready


def release_holds(
    account_id: int, order_ids: list[int] | None
) -> tuple[list[Order], list[tuple[Order, list[str]]]]:
    """Release the account's held orders (the given ids, or all that are ready), each in its
    own transaction; return those released and those still held with their unknown SKUs."""
    stmt = db.select(Order).where(Order.account_id == account_id, Order.hold_reason.is_not(None))
    if order_ids is not None:
        stmt = stmt.where(Order.id.in_(order_ids[:BULK_RELEASE_MAX]))
    held = list(db.session.scalars(stmt.order_by(Order.placed_at, Order.id)))
    if order_ids is None:
        ready = ready_to_release(held)
        held = [o for o in held if o.id in ready][:BULK_RELEASE_MAX]
    released: list[Order] = []
    still: list[tuple[Order, list[str]]] = []
    for order in held:
        unknown = release_hold(order)
        if unknown:
            still.append((order, unknown))
        else:
            released.append(order)
    return released, still

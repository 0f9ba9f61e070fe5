"""Demo data for `flask wixoms seed-demo`: two accounts, three warehouses, ~50 products with
stock, the four carriers Wix knows, a few orders and a demo user. Safe to run again: every
object is found by its natural key (name, code, SKU, order number) before it is created."""

from __future__ import annotations

import itertools
import random
import secrets
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

from wixoms.extensions import db
from wixoms.models import (
    Account,
    Carrier,
    InventoryLevel,
    Membership,
    Order,
    OrderLine,
    Product,
    Shipment,
    ShipmentLine,
    User,
    Variant,
    Warehouse,
)
from wixoms.models._base import utcnow

DEMO_EMAIL = "demo@wixoms.local"
CARRIERS = (("UPS", "ups"), ("USPS", "usps"), ("FedEx", "fedex"), ("DHL Express", "dhl"))
SIZES = ["S", "M", "L", "XL"]


@dataclass
class Shop:
    name: str
    warehouses: list[tuple[str, str, str]]
    simple: list[tuple[str, str, str, str]]  # name, sku, price, weight
    with_options: list[tuple[str, str, str, dict[str, list[str]]]] = field(default_factory=list)


ACME = Shop(
    "Acme Outdoor",
    [
        ("MAIN", "Main warehouse", "1 Harbor Road, Newark NJ 07114, US"),
        ("WEST", "West coast", "400 Bay Street, Oakland CA 94607, US"),
    ],
    [
        ("Trail Water Bottle 750 ml", "BOTTLE-750", "14.90", "0.2"),
        ("Enamel Camp Mug", "MUG-CAMP", "9.50", "0.25"),
        ("Headlamp 300 lm", "LAMP-300", "29.00", "0.09"),
        ("Trekking Poles (pair)", "POLES-CARBON", "89.00", "0.48"),
        ("Dry Bag 20 L", "DRYBAG-20", "24.00", "0.15"),
        ("First Aid Kit", "FAK-TRAIL", "32.00", "0.3"),
        ("Baseplate Compass", "COMPASS-BP", "19.90", "0.05"),
        ("Ferro Firestarter", "FIRE-FERRO", "12.00", "0.07"),
        ("Self-inflating Sleeping Pad", "PAD-SI", "79.00", "0.9"),
        ("Camping Stove", "STOVE-MINI", "45.00", "0.12"),
        ("Gas Canister 230 g", "GAS-230", "6.90", "0.37"),
        ("Trail Bars (12-pack)", "BAR-12", "18.00", "0.6"),
        ("Waterproof Map Case", "MAPCASE", "15.00", "0.08"),
        ("Insect Repellent", "REPEL-100", "8.50", "0.1"),
        ("Sunscreen SPF 50", "SUN-50", "11.00", "0.12"),
        ("Carabiner Set (3)", "CARA-3", "16.00", "0.1"),
        ("Paracord 30 m", "CORD-30", "10.00", "0.2"),
        ("Titanium Spork", "SPORK-TI", "9.90", "0.02"),
        ("Travel Hammock", "HAMMOCK", "49.00", "0.5"),
        ("Rain Poncho", "PONCHO", "22.00", "0.3"),
        ("Emergency Blanket", "BLANKET-EMG", "4.90", "0.06"),
    ],
    [
        ("Merino T-shirt", "TEE-MER", "39.00", {"Size": SIZES}),
        ("Hiking Socks", "SOCK-HIK", "14.00", {"Size": ["S", "M", "L"]}),
        ("Rain Jacket", "JKT-RAIN", "129.00", {"Size": ["S", "M", "L"], "Color": ["Red", "Navy"]}),
        ("Fleece Hoodie", "HOOD-FLC", "69.00", {"Size": ["M", "L"], "Color": ["Grey", "Forest"]}),
        ("Trail Runner Shoes", "SHOE-TR", "119.00", {"Size": ["40", "41", "42", "43", "44"]}),
        ("Down Vest", "VEST-DWN", "99.00", {"Size": ["S", "M", "L"]}),
        ("Wool Beanie", "BEANIE", "24.00", {"Color": ["Black", "Mustard", "Teal"]}),
        ("Daypack 25 L", "PACK-25", "74.00", {"Color": ["Black", "Orange"]}),
        ("Backpacking Tent", "TENT", "249.00", {"Capacity": ["2P", "3P"]}),
        ("Sleeping Bag", "BAG-SLP", "159.00", {"Comfort": ["-5C", "0C"]}),
        ("Softshell Gloves", "GLOVE-SS", "29.00", {"Size": ["S", "M", "L"]}),
    ],
)

GLOBEX = Shop(
    "Globex Home",
    [("RTM", "Rotterdam", "Waalhaven Z.z. 19, 3089 JH Rotterdam, NL")],
    [
        ("Linen Napkins (set of 4)", "NAP-LIN-4", "28.00", "0.3"),
        ("Stoneware Bowl", "BOWL-STN", "16.00", "0.5"),
        ("Oak Cutting Board", "BOARD-OAK", "45.00", "1.2"),
        ("Glass Carafe 1 L", "CARAFE-1L", "24.00", "0.6"),
        ("Beeswax Candle", "CANDLE-BW", "12.00", "0.25"),
        ("Cotton Tea Towel", "TOWEL-TEA", "9.00", "0.1"),
        ("Ceramic Vase", "VASE-CER", "38.00", "0.9"),
        ("Wool Throw", "THROW-WL", "89.00", "1.1"),
        ("Pour-over Coffee Set", "COFFEE-PO", "54.00", "0.8"),
        ("Salt Cellar", "SALT-CEL", "14.00", "0.2"),
        ("Bread Knife", "KNIFE-BRD", "35.00", "0.2"),
        ("Rattan Basket", "BASKET-RT", "32.00", "0.4"),
    ],
    [
        ("Linen Duvet Cover", "DUVET-LIN", "149.00", {"Size": ["Single", "Double", "King"]}),
        ("Bath Towel", "TOWEL-BATH", "22.00", {"Color": ["White", "Sand", "Sage"]}),
        ("Dinner Plate", "PLATE-DIN", "18.00", {"Glaze": ["Chalk", "Slate"]}),
        ("Cushion Cover", "CUSH", "26.00", {"Size": ["45x45", "50x50"], "Color": ["Rust", "Ink"]}),
        ("Table Lamp", "LAMP-TBL", "79.00", {"Finish": ["Brass", "Black"]}),
        ("Apron", "APRON", "29.00", {"Color": ["Denim", "Olive"]}),
    ],
)


def seed_demo_data(password: str | None = None) -> tuple[str, str]:
    """Create (or complete) the demo world and return the demo user's email and password."""
    password = password or secrets.token_urlsafe(9)
    if len(password) < 8:
        raise ValueError("The demo password needs at least 8 characters.")
    accounts = [_seed_shop(shop) for shop in (ACME, GLOBEX)]
    user = db.session.scalar(db.select(User).where(User.email == DEMO_EMAIL))
    if user is None:
        user = User(email=DEMO_EMAIL, name="Demo Merchant")
        db.session.add(user)
    user.set_password(password)
    user.active = True
    db.session.flush()
    for account in accounts:
        membership = db.session.scalar(
            db.select(Membership).where(
                Membership.user_id == user.id, Membership.account_id == account.id
            )
        )
        if membership is None:
            db.session.add(Membership(user=user, account=account, role="admin"))
        else:
            membership.role = "admin"
    db.session.commit()
    return DEMO_EMAIL, password


def _seed_shop(shop: Shop) -> Account:
    account = _get_or_add(Account, {"name": shop.name})
    warehouses = [
        _get_or_add(
            Warehouse,
            {"account_id": account.id, "code": code},
            name=name,
            address=address,
        )
        for code, name, address in shop.warehouses
    ]
    carriers = {
        code: _get_or_add(Carrier, {"account_id": account.id, "name": name}, code=code)
        for name, code in CARRIERS
    }
    for name, sku, price, weight in shop.simple:
        _product(account, name, [(sku, {}, price, weight)], warehouses)
    for name, base, price, options in shop.with_options:
        rows = []
        for values in itertools.product(*options.values()):
            sku = "-".join([base, *(v.upper().replace(" ", "") for v in values)])
            rows.append((sku, dict(zip(options, values, strict=True)), price, None))
        _product(account, name, rows, warehouses)
    _orders(account, carriers)
    return account


def _get_or_add(model, key: dict, **values):
    obj = db.session.scalar(db.select(model).filter_by(**key))
    if obj is None:
        obj = model(**key, **values)
        db.session.add(obj)
        db.session.flush()
    return obj


def _product(account: Account, name: str, rows: list, warehouses: list[Warehouse]) -> None:
    first_sku = rows[0][0]
    existing = db.session.scalar(
        db.select(Variant).where(Variant.account_id == account.id, Variant.sku == first_sku)
    )
    if existing is not None:
        return
    product = Product(account_id=account.id, name=name, description=f"{name} from {account.name}.")
    db.session.add(product)
    rng = random.Random(first_sku)  # same stock on every machine
    for sku, options, price, weight in rows:
        variant = Variant(
            account_id=account.id,
            sku=sku,
            options=options,
            price=Decimal(price),
            weight=Decimal(weight) if weight else None,
            barcode=f"0{rng.randrange(10**11, 10**12)}",
        )
        product.variants.append(variant)
        for warehouse in warehouses:
            on_hand = rng.choice([0, 0, 3, 8, 12, 25, 40, 60, 120])
            variant.levels.append(InventoryLevel(warehouse=warehouse, on_hand=on_hand))
    db.session.flush()


BUYERS = [
    ("Jane Hiker", "jane@example.com", "12 Elm Street", "Portland", "OR", "97201", "US"),
    ("Sam Rivera", "sam.rivera@example.com", "88 Pine Ave", "Denver", "CO", "80202", "US"),
    ("Ana Costa", "ana@example.org", "Rua Augusta 5", "Lisboa", "", "1100-048", "PT"),
    ("Lee Chen", "lee.chen@example.net", "301 King St W", "Toronto", "ON", "M5V 1J5", "CA"),
]


def _orders(account: Account, carriers: dict[str, Carrier]) -> None:
    prefix = "OMS" if account.name == ACME.name else "GLX"
    skus = list(
        db.session.scalars(
            db.select(Variant)
            .where(Variant.account_id == account.id)
            .order_by(Variant.id)
            .limit(12)
        )
    )
    plans = [
        ("open", [0, 3], None),
        ("shipped", [1], "ups"),
        ("on_hold", [2, None], None),
        ("open", [4, 5], None),
        ("partially_shipped", [6, 7], "usps"),
        ("cancelled", [8], None),
        ("merged", [9], None),
    ]
    if len(skus) < 10:
        return
    # Orders ship from the account's first warehouse (a channel's would be its mapped one).
    warehouse_id = db.session.scalar(
        db.select(Warehouse.id).where(Warehouse.account_id == account.id).order_by(Warehouse.id)
    )
    orders: dict[int, Order] = {}
    for n, (status, picks, carrier_code) in enumerate(plans, start=1):
        number = f"{prefix}-{1000 + n}"
        order = db.session.scalar(
            db.select(Order).where(Order.account_id == account.id, Order.number == number)
        )
        if order is None:
            lines = [skus[i] if i is not None else None for i in picks]
            # The merged order has the same buyer as the one it was merged into.
            order = _order(
                account,
                number,
                4 if status == "merged" else n,
                status,
                lines,
                carriers.get(carrier_code or ""),
            )
            order.warehouse_id = warehouse_id
            if status == "merged":
                order.merged_into_id = orders[4].id
                order.merge_note = f"Merged into {orders[4].number}: same buyer and address."
                orders[4].merge_note = f"Includes {number} (same buyer and address)."
        orders[n] = order
    db.session.flush()


def _order(account, number, n, status, variants, carrier) -> Order:
    name, email, street, city, region, postcode, country = BUYERS[n % len(BUYERS)]
    order = Order(
        account_id=account.id,
        number=number,
        status=status,
        source_channel_name="Demo",
        payment_status="PAID" if status != "cancelled" else "NOT_PAID",
        buyer_name=name,
        buyer_email=email,
        ship_name=name,
        ship_address1=street,
        ship_city=city,
        ship_region=region,
        ship_postcode=postcode,
        ship_country=country,
        shipping_method="Standard shipping",
        currency="USD" if account.name == ACME.name else "EUR",
        shipping_total=Decimal("6.90"),
        placed_at=utcnow() - timedelta(days=7 - n, hours=n * 3),
    )
    for i, variant in enumerate(variants):
        if variant is None:
            order.lines.append(
                OrderLine(
                    sku="TENT-1P-OLD",
                    name="Ultralight Tent 1P",
                    quantity=1,
                    unit_price=Decimal("189.00"),
                )
            )
            order.hold_reason = (
                f"Line {i + 1}: SKU TENT-1P-OLD is not in the OMS catalog. Create it under "
                "Products (or map it in the channel's SKU mappings), then release the hold."
            )
            continue
        order.lines.append(
            OrderLine(
                variant_id=variant.id,
                sku=variant.sku,
                name=variant.title,
                quantity=1 + i,
                unit_price=variant.price,
            )
        )
    order.subtotal = sum((line.unit_price * line.quantity for line in order.lines), Decimal(0))
    order.total = order.subtotal + order.shipping_total
    db.session.add(order)
    if carrier is not None:
        shipment = Shipment(
            order=order,
            carrier=carrier,
            tracking_number=f"{carrier.code.upper()}{account.id:02d}{n:08d}",
        )
        shipment.lines.append(
            ShipmentLine(order_line=order.lines[0], quantity=order.lines[0].quantity)
        )
        db.session.add(shipment)
    db.session.flush()
    return order

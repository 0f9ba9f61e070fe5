"""Deterministic demo and test data: the same options and seed give the same Wix, byte for byte."""

from __future__ import annotations

import hashlib
import itertools
import json
import random
from decimal import Decimal

from .builders import render_product
from .catalog import regenerate_v1_variants
from .common import base_datetime, iso, new_id, plus, slugify
from .models import V1, V3, Choice, Fulfillment, Option, Product, Site, Variant
from .orders import place_order, render_order
from .store import Store

SITE_NAMES = ["Urban Threads", "Green Leaf Home", "Peak Outdoor", "Blue Harbor", "Copper Kitchen"]
ADJECTIVES = ["Classic", "Organic", "Vintage", "Everyday", "Premium", "Cozy", "Light", "Bold"]
NOUNS = ["T-Shirt", "Hoodie", "Mug", "Tote Bag", "Cap", "Candle", "Notebook", "Scarf", "Socks"]
SIZES = ["S", "M", "L", "XL"]
COLOURS = [("Black", "#000000"), ("White", "#FFFFFF"), ("Blue", "#1E40AF"), ("Red", "#B91C1C")]
FIRST = [
    "Ada",
    "Grace",
    "Alan",
    "Linus",
    "Margaret",
    "Ken",
    "Barbara",
    "Dennis",
    "Edsger",
    "Frances",
]
LAST = ["Lovelace", "Hopper", "Turing", "Torvalds", "Hamilton", "Thompson", "Liskov", "Ritchie"]
CITIES = [
    ("New York", "US-NY", "10001"),
    ("Austin", "US-TX", "73301"),
    ("Seattle", "US-WA", "98101"),
]
STATUS_WEIGHTS = [
    ("APPROVED", 70),
    ("PENDING", 8),
    ("INITIALIZED", 7),
    ("CANCELED", 10),
    ("REJECTED", 5),
]
CATALOGS = {"v1": V1, "v3": V3, "none": "STORES_NOT_INSTALLED"}


def _catalog_for(catalog: str, index: int) -> str:
    if catalog == "mixed":
        return V1 if index % 2 == 0 else V3
    return CATALOGS.get(catalog, catalog)


def _options(rng: random.Random, shape: int) -> list[Option]:
    sizes = Option(
        "Size", "drop_down", [Choice(s, "", new_id(rng)) for s in SIZES[:3]], new_id(rng)
    )
    colours = Option(
        "Color", "color", [Choice(n, h, new_id(rng)) for n, h in COLOURS[:2]], new_id(rng)
    )
    return [[], [sizes], [sizes, colours]][shape]


def seed_product(rng: random.Random, site: Site, index: int, stamp: str) -> Product:
    """One product: a third without options, a third by size, a third by size and colour."""
    name = f"{rng.choice(ADJECTIVES)} {rng.choice(NOUNS)} {index + 1}"
    price = Decimal(rng.randrange(500, 9000)) / 100
    site.next_numeric_id += 1
    product = Product(
        id=new_id(rng),
        site_id=site.id,
        catalog=site.catalog_version,
        name=name,
        slug=slugify(name),
        price=price,
        currency=site.currency,
        numeric_id=site.next_numeric_id,
        created=stamp,
        updated=stamp,
        description=f"<p>{name}, made to last.</p>",
        sku=f"P{index + 1:04d}",
        weight=round(rng.uniform(0.1, 1.5), 2),
        manage_variants=True,
        track_inventory=True,
        options=_options(rng, index % 3),
        inventory_item_id=new_id(rng),
    )
    if site.catalog_version == V1:
        regenerate_v1_variants(product, rng)
        # some v1 products leave variants unmanaged: lines reference options, SKU is the product's
        product.manage_variants = bool(product.options) and index % 6 != 1
    else:
        combos = itertools.product(*[[c.value for c in o.choices] for o in product.options])
        product.variants = [
            Variant(
                id=new_id(rng),
                choices=dict(zip([o.name for o in product.options], combo, strict=True)),
                inventory_id=new_id(rng),
                inventory_updated=stamp,
            )
            for combo in combos
        ]
    for variant in product.variants:
        suffix = "-".join(v[:3].upper() for v in variant.choices.values())
        if product.manage_variants or site.catalog_version == V3:
            variant.sku = f"{product.sku}-{suffix}" if suffix else product.sku
        if site.catalog_version == V3:
            variant.price = price
        variant.track_quantity = True
        variant.quantity = rng.randrange(0, 40)
        variant.in_stock = variant.quantity > 0
    return product


def _buyer(rng: random.Random) -> dict:
    first, last = rng.choice(FIRST), rng.choice(LAST)
    city, subdivision, postal = rng.choice(CITIES)
    return {
        "firstName": first,
        "lastName": last,
        "email": f"{first.lower()}.{last.lower()}{rng.randrange(100)}@example.com",
        "phone": f"+1555{rng.randrange(1000000, 9999999)}",
        "contactId": new_id(rng),
        "address": {
            "country": "US",
            "subdivision": subdivision,
            "city": city,
            "postalCode": postal,
            "addressLine1": f"{rng.randrange(1, 999)} Main St",
        },
    }


def _status(rng: random.Random) -> str:
    roll = rng.randrange(100)
    for status, weight in STATUS_WEIGHTS:
        if roll < weight:
            return status
        roll -= weight
    return "APPROVED"


def seed_orders(store: Store, rng: random.Random, site: Site, count: int, base) -> None:
    products = list(store.site_products[site.id].values())
    if not products:
        return
    for i in range(count):
        created = plus(base, minutes=10 * (i + 1), seconds=rng.randrange(600))
        lines = []
        for product in rng.sample(products, k=min(len(products), rng.randrange(1, 4))):
            variant = rng.choice(product.variants)
            lines.append(
                {"productId": product.id, "variantId": variant.id, "quantity": rng.randrange(1, 4)}
            )
        status = _status(rng)
        spec = {
            "lines": lines,
            "status": status,
            "pickup": rng.random() < 0.15,
            "buyer": _buyer(rng),
            "createdDate": iso(created),
            "notify": False,
            "deductStock": False,
        }
        if status == "APPROVED" and rng.random() < 0.1:
            spec["paymentStatus"] = "PARTIALLY_PAID"
        order = place_order(store, site, spec, rng)
        if status == "APPROVED" and rng.random() < 0.2:
            shipped = iso(plus(created, days=1))
            items = [{"id": li["id"], "quantity": li["quantity"]} for li in order.body["lineItems"]]
            number = f"1Z{rng.randrange(10**9, 10**10)}"
            tracking = {
                "trackingNumber": number,
                "shippingProvider": "ups",
                "trackingLink": f"https://www.ups.com/track?tracknum={number}",
            }
            order.fulfillments.append(Fulfillment(new_id(rng), shipped, items, tracking))
            order.fulfillment_status = "FULFILLED"
            order.updated = shipped
            store.order_changed(order)


def seed(
    store: Store,
    sites: int = 2,
    catalog: str = "mixed",
    products: int = 12,
    orders: int = 30,
    seed_value: int = 1,
    base_date: str | None = None,
) -> dict:
    """Replace all sites with freshly generated ones (registered apps stay)."""
    rng = random.Random(seed_value)
    base = base_datetime(base_date)
    with store.lock:
        store.clear_site_data()
        for i in range(sites):
            name = SITE_NAMES[i % len(SITE_NAMES)] + (
                f" {i // len(SITE_NAMES) + 1}" if i >= 5 else ""
            )
            site = store.create_site(
                name, _catalog_for(catalog, i), new_id(rng), created=iso(base), rng=rng
            )
            if site.catalog_version == "STORES_NOT_INSTALLED":
                continue
            for n in range(products):
                store.add_product(seed_product(rng, site, n, iso(plus(base, seconds=n))))
            seed_orders(store, rng, site, orders, base)
        return summary(store, with_digest=False)


def summary(store: Store, with_digest: bool = True) -> dict:
    with store.lock:
        doc: dict = {
            "sites": [
                {
                    "id": s.id,
                    "name": s.name,
                    "catalogVersion": s.catalog_version,
                    "products": len(store.site_products[s.id]),
                    "orders": len(store.site_orders[s.id]),
                }
                for s in store.sites.values()
            ]
        }
        if with_digest:
            doc["digest"] = digest(store)
        return doc


def snapshot(store: Store) -> dict:
    """Everything a client could read, rendered; equal snapshots mean equal worlds."""
    with store.lock:
        out = {}
        for site in store.sites.values():
            out[site.id] = {
                "name": site.name,
                "catalogVersion": site.catalog_version,
                "products": [
                    render_product(p, site) for p in store.site_products[site.id].values()
                ],
                "orders": [render_order(o) for o in store.site_orders[site.id]],
            }
        return out


def digest(store: Store) -> str:
    data = json.dumps(snapshot(store), sort_keys=True, default=str).encode()
    return hashlib.sha256(data).hexdigest()

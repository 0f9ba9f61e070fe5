"""What the mapping tabs offer to pick, read from the store: the site's Wix locations, the SKUs
of its Wix catalog, and the shipping titles seen on its Wix orders. Typing stays the fallback
when Wix cannot be read (or the value is not listed)."""

from __future__ import annotations

from dataclasses import dataclass, field

from wixoms.connection import client_for
from wixoms.extensions import db
from wixoms.models import CarrierMapping, Channel, Order, SkuMapping, UnmappedSku
from wixoms.wix import CatalogVersion, ReconnectRequired, RetryPolicy, WixError
from wixoms.wix.sku_list import list_skus

# A page waits for these reads: answer fast, or say so and let the merchant type.
PAGE_TIMEOUT = (3.0, 10.0)
PAGE_RETRY = RetryPolicy(max_attempts=2, backoff_base=0.2, backoff_max=1.0, max_retry_after=2.0)
WIX_SKUS_SHOWN = 1000
TITLES_SHOWN = 200


@dataclass
class Picks:
    """Options (value, label) to pick from; ``problem`` says why Wix could not be read."""

    options: list[tuple[str, str]] = field(default_factory=list)
    problem: str = ""
    note: str = ""


def _client(channel: Channel):
    return client_for(channel, timeout=PAGE_TIMEOUT, retry=PAGE_RETRY)


def _unreadable(what: str, exc: Exception) -> Picks:
    message = getattr(exc, "user_message", "") or str(exc)
    return Picks(problem=f"Could not read {what} from Wix ({message}). Type it below instead.")


def location_picks(channel: Channel) -> Picks:
    """The site's Stores locations (Catalog v3); a v1 site has its single default location."""
    if channel.catalog_version == "v1":
        return Picks(
            [("", "The store's location (Catalog v1 sites have one)")],
            note="Catalog v1 keeps stock in one place, so there is one location to map.",
        )
    try:
        with _client(channel) as client:
            locations = client.locations.all()
    except (WixError, ReconnectRequired) as exc:
        return _unreadable("the locations", exc)
    return Picks(
        [(loc.id, f"{loc.name} (default)" if loc.default else loc.name) for loc in locations]
    )


def location_name(channel: Channel, location_id: str) -> str:
    """The name of a picked location, '' when unknown (then the id is shown)."""
    if not location_id:
        return ""
    return next(
        (label for value, label in location_picks(channel).options if value == location_id), ""
    )


def wix_sku_picks(channel: Channel) -> Picks:
    """SKUs of the Wix catalog that are not mapped yet."""
    mapped = set(
        db.session.scalars(db.select(SkuMapping.wix_sku).where(SkuMapping.channel_id == channel.id))
    )
    version = CatalogVersion.V1 if channel.catalog_version == "v1" else CatalogVersion.V3
    try:
        with _client(channel) as client:
            skus = list_skus(client, version, limit=WIX_SKUS_SHOWN)
    except (WixError, ReconnectRequired) as exc:
        return _unreadable("the catalog's SKUs", exc)
    options = [(s.sku, s.label) for s in skus if s.sku not in mapped]
    note = f"The first {WIX_SKUS_SHOWN} SKUs are listed." if len(skus) >= WIX_SKUS_SHOWN else ""
    return Picks(options, note=note)


def unmapped_sku_picks(channel: Channel) -> list[tuple[str, str]]:
    """Wix SKUs seen on orders that match nothing yet, most recent first."""
    rows = db.session.scalars(
        db.select(UnmappedSku)
        .where(UnmappedSku.channel_id == channel.id)
        .order_by(UnmappedSku.last_seen_at.desc())
        .limit(200)
    )
    return [
        (u.wix_sku, f"{u.wix_sku} — {u.product_name}" if u.product_name else u.wix_sku)
        for u in rows
    ]


def shipping_title_picks(channel: Channel) -> list[str]:
    """Shipping titles seen on the channel's Wix orders and not mapped yet, most used first."""
    mapped = {
        " ".join(t.split()).casefold()
        for t in db.session.scalars(
            db.select(CarrierMapping.wix_shipping_title).where(
                CarrierMapping.channel_id == channel.id
            )
        )
    }
    rows = db.session.execute(
        db.select(Order.shipping_method, db.func.count())
        .where(Order.channel_id == channel.id, Order.shipping_method != "")
        .group_by(Order.shipping_method)
        .order_by(db.func.count().desc(), Order.shipping_method)
        .limit(TITLES_SHOWN)
    )
    return [title for title, _n in rows if " ".join(title.split()).casefold() not in mapped]

"""Stores locations v3 (/stores/v3/locations): where a V3 site keeps stock.

Source: npm @wix/auto_sdk_stores_stores-locations-v-3 1.0.59 — build/cjs/meta.js maps
www.wixapis.com /stores/v3/locations; QueryStoresLocations is POST /stores/v3/locations/query
(cursor query, up to 100 per page, default sort createdDate DESC) answering
{"storesLocations": [...], "pagingMetadata": {...}}; GetStoresLocation is
GET /stores/v3/locations/{id} answering {"storesLocation": {...}}. A StoresLocation has id,
revision, createdDate, updatedDate, wixLocationId, locationType (VIRTUAL = online store,
PHYSICAL = e.g. POS), name (1–150 chars) and defaultLocation. Inventory items v3 name their
Stores location in ``locationId`` (@wix/auto_sdk_stores_inventory-items-v-3, meta.d.ts).
Like every /stores/v3 API it answers 428 on a Catalog V1 site (wix-api.md §5).

Where the sources are silent: the default location's name (config ``default_location_name``;
empty means the site's name) and its type (VIRTUAL). Extra PHYSICAL locations are added through
the control API (POST /_sandbox/sites/<site id>/locations {"name"}).
"""

from __future__ import annotations

from flask import Blueprint, jsonify

from . import catalog
from .common import new_id
from .errors import WixError, invalid, not_found
from .filters import cursor_page, read_cursor_paging, sort_spec_v3
from .gateway import body, store, wix_api
from .models import V3, Site
from .scopes import STORES_LOCATIONS_READ

bp = Blueprint("wix_locations_v3", __name__)

READ = STORES_LOCATIONS_READ


def render_location(site: Site, location: dict) -> dict:
    return {
        "id": location["id"],
        "revision": "1",
        "createdDate": location["created"],
        "updatedDate": location["created"],
        "wixLocationId": location["wixLocationId"],
        "locationType": location["locationType"],
        "name": location["name"],
        "defaultLocation": location["id"] == site.location_id,
    }


def site_locations(site: Site) -> list[dict]:
    """The default location first, then the ones added, as Wix renders them."""
    name = store().config.get("default_location_name") or site.name
    default = {
        "id": site.location_id, "name": name, "locationType": "VIRTUAL",
        "wixLocationId": site.location_id, "created": site.created,
    }  # fmt: skip
    return [render_location(site, loc) for loc in (default, *site.extra_locations)]


def _v3_site(caller) -> Site:
    catalog.require_catalog(caller.site, V3)
    return caller.site


@bp.post("/stores/v3/locations/query")
@wix_api(scope=READ)
def query_locations(caller):
    site = _v3_site(caller)
    query = body().get("query") or {}
    if not isinstance(query, dict):
        raise invalid("query", "must be an object", "FORMAT")
    limit, cursor = read_cursor_paging(query.get("cursorPaging"))
    if cursor and (query.get("filter") or query.get("sort")) and store().config["strict_cursor"]:
        raise invalid("query.cursorPaging.cursor", "filter and sort must not be sent with a cursor")
    spec = sort_spec_v3(query.get("sort") or [{"fieldName": "createdDate", "order": "DESC"}])
    docs = site_locations(site)
    page, next_cursor = cursor_page(docs, query.get("filter"), spec, limit, cursor, "v3locations")
    meta = {"count": len(page), "cursors": {"next": next_cursor} if next_cursor else {},
            "hasNext": next_cursor is not None}  # fmt: skip
    return jsonify({"storesLocations": page, "pagingMetadata": meta})


@bp.get("/stores/v3/locations/<location_id>")
@wix_api(scope=READ)
def get_location(caller, location_id: str):
    site = _v3_site(caller)
    for doc in site_locations(site):
        if doc["id"] == location_id:
            return jsonify({"storesLocation": doc})
    raise not_found("Stores location", location_id)


@bp.post("/_sandbox/sites/<site_id>/locations")
def add_location(site_id: str):
    """Control API: a PHYSICAL Stores location on a site (a shop or a warehouse)."""
    st = store()
    site = st.site(site_id)
    name = str(body().get("name") or "").strip()
    if not 1 <= len(name) <= 150:
        raise WixError(400, "name must have 1 to 150 characters")
    with st.lock:
        location = {
            "id": new_id(), "name": name, "locationType": "PHYSICAL", "wixLocationId": new_id(),
            "created": st.stamp(),
        }  # fmt: skip
        site.extra_locations.append(location)
    return jsonify({"storesLocation": render_location(site, location)}), 201

"""Stores locations v3: the places a Catalog V3 site keeps stock (inventory items name one).

REST, from npm @wix/auto_sdk_stores_stores-locations-v-3 1.0.59 (build/cjs/meta.js, typings):
POST /stores/v3/locations/query — cursor query, at most 100 per page — answers
{"storesLocations": [{id, name, locationType: VIRTUAL | PHYSICAL, defaultLocation,
wixLocationId, revision, ...}], "pagingMetadata": {cursors: {next}, hasNext}}. Catalog V1 sites
have no such API (a /stores/v3 call answers 428, wix-api.md §5): they have one location.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from .catalog import Request
from .models import _get

PAGE_LIMIT = 100


@dataclass(frozen=True)
class StoresLocation:
    id: str
    name: str
    location_type: str  # VIRTUAL (online store) or PHYSICAL (e.g. POS)
    default: bool

    @classmethod
    def from_wix(cls, raw: dict[str, Any]) -> StoresLocation:
        """Tolerant: absent fields are omitted by Wix (wix-api.md §2)."""
        ident = str(raw.get("id") or "")
        return cls(
            id=ident,
            name=str(raw.get("name") or ident),
            location_type=str(raw.get("locationType") or ""),
            default=bool(raw.get("defaultLocation")),
        )


class LocationsApi:
    """Read a V3 site's Stores locations."""

    def __init__(self, request: Request) -> None:
        self._request = request

    def iter_locations(self, max_pages: int = 10) -> Iterator[StoresLocation]:
        """Every Stores location, page by page; after the first page only the cursor is sent."""
        cursor: str | None = None
        for _ in range(max_pages):
            paging: dict[str, Any] = {"limit": PAGE_LIMIT}
            if cursor:
                paging["cursor"] = cursor
            query = {"cursorPaging": paging}
            body = self._request(
                "POST", "/stores/v3/locations/query", json={"query": query}, safe_to_retry=True
            )
            for raw in body.get("storesLocations") or []:
                if raw.get("id"):
                    yield StoresLocation.from_wix(raw)
            cursor = _get(body, "pagingMetadata.cursors.next")
            if not cursor or _get(body, "pagingMetadata.hasNext") is False:
                return

    def all(self) -> list[StoresLocation]:
        """The default location first, then by name."""
        return sorted(self.iter_locations(), key=lambda loc: (not loc.default, loc.name.lower()))

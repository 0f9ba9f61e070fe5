"""eCommerce orders and fulfillments (wix-api.md §8)."""

from __future__ import annotations

import builtins
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from typing import Any

from .catalog import Request
from .models import Fulfillment, Order, OrderPage, _get, format_datetime, req


class OrdersApi:
    """Search orders page by page (cursor, resumable) and read single orders."""

    def __init__(self, request: Request, page_size: int = 100, *, prefetch: bool = True) -> None:
        self._request = request
        self.page_size = page_size
        self.prefetch = prefetch

    def search_body(
        self,
        *,
        statuses: Iterable[str],
        updated_since: datetime | None,
        cursor: str | None,
    ) -> dict[str, Any]:
        """The search request; with a cursor Wix forbids sending filter and sort again."""
        paging = {"limit": self.page_size, "cursor": cursor}
        if cursor:
            return {"search": {"cursorPaging": paging}}
        filter_: dict[str, Any] = {}
        status_list = sorted(set(statuses))
        if status_list:
            filter_["status"] = {"$in": status_list}
        if updated_since is not None:
            # $gte, not $gt: orders sharing the checkpoint's millisecond must not be skipped;
            # the orders download is idempotent, so seeing the boundary order again is harmless.
            filter_["updatedDate"] = {"$gte": format_datetime(updated_since)}
        return {
            "search": {
                "filter": filter_,
                "sort": [{"fieldName": "updatedDate", "order": "ASC"}],
                "cursorPaging": paging,
            }
        }

    def iter_pages(
        self,
        *,
        statuses: Iterable[str],
        updated_since: datetime | None,
        cursor: str | None = None,
    ) -> Iterator[OrderPage]:
        """Pages of orders by updatedDate ascending; store ``next_cursor`` to resume.

        While the caller handles one page, the next one is already being fetched (at most one
        page ahead), so network latency overlaps the caller's work. Wix's search never
        returns INITIALIZED orders, whatever the filter: read those one by one with ``get``.
        """
        statuses = builtins.list(statuses)

        def fetch(cursor: str | None) -> dict[str, Any]:
            body = self.search_body(statuses=statuses, updated_since=updated_since, cursor=cursor)
            return self._request("POST", "/ecom/v1/orders/search", json=body, safe_to_retry=True)

        pool = ThreadPoolExecutor(max_workers=1) if self.prefetch else None
        try:
            pending = _Now(fetch, cursor) if pool is None else pool.submit(fetch, cursor)
            while True:
                body = pending.result()
                meta = body.get("metadata") or body.get("pagingMetadata") or {}
                next_cursor = _get(meta, "cursors.next") or None
                has_next = bool(meta.get("hasNext", next_cursor is not None)) and bool(next_cursor)
                if has_next:
                    pending = (
                        _Now(fetch, next_cursor)
                        if pool is None
                        else pool.submit(fetch, next_cursor)
                    )
                orders = [Order.from_wix(o) for o in body.get("orders") or []]
                yield OrderPage(orders=orders, next_cursor=next_cursor, has_next=has_next)
                if not has_next:
                    return
        finally:
            if pool is not None:
                pool.shutdown(wait=False, cancel_futures=True)

    def iter_orders(
        self, *, statuses: Iterable[str], updated_since: datetime | None
    ) -> Iterator[Order]:
        """Every matching order, streaming."""
        for page in self.iter_pages(statuses=statuses, updated_since=updated_since):
            yield from page.orders

    def get(self, order_id: str) -> Order:
        """One order by id (works for INITIALIZED orders too)."""
        body = self._request("GET", f"/ecom/v1/orders/{order_id}")
        return Order.from_wix(req(body, "order", "response"))


class _Now:
    """A result computed on demand: the no-prefetch stand-in for a Future."""

    def __init__(self, fn: Any, arg: Any) -> None:
        self._fn, self._arg = fn, arg

    def result(self) -> Any:
        return self._fn(self._arg)


class FulfillmentsApi:
    """Tracking numbers back to Wix."""

    def __init__(self, request: Request) -> None:
        self._request = request

    def create(
        self,
        order_id: str,
        *,
        line_items: builtins.list[tuple[str, int]],
        tracking_number: str,
        shipping_provider: str,
        tracking_link: str | None = None,
    ) -> str:
        """Create a fulfillment (APPROVED orders only); return its id.

        Known providers (ups, usps, fedex, dhl, …) get a link from Wix; custom ones need
        ``tracking_link``. Not retried after an unknown outcome: it would fulfil twice.
        """
        tracking: dict[str, Any] = {
            "trackingNumber": tracking_number,
            "shippingProvider": shipping_provider,
        }
        if tracking_link:
            tracking["trackingLink"] = tracking_link
        body = self._request(
            "POST",
            f"/ecom/v1/fulfillments/orders/{order_id}/create-fulfillment",
            json={
                "fulfillment": {
                    "lineItems": [{"id": i, "quantity": q} for i, q in line_items],
                    "trackingInfo": tracking,
                }
            },
            safe_to_retry=False,
        )
        return str(req(body, "fulfillmentId", "response"))

    def list(self, order_id: str) -> builtins.list[Fulfillment]:
        """The order's fulfillments."""
        body = self._request("GET", f"/ecom/v1/fulfillments/orders/{order_id}")
        holder = body.get("orderWithFulfillments") or body
        return [Fulfillment.from_wix(f) for f in holder.get("fulfillments") or []]

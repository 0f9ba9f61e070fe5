"""eCommerce orders and fulfillments (wix-api.md §8, corrected by §10).

From Wix's SDK (``@wix/auto_sdk_ecom_orders`` 1.0.300, ``@wix/auto_sdk_ecom_order-fulfillments``
1.0.65): Search Orders leaves PENDING and REJECTED orders out unless the filter names them, so
every search here names its statuses; payment status has ten values; fulfillments of an order
can be listed, which is how a create whose answer was lost is recovered.
"""

from __future__ import annotations

import builtins
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from typing import Any

from .catalog import Request
from .errors import WixServerError, WixUnavailable
from .ids import path_id
from .models import Fulfillment, Order, OrderPage, _get, format_datetime, req

# Order.status values Search Orders can return (INITIALIZED never comes back from a search).
SEARCHABLE_STATUSES = ("APPROVED", "PENDING", "CANCELED", "REJECTED")
# Order.paymentStatus values (PaymentStatus enum of @wix/auto_sdk_ecom_orders).
PAYMENT_STATUSES = (
    "UNSPECIFIED",
    "NOT_PAID",
    "PAID",
    "PARTIALLY_REFUNDED",
    "FULLY_REFUNDED",
    "PENDING",
    "PARTIALLY_PAID",
    "PENDING_MERCHANT",
    "CANCELED",
    "DECLINED",
)


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
        """The search request; with a cursor Wix forbids sending filter and sort again.

        The status filter is always explicit: without one Wix leaves PENDING and REJECTED
        orders out, and an empty list would silently download whatever Wix's default is.
        """
        if cursor:
            return {"search": {"cursorPaging": {"limit": self.page_size, "cursor": cursor}}}
        status_list = sorted(set(statuses))
        if not status_list:
            raise ValueError("name at least one order status to search for")
        filter_: dict[str, Any] = {"status": {"$in": status_list}}
        if updated_since is not None:
            # $gte, not $gt: orders sharing the checkpoint's millisecond must not be skipped;
            # the orders download is idempotent, so seeing the boundary order again is harmless.
            filter_["updatedDate"] = {"$gte": format_datetime(updated_since)}
        return {
            "search": {
                "filter": filter_,
                "sort": [{"fieldName": "updatedDate", "order": "ASC"}],
                "cursorPaging": {"limit": self.page_size},
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
        body = self._request(
            "GET", f"/ecom/v1/orders/{path_id(order_id, 'order id')}", params={"id": order_id}
        )
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
        """Create a fulfillment; return its id.

        Wix fills in ``trackingLink`` for fedex, ups, usps, dhl and canadaPost; other providers
        need ``tracking_link``. Never repeated blindly (it would fulfil twice): when the answer
        is lost (timeout, 5xx), the order's fulfillments are read back and one with this
        tracking number (or these line items) counts as created.
        """
        tracking: dict[str, Any] = {
            "trackingNumber": tracking_number,
            "shippingProvider": shipping_provider,
        }
        if tracking_link:
            tracking["trackingLink"] = tracking_link
        lines = [{"id": i, "quantity": q} for i, q in line_items]
        try:
            body = self._request(
                "POST",
                f"/ecom/v1/fulfillments/orders/{path_id(order_id, 'order id')}/create-fulfillment",
                json={
                    "orderId": order_id,
                    "fulfillment": {"lineItems": lines, "trackingInfo": tracking},
                },
                safe_to_retry=False,
            )
        except (WixUnavailable, WixServerError) as lost:
            found = self._recover(order_id, tracking_number, line_items)
            if found is None:
                raise lost from None
            return found
        return str(req(body, "fulfillmentId", "response"))

    def _recover(
        self, order_id: str, tracking_number: str, line_items: builtins.list[tuple[str, int]]
    ) -> str | None:
        """The id of the fulfillment a lost create made, if Wix lists one; else None."""
        try:
            existing = self.list(order_id)
        except (WixUnavailable, WixServerError):
            return None
        wanted = sorted(line_items)
        for fulfillment in existing:
            if tracking_number and fulfillment.tracking_number == tracking_number:
                return fulfillment.id
            if not tracking_number and sorted(fulfillment.line_items) == wanted:
                return fulfillment.id
        return None

    def list(self, order_id: str) -> builtins.list[Fulfillment]:
        """The order's fulfillments."""
        body = self._request(
            "GET",
            f"/ecom/v1/fulfillments/orders/{path_id(order_id, 'order id')}",
            params={"orderId": order_id},
        )
        holder = body.get("orderWithFulfillments") or body
        return [Fulfillment.from_wix(f) for f in holder.get("fulfillments") or []]

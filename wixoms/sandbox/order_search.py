"""Order search pages: a sorted index for date sorts (the common case), generic otherwise."""

from __future__ import annotations

from bisect import bisect_left, bisect_right

from .common import normalize_date
from .errors import invalid
from .filters import compile_filter, cursor_page, decode_cursor, encode_cursor
from .orders import render_order
from .store import Store

INDEXED = ("createdDate", "updatedDate")
# Search Orders leaves these out unless the filter names a status (wix-api.md §10).
HIDDEN_BY_DEFAULT = frozenset({"PENDING", "REJECTED"})


def names_status(flt: object) -> bool:
    """True when the filter (at any depth of $and/$or/$not) puts a condition on status."""
    if isinstance(flt, dict):
        return "status" in flt or any(names_status(v) for v in flt.values())
    if isinstance(flt, list):
        return any(names_status(v) for v in flt)
    return False


def _searchable(order, explicit: bool) -> bool:
    """INITIALIZED never comes back; PENDING and REJECTED only when asked for."""
    if order.status == "INITIALIZED":
        return False
    return explicit or order.status not in HIDDEN_BY_DEFAULT


LOW, HIGH = "", "\uffff"  # below and above every order id


def _key(entry: tuple) -> tuple:
    return entry[0], entry[1]


def _bounds(entries: list, flt: object, field: str) -> tuple[int, int]:
    """Narrow the scan with the filter's range on the sorted field."""
    lo, hi = 0, len(entries)
    cond = flt.get(field) if isinstance(flt, dict) else None
    if not isinstance(cond, dict):
        return lo, hi
    for op, raw in cond.items():
        if not isinstance(raw, str):
            continue
        try:
            value = normalize_date(raw)
        except ValueError as exc:
            raise invalid(f"filter.{field}", f"invalid date {raw!r}", "FORMAT") from exc
        if op == "$gt":
            lo = max(lo, bisect_right(entries, (value, HIGH), key=_key))
        elif op == "$gte":
            lo = max(lo, bisect_left(entries, (value, LOW), key=_key))
        elif op == "$lt":
            hi = min(hi, bisect_left(entries, (value, LOW), key=_key))
        elif op == "$lte":
            hi = min(hi, bisect_right(entries, (value, HIGH), key=_key))
    return lo, hi


def _indexed_page(store: Store, site_id: str, flt, field: str, asc: bool, limit: int, after, scope):
    entries = store.order_index(site_id, field)
    predicate = compile_filter(flt)
    lo, hi = _bounds(entries, flt, field)
    if after is not None:
        mark = (after[0], after[1])
        if asc:
            lo = max(lo, bisect_right(entries, mark, key=_key))
        else:
            hi = min(hi, bisect_left(entries, mark, key=_key))
    positions = range(lo, hi) if asc else range(hi - 1, lo - 1, -1)
    found: list[tuple] = []
    explicit = names_status(flt)
    for pos in positions:
        value, order_id, order = entries[pos]
        if not _searchable(order, explicit):
            continue
        doc = render_order(order)
        if predicate(doc):
            found.append((value, order_id, doc))
            if len(found) > limit:
                break
    page = found[:limit]
    next_cursor = None
    if len(found) > limit and page:
        last = page[-1]
        state = {"scope": scope, "f": flt, "s": [[field, asc]], "ix": [last[0], last[1]]}
        next_cursor = encode_cursor(state)
    return [d for _v, _i, d in page], next_cursor


def search_page(store: Store, site_id: str, flt, spec, limit: int, cursor: str | None):
    """(orders, next cursor) for one search page of a site."""
    scope = "orders:" + site_id
    after = None
    if cursor:
        state = decode_cursor(cursor)
        if state.get("scope") != scope:
            raise invalid("cursorPaging.cursor", "cursor belongs to another query", "FORMAT")
        if "ix" in state:
            flt, spec, after = state.get("f"), [tuple(p) for p in state["s"]], state["ix"]
    if len(spec) == 1 and spec[0][0] in INDEXED and (after is not None or not cursor):
        with store.lock:
            return _indexed_page(store, site_id, flt, spec[0][0], spec[0][1], limit, after, scope)
    with store.lock:
        if cursor:
            flt = decode_cursor(cursor).get("f")
        explicit = names_status(flt)
        docs = [render_order(o) for o in store.site_orders[site_id] if _searchable(o, explicit)]
    return cursor_page(docs, flt, spec, limit, cursor, scope)

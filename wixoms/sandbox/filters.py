"""Wix query language subset: filters, sorting, offset and cursor paging over rendered JSON."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Sequence
from functools import total_ordering
from typing import Any

from .common import normalize_date
from .errors import WixError, invalid

MISSING = object()
Predicate = Callable[[dict], bool]


def _is_date_field(name: str) -> bool:
    return name.endswith("Date") or name in ("lastUpdated", "signDate")


def _coerce(name: str, value: Any) -> Any:
    """Give filter values the type the document field has."""
    if name == "numericId" and value is not None and not isinstance(value, bool):
        try:
            return int(value)
        except (TypeError, ValueError) as exc:
            raise invalid("filter.numericId", "must be a number", "FORMAT") from exc
    if _is_date_field(name) and isinstance(value, str):
        try:
            return normalize_date(value)
        except ValueError as exc:
            raise invalid(f"filter.{name}", f"invalid date {value!r}", "FORMAT") from exc
    return value


def make_getter(path: str) -> Callable[[dict], Any]:
    """Read a dotted path; lists along the way yield a list of values."""
    parts = path.split(".")
    last = parts[-1]

    def fix(value: Any) -> Any:
        if last == "numericId" and isinstance(value, str) and value.isdigit():
            return int(value)
        return value

    if len(parts) == 1:
        return lambda doc: fix(doc.get(last, MISSING))

    def get(doc: dict) -> Any:
        values: list[Any] = [doc]
        is_list = False
        for part in parts:
            nxt = []
            for value in values:
                if isinstance(value, list):
                    is_list = True
                    nxt.extend(v.get(part, MISSING) for v in value if isinstance(v, dict))
                elif isinstance(value, dict):
                    nxt.append(value.get(part, MISSING))
            values = [v for v in nxt if v is not MISSING]
            if not values:
                return MISSING
        if is_list:
            flat = []
            for v in values:
                flat.extend(v if isinstance(v, list) else [v])
            return [fix(v) for v in flat]
        return fix(values[0])

    return get


def _cmp(op: str, want: Any) -> Callable[[Any], bool]:
    def safe(fn: Callable[[Any], bool]) -> Callable[[Any], bool]:
        def run(value: Any) -> bool:
            if value is MISSING or value is None:
                return False
            if isinstance(value, list):
                return any(run(v) for v in value)
            try:
                return fn(value)
            except TypeError:
                return False

        return run

    if op == "$gt":
        return safe(lambda v: v > want)
    if op == "$gte":
        return safe(lambda v: v >= want)
    if op == "$lt":
        return safe(lambda v: v < want)
    if op == "$lte":
        return safe(lambda v: v <= want)
    if op == "$startsWith":
        return safe(lambda v: isinstance(v, str) and v.lower().startswith(str(want).lower()))
    raise invalid("filter", f"unsupported operator {op}", "FORMAT")


def _field_predicate(path: str, cond: Any) -> Predicate:
    get = make_getter(path)
    name = path.split(".")[-1]
    if not (isinstance(cond, dict) and any(k.startswith("$") for k in cond)):
        cond = {"$eq": cond}
    preds: list[Callable[[Any], bool]] = []
    for op, raw in cond.items():
        if op in ("$in", "$nin", "$hasSome", "$hasAll"):
            if not isinstance(raw, list):
                raise invalid(f"filter.{path}", f"{op} needs a list", "FORMAT")
            values = [_coerce(name, v) for v in raw]
            preds.append(_set_predicate(op, values))
        elif op == "$exists":
            flag = bool(raw)
            preds.append(lambda v, flag=flag: (v is not MISSING and v is not None) == flag)
        elif op in ("$eq", "$ne"):
            want = _coerce(name, raw)
            positive = op == "$eq"

            def eq(v: Any, want: Any = want, positive: bool = positive) -> bool:
                hit = want in v if isinstance(v, list) else v == want
                if want is None and v is MISSING:
                    hit = True
                return hit if positive else not hit

            preds.append(eq)
        elif op == "$isEmpty":
            flag = bool(raw)
            preds.append(lambda v, flag=flag: (v is MISSING or v in ([], "", {})) == flag)
        else:
            preds.append(_cmp(op, _coerce(name, raw)))
    if len(preds) == 1:
        only = preds[0]
        return lambda doc: only(get(doc))
    return lambda doc: all(p(get(doc)) for p in preds)


def _set_predicate(op: str, values: list) -> Callable[[Any], bool]:
    wanted = set(v for v in values if not isinstance(v, (dict, list)))

    def as_set(v: Any) -> set:
        if v is MISSING or v is None:
            return set()
        return set(v) if isinstance(v, list) else {v}

    if op in ("$in", "$hasSome"):
        return lambda v: bool(as_set(v) & wanted)
    if op == "$nin":
        return lambda v: not (as_set(v) & wanted)
    return lambda v: wanted <= as_set(v)


def compile_filter(flt: Any) -> Predicate:
    """Turn a Wix filter object into a predicate over rendered documents."""
    if flt in (None, {}, ""):
        return lambda doc: True
    if not isinstance(flt, dict):
        raise invalid("filter", "must be an object", "FORMAT")
    preds: list[Predicate] = []
    for key, cond in flt.items():
        if key in ("$and", "$or"):
            subs = [compile_filter(c) for c in (cond or [])]
            if key == "$and":
                preds.append(lambda doc, subs=subs: all(s(doc) for s in subs))
            else:
                preds.append(lambda doc, subs=subs: any(s(doc) for s in subs))
        elif key == "$not":
            sub = compile_filter(cond)
            preds.append(lambda doc, sub=sub: not sub(doc))
        elif key.startswith("$"):
            raise invalid("filter", f"unsupported operator {key}", "FORMAT")
        else:
            preds.append(_field_predicate(key, cond))
    if len(preds) == 1:
        return preds[0]
    return lambda doc: all(p(doc) for p in preds)


def parse_json_string(value: Any, field: str) -> Any:
    """v1 sends filter and sort as JSON-encoded strings."""
    if value in (None, ""):
        return None
    if not isinstance(value, str):
        raise invalid(field, "must be a JSON string", "FORMAT")
    try:
        return json.loads(value)
    except ValueError as exc:
        raise invalid(field, "is not valid JSON", "FORMAT") from exc


def sort_spec_v1(raw: Any) -> list[tuple[str, bool]]:
    """v1 sort: [{"numericId": "asc"}]."""
    if not raw:
        return []
    if not isinstance(raw, list):
        raise invalid("query.sort", "must be a list", "FORMAT")
    spec = []
    for item in raw:
        for field, direction in item.items():
            spec.append((field, str(direction).lower() != "desc"))
    return spec


def sort_spec_v3(raw: Any) -> list[tuple[str, bool]]:
    """v3/eCommerce sort: [{"fieldName": "createdDate", "order": "ASC"}]."""
    if not raw:
        return []
    if not isinstance(raw, list):
        raise invalid("sort", "must be a list", "FORMAT")
    spec = []
    for item in raw:
        if not isinstance(item, dict) or "fieldName" not in item:
            raise invalid("sort.fieldName", "is required")
        order = str(item.get("order", "ASC")).upper()
        if order not in ("ASC", "DESC"):
            raise invalid("sort.order", "must be ASC or DESC", "FORMAT")
        spec.append((item["fieldName"], order == "ASC"))
    return spec


@total_ordering
class _Desc:
    __slots__ = ("v",)

    def __init__(self, v: Any) -> None:
        self.v = v

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Desc) and self.v == other.v

    def __lt__(self, other: _Desc) -> bool:
        return other.v < self.v


def _key_fn(spec: Sequence[tuple[str, bool]]) -> Callable[[dict], tuple]:
    getters = [(make_getter(path), asc) for path, asc in spec]

    def key(doc: dict) -> tuple:
        parts: list[Any] = []
        for get, asc in getters:
            v = get(doc)
            comp = (0, "") if v is MISSING or v is None or isinstance(v, list) else (1, v)
            parts.append(comp if asc else _Desc(comp))
        parts.append(doc.get("id", ""))
        return tuple(parts)

    return key


def _raw_key(key: tuple) -> list:
    return [
        list(p.v) if isinstance(p, _Desc) else (list(p) if isinstance(p, tuple) else p) for p in key
    ]


def _cook_key(raw: list, spec: Sequence[tuple[str, bool]]) -> tuple:
    parts: list[Any] = []
    for (_path, asc), comp in zip(spec, raw[:-1], strict=False):
        comp = tuple(comp)
        parts.append(comp if asc else _Desc(comp))
    parts.append(raw[-1])
    return tuple(parts)


def encode_cursor(state: dict) -> str:
    data = json.dumps(state, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def decode_cursor(cursor: str) -> dict:
    try:
        pad = "=" * (-len(cursor) % 4)
        return json.loads(base64.urlsafe_b64decode(cursor + pad))
    except (ValueError, TypeError) as exc:
        raise invalid("cursorPaging.cursor", "invalid cursor", "FORMAT") from exc


def cursor_page(
    docs: Sequence[dict],
    flt: Any,
    spec: list[tuple[str, bool]],
    limit: int,
    cursor: str | None,
    scope: str,
) -> tuple[list[dict], str | None]:
    """One page of keyset (cursor) paging; the cursor carries filter, sort and last key."""
    after = None
    if cursor:
        state = decode_cursor(cursor)
        if state.get("scope") != scope:
            raise invalid("cursorPaging.cursor", "cursor belongs to another query", "FORMAT")
        flt = state.get("f")
        spec = [(p, bool(a)) for p, a in state.get("s", [])]
        after = state.get("k")
    predicate = compile_filter(flt)
    key = _key_fn(spec)
    keyed = [(key(d), d) for d in docs if predicate(d)]
    if after is not None:
        bound = _cook_key(after, spec)
        keyed = [kd for kd in keyed if kd[0] > bound]
    keyed.sort(key=lambda kd: kd[0])
    page = keyed[:limit]
    next_cursor = None
    if len(keyed) > limit and page:
        next_cursor = encode_cursor(
            {"scope": scope, "f": flt, "s": [[p, a] for p, a in spec], "k": _raw_key(page[-1][0])}
        )
    return [d for _k, d in page], next_cursor


def read_cursor_paging(paging: Any, default_limit: int = 100, max_limit: int = 100) -> tuple:
    """(limit, cursor) from a cursorPaging object, validated like Wix."""
    paging = paging or {}
    if not isinstance(paging, dict):
        raise invalid("cursorPaging", "must be an object", "FORMAT")
    limit = paging.get("limit", default_limit)
    if limit is None:
        limit = default_limit
    if not isinstance(limit, int) or isinstance(limit, bool) or limit < 0 or limit > max_limit:
        raise invalid("cursorPaging.limit", f"must be between 0 and {max_limit}", "MAX")
    return limit, paging.get("cursor") or None


def read_offset_paging(paging: Any, max_limit: int, max_offset: int) -> tuple[int, int]:
    """(limit, offset) of v1 offset paging; deep offsets fail as on Wix."""
    paging = paging or {}
    limit = paging.get("limit", 50)
    offset = paging.get("offset", 0) or 0
    if not isinstance(limit, int) or limit < 0 or limit > max_limit:
        raise invalid("query.paging.limit", f"must be between 0 and {max_limit}", "MAX")
    if not isinstance(offset, int) or offset < 0:
        raise invalid("query.paging.offset", "must be a non-negative number", "MIN")
    if offset + limit > max_offset:
        raise WixError(
            400,
            f"offset paging is limited to {max_offset} items; filter by numericId instead",
            "OFFSET_TOO_LARGE",
        )
    return limit, offset


def offset_page(
    docs: Sequence[dict], flt: Any, spec: list[tuple[str, bool]], limit: int, offset: int
) -> tuple[list[dict], int]:
    """One page of v1 offset paging and the total number of matches."""
    predicate = compile_filter(flt)
    matched = [d for d in docs if predicate(d)]
    if spec:
        key = _key_fn(spec)
        matched.sort(key=key)
    return matched[offset : offset + limit], len(matched)

"""The Wix query language subset the sandbox understands."""

from __future__ import annotations

import pytest

from wixoms.sandbox.errors import WixError
from wixoms.sandbox.filters import compile_filter, cursor_page

DOCS = [
    {
        "id": "a",
        "status": "APPROVED",
        "updatedDate": "2025-01-01T00:00:00.000Z",
        "numericId": "9",
        "buyerInfo": {"email": "x@y"},
        "lineItems": [{"physicalProperties": {"sku": "S1"}}],
    },
    {
        "id": "b",
        "status": "CANCELED",
        "updatedDate": "2025-01-02T00:00:00.000Z",
        "numericId": "10",
        "buyerInfo": {"email": "z@y"},
        "lineItems": [{"physicalProperties": {"sku": "S2"}}],
    },
    {"id": "c", "status": "APPROVED", "updatedDate": "2025-01-03T00:00:00.000Z", "numericId": "11"},
]


def ids(flt) -> list[str]:
    predicate = compile_filter(flt)
    return [d["id"] for d in DOCS if predicate(d)]


@pytest.mark.parametrize(
    ("flt", "expected"),
    [
        ({}, ["a", "b", "c"]),
        ({"status": "APPROVED"}, ["a", "c"]),
        ({"status": {"$ne": "APPROVED"}}, ["b"]),
        ({"status": {"$in": ["CANCELED", "REJECTED"]}}, ["b"]),
        ({"status": {"$nin": ["CANCELED"]}}, ["a", "c"]),
        ({"updatedDate": {"$gt": "2025-01-01T00:00:00Z"}}, ["b", "c"]),
        ({"updatedDate": {"$lte": "2025-01-02T00:00:00+00:00"}}, ["a", "b"]),
        ({"numericId": {"$gt": 9}}, ["b", "c"]),
        ({"numericId": {"$gt": "9"}}, ["b", "c"]),
        ({"buyerInfo.email": {"$startsWith": "Z"}}, ["b"]),
        ({"buyerInfo.email": {"$exists": False}}, ["c"]),
        ({"lineItems.physicalProperties.sku": {"$hasSome": ["S2"]}}, ["b"]),
        ({"$or": [{"id": "a"}, {"id": "c"}]}, ["a", "c"]),
        ({"$and": [{"status": "APPROVED"}, {"$not": {"id": "a"}}]}, ["c"]),
    ],
)
def test_filter_operators(flt, expected):
    assert ids(flt) == expected


def test_unknown_operator_is_a_validation_error():
    with pytest.raises(WixError) as info:
        compile_filter({"status": {"$regex": "A"}})
    assert info.value.status == 400


def test_descending_cursor_pages_cover_everything_once():
    docs = [
        {"id": f"{n:03d}", "createdDate": f"2025-01-01T00:00:{n % 7:02d}.000Z"} for n in range(50)
    ]
    seen, cursor = [], None
    while True:
        page, cursor = cursor_page(docs, None, [("createdDate", False)], 7, cursor, "t")
        seen.extend(page)
        if cursor is None:
            break
    assert sorted(d["id"] for d in seen) == [d["id"] for d in docs]
    dates = [d["createdDate"] for d in seen]
    assert dates == sorted(dates, reverse=True)


def test_cursor_of_another_query_is_rejected():
    docs = [{"id": str(n)} for n in range(3)]
    _page, cursor = cursor_page(docs, None, [], 1, None, "orders:site-a")
    with pytest.raises(WixError):
        cursor_page(docs, None, [], 1, cursor, "orders:site-b")

"""What wixoms's client sends equals what Wix's official SDK sends for the same input.

For every Wix operation wixoms's code calls (found in its source), wixoms's client runs it
against the sandbox and each request is recorded; the SDK's request builder for that
operation (each package's ``meta`` export, driven through the public function) gets the same
input. Method, path, query keys and body keys must be equal. The one operation the SDK has
no builder for (v1 ``POST /stores/v1/products/query``, used for ``includeVariants`` and
``includeHiddenProducts``) is checked against its request type in the package's typings.
"""

from __future__ import annotations

import pytest

from tests.contract.harness import OPERATIONS, compare_shapes, exercise_wixoms, operations_used


@pytest.fixture(scope="module")
def report(official_sdk, sandbox_server):
    return compare_shapes(exercise_wixoms(sandbox_server.url))


def test_every_wix_call_in_wixoms_is_a_known_operation():
    used = operations_used()
    unknown = {op: places for op, places in used.items() if op.startswith("unknown:")}
    assert unknown == {}
    assert set(used) == set(OPERATIONS)


def test_every_used_operation_was_exercised_and_compared(report):
    assert set(operations_used()) <= {r["op"] for r in report.results}


@pytest.mark.parametrize("op", list(OPERATIONS))
def test_wixoms_sends_what_the_official_sdk_sends(report, op):
    results = [r for r in report.results if r["op"] == op]
    assert results, f"{op} was not exercised"
    for result in results:
        assert not result.get("error"), result["error"]
        assert result["differences"] == [], {k: result.get(k) for k in ("wixoms", "sdk", "meta")}


def test_the_comparison_sees_a_request_the_sdk_would_not_send(official_sdk):
    """The §7 form of the v3 query (POST with a body) is not what the SDK sends (GET ?.r=)."""
    url = "https://www.wixapis.com/stores/v3/products/query"
    wrong = [
        {
            "op": "productsV3.queryProducts", "method": "POST", "url": url,
            "body": '{"query": {"cursorPaging": {"limit": 100}}}',
        },
        {
            "op": "orders.getOrder", "method": "GET", "body": None,
            "url": "https://www.wixapis.com/ecom/v1/orders/o-1",  # without ?id=
        },
    ]  # fmt: skip
    report = compare_shapes(wrong)
    assert [r["differences"] for r in report.results] == [["method", "query", "body"], ["query"]]

"""Status coherence: a scheduled download brings status changes that leave the filter."""

from __future__ import annotations

from wixoms.extensions import db
from wixoms.models import SyncLogEntry


def test_an_order_cancelled_in_wix_outside_the_filter_is_cancelled_in_the_oms(shop):
    s = shop(order_statuses=["APPROVED"])
    kept = s.order()
    cancelled = s.order()
    rejected = s.order()
    assert s.sync().created == 3
    s.sandbox.update_order(cancelled["id"], status="CANCELED")
    s.sandbox.update_order(rejected["id"], status="REJECTED")
    never_imported = s.order(status="CANCELED")

    run = s.sync()

    assert run.state == "succeeded"
    by_id = {o.external_id: o for o in s.orders()}
    assert set(by_id) == {kept["id"], cancelled["id"], rejected["id"]}
    assert never_imported["id"] not in by_id
    assert (by_id[cancelled["id"]].channel_status, by_id[cancelled["id"]].status) == (
        "CANCELED",
        "cancelled",
    )
    assert (by_id[rejected["id"]].channel_status, by_id[rejected["id"]].status) == (
        "REJECTED",
        "cancelled",
    )
    assert by_id[kept["id"]].status == "open"
    assert run.updated == 2
    with s.app.app_context():
        log = [e.message for e in db.session.scalars(
            db.select(SyncLogEntry).where(SyncLogEntry.run_id == run.id)
        )]  # fmt: skip
    assert any("in one query" in m for m in log)
    assert any(
        f"#{never_imported['number']} not imported: its Wix status (Canceled)" in m for m in log
    )


def test_one_search_covers_both_when_few_orders_changed(shop):
    """The wide search costs no more calls than the filter's own search here: one page."""
    s = shop(order_statuses=["APPROVED"])
    s.order()
    s.order(status="CANCELED")
    s.sandbox.reset_counters()
    s.sync()
    endpoints = s.sandbox.counters()["endpoints"]
    assert endpoints.get("POST /ecom/v1/orders/search") == 1

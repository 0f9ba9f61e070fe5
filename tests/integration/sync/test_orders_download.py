"""Orders download rules (ARCHITECTURE §1.3) against the live sandbox, catalog v1 and v3."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from wixoms.extensions import db
from wixoms.models import (
    Carrier,
    CarrierMapping,
    Channel,
    OrderLine,
    SkuMapping,
    SyncLogEntry,
    UnmappedSku,
    Variant,
    Warehouse,
    WarehouseMapping,
)
from wixoms.sync.orders import import_order
from wixoms.wix import Order as WixOrder

BOTH = pytest.mark.parametrize("catalog", ["v1", "v3"])


@BOTH
def test_approved_order_is_imported_with_lines_mapped_to_oms_skus(shop, catalog):
    s = shop(catalog)
    placed = s.order("M", 2, buyer={"email": "ada@example.com", "firstName": "Ada"})
    run = s.sync()
    assert (run.state, run.seen, run.created) == ("succeeded", 1, 1)
    order = s.one(placed)
    assert order.status == "open" and order.channel_status == "APPROVED"
    assert order.number == placed["number"]
    assert order.buyer_email == "ada@example.com"
    assert [(line.sku, line.quantity) for line in order.lines] == [("TEE-M", 2)]
    assert all(line.variant_id for line in order.lines)
    assert str(order.total) == placed["priceSummary"]["total"]["amount"]


def test_only_statuses_in_the_channel_list_are_downloaded(shop):
    s = shop(order_statuses=["APPROVED", "CANCELED"])
    approved = s.order(status="APPROVED")
    pending = s.order(status="PENDING")
    canceled = s.order(status="CANCELED")
    run = s.sync()
    assert {o.external_id for o in s.orders()} == {approved["id"], canceled["id"]}
    assert pending["id"] not in {o.external_id for o in s.orders()}
    assert run.created == 2


def test_initialized_orders_are_never_returned_by_search_but_import_by_id(shop):
    s = shop(order_statuses=["INITIALIZED", "APPROVED"])
    initialized = s.order(status="INITIALIZED")
    s.sync()
    assert s.orders() == []
    with s.app.app_context():
        from wixoms.connection import client_for

        channel = db.session.get(Channel, s.channel.id)
        wix_order = client_for(channel).orders.get(initialized["id"])
        assert import_order(channel, wix_order) == "created"
        db.session.commit()
    assert s.one(initialized).channel_status == "INITIALIZED"


def test_pickup_orders_only_when_process_pickup_orders_is_yes(shop):
    s = shop(process_pickup_orders=False)
    pickup = s.order(pickup=True)
    shipped = s.order()
    s.sync()
    assert [o.external_id for o in s.orders()] == [shipped["id"]]
    s.settings(process_pickup_orders=True)
    s.sandbox.update_order(pickup["id"], buyerNote="touch")  # pickup order seen again
    s.sync()
    assert s.one(pickup).is_pickup


@pytest.mark.parametrize(
    ("import_type", "extra", "imported"),
    [
        ("from_date", {"import_from_date": datetime(2026, 1, 10, tzinfo=UTC)}, {"new"}),
        ("last_days", {"import_last_days": 30}, {"new", "recent"}),
        ("from_now", {}, {"new"}),
    ],
)
def test_orders_placed_before_the_import_start_point_are_not_imported(
    shop, import_type, extra, imported
):
    s = shop(import_type=import_type, **extra)
    now = datetime.now(UTC)
    stamp = lambda d: d.strftime("%Y-%m-%dT%H:%M:%S.000Z")  # noqa: E731
    placed = {
        "old": s.order(createdDate=stamp(datetime(2026, 1, 5, tzinfo=UTC))),
        "recent": s.order(createdDate=stamp(now - timedelta(days=10))),
        "new": s.order(),
    }
    if import_type == "from_date":  # a fixed date: "recent" is 10 days ago, after Jan 10 only
        imported = {"new"} | ({"recent"} if now - timedelta(days=10) > extra["import_from_date"]
                              else set())  # fmt: skip
    s.sync()
    ids = {o.external_id for o in s.orders()}
    assert ids == {placed[k]["id"] for k in imported}


def test_rerunning_the_download_changes_nothing(shop):
    s = shop()
    for size in ("S", "M", "S"):
        s.order(size)
    first = s.sync()
    before = [(o.id, o.status, o.updated_at) for o in s.orders()]
    second = s.sync()
    assert first.created == 3
    assert (second.state, second.created, second.updated, second.held) == ("succeeded", 0, 0, 0)
    assert [(o.id, o.status, o.updated_at) for o in s.orders()] == before


def test_status_change_in_wix_updates_the_same_oms_order(shop):
    s = shop(order_statuses=["APPROVED", "PENDING", "CANCELED"])
    placed = s.order(status="PENDING")
    s.sync()
    assert s.one(placed).channel_status == "PENDING"
    s.sandbox.update_order(placed["id"], status="APPROVED", paymentStatus="PAID")
    run = s.sync()
    order = s.one(placed)
    assert (order.channel_status, order.payment_status) == ("APPROVED", "PAID")
    assert order.status == "open"
    assert run.updated == 1 and run.created == 0
    s.sandbox.update_order(placed["id"], status="CANCELED")
    s.sync()
    assert s.one(placed).status == "cancelled"


def test_paid_only_filter_and_skip_fulfilled(shop):
    s = shop(payment_filter="paid", order_statuses=["APPROVED", "PENDING"])
    paid = s.order(status="APPROVED", paymentStatus="PAID")
    unpaid = s.order(status="PENDING", paymentStatus="NOT_PAID")
    run = s.sync()
    assert [o.external_id for o in s.orders()] == [paid["id"]]
    assert run.skipped == 1
    entry = next(e for e in run.entries if f"#{unpaid['number']}" == e.item_ref)
    assert "only paid" in entry.message


def test_carrier_mapped_by_wix_shipping_title(shop, world):
    s = shop()
    carrier = Carrier(account_id=world.acme.id, name="UPS", code="ups")
    s.add(carrier)
    s.add(CarrierMapping(channel_id=s.channel.id, wix_shipping_title="Express Shipping",
                         carrier_id=carrier.id))  # fmt: skip
    express = s.order(shippingTitle="Express Shipping")
    standard = s.order(shippingTitle="Standard Shipping")
    s.sync()
    assert s.one(express).carrier_id == carrier.id
    assert s.one(express).shipping_method == "Express Shipping"
    assert s.one(standard).carrier_id is None


@BOTH
def test_sku_mapping_wins_over_exact_sku_match(shop, catalog, world):
    s = shop(catalog, oms_skus=("TEE-S", "TEE-M", "OMS-TEE-M"))
    with s.app.app_context():
        target = db.session.scalar(db.select(Variant).where(Variant.sku == "OMS-TEE-M"))
        db.session.add(SkuMapping(channel_id=s.channel.id, wix_sku="TEE-M", variant_id=target.id))
        db.session.commit()
        target_id = target.id
    m, small = s.order("M"), s.order("S")
    s.sync()
    assert s.one(m).lines[0].variant_id == target_id
    with s.app.app_context():
        assert db.session.get(Variant, s.one(small).lines[0].variant_id).sku == "TEE-S"


@BOTH
def test_unknown_sku_puts_order_on_hold_with_the_reason_never_drops_it(shop, catalog):
    s = shop(catalog, oms_skus=("TEE-S",))
    held = s.order("M")
    fine = s.order("S")
    run = s.sync()
    order = s.one(held)
    assert order.status == "on_hold"
    assert "TEE-M" in order.hold_reason and "SKU Mappings" in order.hold_reason
    assert [(line.sku, line.variant_id) for line in order.lines] == [("TEE-M", None)]
    assert s.one(fine).status == "open"
    assert (run.created, run.held) == (2, 1)
    with s.app.app_context():
        unmapped = db.session.scalars(db.select(UnmappedSku)).all()
        assert [(u.wix_sku, u.times_seen, u.last_order_number) for u in unmapped] == [
            ("TEE-M", 1, held["number"])
        ]


def test_held_order_is_released_when_its_sku_is_mapped_and_wix_updates_it(shop):
    s = shop(oms_skus=("TEE-S",))
    held = s.order("M")
    s.sync()
    with s.app.app_context():
        small = db.session.scalar(db.select(Variant).where(Variant.sku == "TEE-S"))
        db.session.add(SkuMapping(channel_id=s.channel.id, wix_sku="TEE-M", variant_id=small.id))
        db.session.commit()
    s.sandbox.update_order(held["id"], buyerNote="please hurry")
    s.sync()
    order = s.one(held)
    assert (order.status, order.hold_reason) == ("open", None)
    assert order.lines[0].variant_id is not None


def test_warehouse_comes_from_the_first_warehouse_mapping(shop, world):
    s = shop()
    east, west = (
        Warehouse(account_id=world.acme.id, code="E", name="East"),
        Warehouse(account_id=world.acme.id, code="W", name="West"),
    )
    s.add(east, west)
    s.add(WarehouseMapping(channel_id=s.channel.id, warehouse_id=west.id, wix_location_id="loc"))
    placed = s.order()
    s.sync()
    assert s.one(placed).warehouse_id == west.id


@pytest.mark.parametrize(("use_channel_names", "name"), [(True, "Wix Tee"), (False, "OMS T-shirt")])
def test_use_channel_names_keeps_wix_product_names_on_lines(shop, use_channel_names, name):
    s = shop(use_channel_names=use_channel_names)
    placed = s.order("S")
    s.sync()
    assert s.one(placed).lines[0].name.startswith(name)


def test_auto_merge_joins_open_orders_of_the_same_customer(shop):
    s = shop(auto_merge_orders=True)
    first = s.order("S", buyer={"email": "grace@example.com"})
    s.sync()
    second = s.order("M", buyer={"email": "grace@example.com",
                                 "address": {"addressLine1": "1 Other St"}})  # fmt: skip
    stranger = s.order("M", buyer={"email": "alan@example.com",
                                   "address": {"addressLine1": "9 Far Rd"}})  # fmt: skip
    s.sync()
    target, merged = s.one(first), s.one(second)
    assert merged.status == "merged" and merged.merged_into_id == target.id
    assert f"#{second['number']}" in target.merge_note
    assert "same customer email" in target.merge_note
    assert sorted(line.sku for line in target.lines) == ["TEE-M", "TEE-S"]
    moved = next(line for line in target.lines if line.sku == "TEE-M")
    assert moved.external_order_id == second["id"]
    assert merged.lines == []
    assert s.one(stranger).status == "open"
    assert s.sync().created == 0  # the merged Wix order is known: never imported twice


def test_auto_merge_joins_orders_with_the_same_delivery_address(shop):
    s = shop(auto_merge_orders=True)
    address = {"addressLine1": "12 Shared Lane", "postalCode": "10001"}
    first = s.order(buyer={"email": "a@example.com", "address": address})
    second = s.order(buyer={"email": "b@example.com", "address": address})
    s.sync()
    assert s.one(second).merged_into_id == s.one(first).id
    assert "same delivery address" in s.one(first).merge_note


def test_no_merge_into_shipped_or_held_orders_or_when_off(shop):
    s = shop(auto_merge_orders=False)
    s.order(buyer={"email": "x@example.com"})
    s.order(buyer={"email": "x@example.com"})
    s.sync()
    assert [o.status for o in s.orders()] == ["open", "open"]


def test_personal_data_masked_after_n_days(shop):
    s = shop(mask_personal_data_days=30, import_type="last_days", import_last_days=90)
    stamp = (datetime.now(UTC) - timedelta(days=40)).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    old = s.order(createdDate=stamp, buyer={"email": "old@example.com", "phone": "+15550001"})
    new = s.order(buyer={"email": "new@example.com"})
    s.sync()
    masked, kept = s.one(old), s.one(new)
    assert (masked.buyer_email, masked.buyer_phone, masked.ship_address1) == ("", "", "")
    assert masked.personal_data_masked_at is not None and masked.ship_country == "US"
    assert kept.buyer_email == "new@example.com" and kept.personal_data_masked_at is None


def test_buyer_email_and_phone_are_not_in_the_sync_log(shop):
    s = shop(exclude_pii_from_logs=True, order_statuses=["APPROVED"])
    s.order(buyer={"email": "secret@example.com", "phone": "+44 20 7946 0000", "lastName": "Zed"})
    s.order(status="PENDING", buyer={"email": "secret@example.com"})
    s.sync()
    with s.app.app_context():
        text = " ".join(db.session.scalars(db.select(SyncLogEntry.message)))
    assert "Order #" in text
    assert "secret@example.com" not in text and "7946" not in text


def test_dry_run_downloads_and_logs_but_saves_no_order(shop):
    s = shop(dry_run=True)
    s.order()
    run = s.sync()
    assert s.orders() == []
    assert run.dry_run and run.created == 1
    assert any("would be imported" in e.message for e in run.entries)


def test_same_wix_order_never_creates_two_oms_orders(shop):
    s = shop()
    placed = s.order()
    s.sync()
    with s.app.app_context():
        from wixoms.connection import client_for

        channel = db.session.get(Channel, s.channel.id)
        wix_order = WixOrder.from_wix(placed)
        assert import_order(channel, wix_order) == "unchanged"
        assert db.session.scalar(db.select(db.func.count()).select_from(OrderLine)) == 1
        assert client_for(channel) is not None

"""Fulfillment push rules (ARCHITECTURE §1.3) against the live sandbox."""

from __future__ import annotations

import time

import pytest

from wixoms.extensions import db
from wixoms.models import Carrier, Order, OrderLine, Shipment, ShipmentLine, SyncRun
from wixoms.sync.runs import run_now


class Shipping:
    """A channel with a Wix product; Wix orders copied into the OMS as the download would."""

    def __init__(self, app, sandbox, server, channel, account_id: int) -> None:
        self.app, self.sandbox, self.server = app, sandbox, server
        self.channel, self.account_id = channel, account_id
        self.product = sandbox.add_product(
            channel.site_id, name="Tee", price=20, options={"Size": ["S", "M"]},
            skus={"S": "TEE-S", "M": "TEE-M"},
        )  # fmt: skip
        with app.app_context():
            ups = Carrier(account_id=account_id, name="UPS", code="ups")
            local = Carrier(
                account_id=account_id, name="Local Courier", code="localcourier",
                tracking_url_template="https://courier.example/track/{tracking}",
            )  # fmt: skip
            bare = Carrier(account_id=account_id, name="Bare Courier", code="barecourier")
            db.session.add_all([ups, local, bare])
            db.session.commit()
            self.carriers = {"ups": ups.id, "local": local.id, "bare": bare.id}

    def wix_order(self, status: str = "APPROVED") -> dict:
        return self.sandbox.place_order(
            self.channel.site_id,
            status=status,
            lines=[
                {"productId": self.product["id"], "choices": {"Size": "S"}, "quantity": 2},
                {"productId": self.product["id"], "choices": {"Size": "M"}, "quantity": 1},
            ],
        )

    def oms_order(self, wix: dict) -> int:
        with self.app.app_context():
            order = Order(
                account_id=self.account_id, channel_id=self.channel.id, external_id=wix["id"],
                number=wix["number"], channel_status=wix["status"],
            )  # fmt: skip
            for li in wix["lineItems"]:
                order.lines.append(
                    OrderLine(
                        external_line_id=li["id"], quantity=li["quantity"],
                        sku=li["physicalProperties"]["sku"],
                    )
                )  # fmt: skip
            db.session.add(order)
            db.session.commit()
            return order.id

    def ship(self, order_id: int, number: str, carrier: str = "ups", lines=None) -> int:
        """A shipment of the order: all of it, or {line index: quantity}."""
        with self.app.app_context():
            order = db.session.get(Order, order_id)
            shipment = Shipment(
                order=order, tracking_number=number, carrier_id=self.carriers[carrier]
            )
            db.session.add(shipment)
            for index, quantity in (lines or {}).items():
                shipment.lines.append(
                    ShipmentLine(order_line=order.lines[index], quantity=quantity)
                )
            db.session.add(shipment)
            db.session.commit()
            return shipment.id

    def push(self) -> SyncRun:
        with self.app.app_context():
            run = run_now(self.channel.id, "fulfillments")
            db.session.refresh(run)
            _ = list(run.entries)
            db.session.expunge_all()
            return run

    def shipment(self, shipment_id: int) -> Shipment:
        with self.app.app_context():
            shipment = db.session.get(Shipment, shipment_id)
            db.session.expunge(shipment)
            return shipment

    def fulfillments(self, wix: dict) -> list[dict]:
        store = self.server.store
        with store.lock:
            order = store.orders[wix["id"]]
            return [
                {
                    "id": f.id,
                    "lines": {li["id"]: li["quantity"] for li in f.line_items},
                    **f.tracking,
                }
                for f in order.fulfillments
            ]

    def wix_status(self, wix: dict) -> str:
        store = self.server.store
        with store.lock:
            return store.orders[wix["id"]].fulfillment_status


@pytest.fixture
def shipping(wix_app, world, sandbox, sandbox_server, connected_channel):
    def _shipping(**settings) -> Shipping:
        channel = connected_channel(catalog="v3", **settings)
        return Shipping(wix_app, sandbox, sandbox_server, channel, world.acme.id)

    return _shipping


def messages(run: SyncRun) -> str:
    return "\n".join(e.message for e in run.entries)


def test_shipment_becomes_a_wix_fulfillment_with_tracking_once(shipping):
    s = shipping()
    wix = s.wix_order()
    shipment_id = s.ship(s.oms_order(wix), "1Z999AA10123456784")
    run = s.push()
    assert (run.state, run.created) == ("succeeded", 1), messages(run)
    [made] = s.fulfillments(wix)
    assert made["trackingNumber"] == "1Z999AA10123456784"
    assert made["shippingProvider"] == "ups"
    assert made["trackingLink"].startswith("https://www.ups.com/")
    assert made["lines"] == {li["id"]: li["quantity"] for li in wix["lineItems"]}
    assert s.wix_status(wix) == "FULFILLED"
    shipment = s.shipment(shipment_id)
    assert shipment.wix_fulfillment_id == made["id"] and shipment.pushed_at is not None
    again = s.push()
    assert (again.seen, again.api_calls) == (0, 0)
    assert len(s.fulfillments(wix)) == 1


def test_partial_shipment_sends_its_lines_and_custom_carrier_its_link(shipping):
    s = shipping()
    wix = s.wix_order()
    s.ship(s.oms_order(wix), "LC-42", carrier="local", lines={0: 1})
    s.push()
    [made] = s.fulfillments(wix)
    assert made["lines"] == {wix["lineItems"][0]["id"]: 1}
    assert made["shippingProvider"] == "localcourier"
    assert made["trackingLink"] == "https://courier.example/track/LC-42"
    assert s.wix_status(wix) == "PARTIALLY_FULFILLED"


def test_orders_not_approved_in_wix_wait(shipping):
    s = shipping()
    wix = s.wix_order(status="PENDING")
    shipment_id = s.ship(s.oms_order(wix), "1Z-PENDING")
    run = s.push()
    assert (run.state, run.skipped, run.api_calls) == ("succeeded", 1, 0)
    assert "approved orders only" in messages(run)
    assert s.fulfillments(wix) == []
    assert s.shipment(shipment_id).pushed_at is None


def test_tracking_number_wix_already_has_counts_as_sent(shipping):
    s = shipping()
    wix = s.wix_order()
    order_id = s.oms_order(wix)
    first = s.ship(order_id, "1Z-SAME", lines={0: 1})
    s.push()
    with s.app.app_context():  # as if the answer was lost: the OMS never recorded the push
        shipment = db.session.get(Shipment, first)
        shipment.wix_fulfillment_id, shipment.pushed_at = None, None
        db.session.commit()
    run = s.push()
    assert (run.state, run.created, run.failed) == ("succeeded", 1, 0), messages(run)
    assert len(s.fulfillments(wix)) == 1
    assert s.shipment(first).wix_fulfillment_id == s.fulfillments(wix)[0]["id"]


def test_wix_refusal_is_recorded_on_the_shipment_and_in_the_log(shipping):
    s = shipping()
    wix = s.wix_order()
    order_id = s.oms_order(wix)
    bad = s.ship(order_id, "BC-1", carrier="bare")  # custom provider without a link
    good = s.ship(s.oms_order(s.wix_order()), "1Z-GOOD")
    run = s.push()
    assert (run.state, run.created, run.failed) == ("partial", 1, 1)
    shipment = s.shipment(bad)
    assert shipment.pushed_at is None and "trackingLink" in (shipment.push_error or "")
    assert "BC-1" in messages(run)
    assert s.shipment(good).pushed_at is not None


def test_shipments_of_other_channels_orders_are_left_alone(shipping, wix_app, world):
    s = shipping()
    with wix_app.app_context():
        manual = Order(account_id=world.acme.id, number="M-1", external_id=None)
        db.session.add(manual)
        db.session.commit()
        manual_id = manual.id
    shipment_id = s.ship(manual_id, "1Z-MANUAL")
    run = s.push()
    assert (run.seen, run.api_calls) == (0, 0)
    assert s.shipment(shipment_id).pushed_at is None


def test_dry_run_sends_nothing(shipping):
    s = shipping(dry_run=True)
    wix = s.wix_order()
    shipment_id = s.ship(s.oms_order(wix), "1Z-DRY")
    run = s.push()
    assert "Would send tracking 1Z-DRY (ups)." in messages(run)
    assert s.fulfillments(wix) == [] and s.shipment(shipment_id).pushed_at is None


def test_tracking_number_wix_refuses_but_does_not_list_is_never_marked_sent(shipping, sandbox):
    """Two Wix orders shipped with one tracking number, on a Wix that keeps numbers unique
    across the site: the second answers TRACKING_NUMBER_ALREADY_EXISTS yet lists nothing."""
    sandbox.config(tracking_number_scope="site")
    s = shipping()
    first_wix, second_wix = s.wix_order(), s.wix_order()
    first = s.ship(s.oms_order(first_wix), "1Z-BOX")
    second = s.ship(s.oms_order(second_wix), "1Z-BOX")
    run = s.push()
    assert (run.state, run.created, run.failed) == ("partial", 1, 1), messages(run)
    assert s.shipment(first).wix_fulfillment_id == s.fulfillments(first_wix)[0]["id"]
    refused = s.shipment(second)
    assert (refused.wix_fulfillment_id, refused.pushed_at) == (None, None)
    assert "its own tracking number" in refused.push_error
    assert s.wix_status(second_wix) == "NOT_FULFILLED" and s.fulfillments(second_wix) == []
    assert "1Z-BOX" in messages(run)


def test_a_lost_answer_is_reconciled_from_wix_fulfillments(shipping, sandbox):
    """Wix made the fulfillment but its answer never arrived (timeout): the shipment is not
    marked sent until Wix lists it, then it gets Wix's id, and Wix has it once."""
    s = shipping(request_timeout_s=1)
    wix = s.wix_order()
    shipment_id = s.ship(s.oms_order(wix), "1Z-LOST")
    sandbox.set_faults(latency_ms=1600)  # every answer arrives after the client gave up
    try:
        lost = s.push()
    finally:
        sandbox.clear_faults()
    assert lost.state == "failed"
    assert s.shipment(shipment_id).pushed_at is None
    deadline = time.monotonic() + 10
    while not s.fulfillments(wix) and time.monotonic() < deadline:
        time.sleep(0.05)  # the sandbox finishes the create it was sleeping on
    run = s.push()
    assert (run.state, run.created) == ("succeeded", 1), messages(run)
    [made] = s.fulfillments(wix)
    assert s.shipment(shipment_id).wix_fulfillment_id == made["id"]
    assert s.wix_status(wix) == "FULFILLED"

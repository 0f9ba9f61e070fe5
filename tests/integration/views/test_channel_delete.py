"""Delete: confirm by typing the name; orders stay, marked; the account can connect Wix again."""

from __future__ import annotations

from tests.integration.channel_world import INSTANCE_ID, add_catalog, add_channel
from wixoms.extensions import db
from wixoms.models import (
    Carrier,
    CarrierMapping,
    Channel,
    Order,
    SkuMapping,
    SyncRun,
    Variant,
    WebhookEndpoint,
)


def count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(db.select(db.func.count()).select_from(model))


def test_delete_page_explains_what_goes_and_what_stays(app, logged_in):
    channel_id = add_channel(app, name="Shop")
    html = logged_in.get(f"/channels/{channel_id}/delete").get_data(as_text=True)
    assert "Type the channel name" in html and "<strong>Shop</strong>" in html
    assert "No orders have been imported from this channel yet." in html
    assert "connect Wix again" in html


def test_wrong_name_deletes_nothing(app, logged_in):
    channel_id = add_channel(app, name="Shop")
    for typed in ("", "shop", "Shop2", "Sho"):
        response = logged_in.post(f"/channels/{channel_id}/delete", data={"confirm_name": typed})
        assert response.status_code == 422
        assert "Type the channel name exactly as shown: Shop" in response.get_data(as_text=True)
    assert count(app, Channel) == 1


def test_delete_keeps_orders_marked_and_removes_connection_mappings_and_endpoints(app, logged_in):
    add_catalog(app)
    channel_id = add_channel(app, name="Shop", instance_id=INSTANCE_ID)
    with app.app_context():
        channel = db.session.get(Channel, channel_id)
        variant = db.session.scalar(db.select(Variant))
        carrier = db.session.scalar(db.select(Carrier))
        db.session.add_all(
            [
                Order(account_id=channel.account_id, channel_id=channel_id, number="1001"),
                Order(account_id=channel.account_id, channel_id=channel_id, number="1002"),
                SkuMapping(channel_id=channel_id, wix_sku="W", variant_id=variant.id),
                CarrierMapping(channel_id=channel_id, wix_shipping_title="E", carrier=carrier),
                WebhookEndpoint(channel_id=channel_id, token="t" * 43),
                SyncRun(channel_id=channel_id, kind="orders", state="succeeded"),
            ]
        )
        db.session.commit()

    confirm = logged_in.get(f"/channels/{channel_id}/delete").get_data(as_text=True)
    assert "the 2 orders imported from this channel\n    stay in wixoms" in confirm
    response = logged_in.post(f"/channels/{channel_id}/delete", data={"confirm_name": " Shop "})
    assert response.status_code == 302 and response.headers["Location"].endswith("/channels/")
    page = logged_in.get("/channels/").get_data(as_text=True)
    assert "Channel Shop deleted. 2 imported orders kept." in page
    assert "Add Wix channel" in page

    assert count(app, Channel) == 0
    for model in (SkuMapping, CarrierMapping, WebhookEndpoint, SyncRun):
        assert count(app, model) == 0, model
    with app.app_context():
        orders = list(db.session.scalars(db.select(Order)))
        assert [(o.channel_id, o.source_channel_name) for o in orders] == [(None, "Shop")] * 2

    # The account can connect Wix again, even the same site (same instance id).
    again = add_channel(app, name="Shop again", instance_id=INSTANCE_ID)
    assert logged_in.get(f"/channels/{again}").status_code == 200


def test_operator_cannot_delete(app, client, auth):
    channel_id = add_channel(app, name="Shop")
    auth.login("op@acme.test")
    response = client.post(f"/channels/{channel_id}/delete", data={"confirm_name": "Shop"})
    assert response.status_code == 403
    assert count(app, Channel) == 1

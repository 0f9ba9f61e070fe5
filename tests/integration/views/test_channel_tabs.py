"""The channel list and the channel page: tabs, one atomic Save, status badge, reconnect."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from tests.integration.channel_world import add_channel, load_channel, settings_post
from wixoms.extensions import db
from wixoms.models import SyncRun
from wixoms.models._base import utcnow


def panel(html: str, tab: str) -> str:
    """The HTML of one tab panel of the channel page."""
    match = re.search(
        rf'<section class="tab-panel" id="tab-{tab}".*?(?=<section class="tab-panel"|</form>\s*'
        rf"<section|\Z)",
        html,
        re.S,
    )
    assert match, f"no panel {tab}"
    return match.group(0)


def checked(html: str, input_id: str, value: str | None = None) -> bool:
    """Whether the checkbox with this id (or, for a list, this value) is checked."""
    for tag in re.findall(r"<input[^>]*>", html):
        by_id = value is None and f'id="{input_id}"' in tag
        by_value = value is not None and f'value="{value}"' in tag and f'name="{input_id}"' in tag
        if by_id or by_value:
            return re.search(r"\bchecked\b", tag) is not None
    raise AssertionError(f"no checkbox {input_id} {value}")


def visible_tab(html: str) -> str:
    opening = re.findall(r'<section class="tab-panel" id="tab-(\w+)"[^>]*>', html)
    tags = re.findall(r'<section class="tab-panel" id="tab-\w+"[^>]*>', html)
    shown = [key for key, tag in zip(opening, tags, strict=True) if " hidden" not in tag]
    assert len(shown) == 1, shown
    return shown[0]


def test_channel_list_shows_add_button_when_the_account_has_no_channel(logged_in):
    html = logged_in.get("/channels/").get_data(as_text=True)
    assert "Add Wix channel" in html
    assert 'href="/wizard/' in html


def test_channel_list_shows_name_catalog_mode_status_and_last_sync(app, logged_in):
    channel_id = add_channel(app, catalog_version="v1", is_active=True, channel_mode="webhooks")
    with app.app_context():
        db.session.add(
            SyncRun(channel_id=channel_id, kind="orders", state="succeeded", finished_at=utcnow())
        )
        db.session.commit()
    html = logged_in.get("/channels/").get_data(as_text=True)
    assert "Acme Wix store" in html and f"/channels/{channel_id}" in html
    assert ">v1<" in html and "Webhooks" in html
    assert ">Live<" in html
    assert "Orders:" in html and "succeeded" in html
    assert "Add Wix channel</a>" not in html  # one channel per account


@pytest.mark.parametrize(
    ("settings", "run_state", "label"),
    [
        ({"needs_reconnect": True, "is_active": True}, None, "Reconnect needed"),
        ({"last_error": "Wix said 500", "is_active": True}, None, "Error"),
        ({"is_active": True}, "running", "Importing"),
        ({"is_active": True}, "failed", "Error"),
        ({"is_active": True}, "succeeded", "Live"),
        ({"is_active": False}, None, "Connected"),
    ],
)
def test_status_badge_follows_connection_and_runs(app, logged_in, settings, run_state, label):
    channel_id = add_channel(app, **settings)
    if run_state:
        with app.app_context():
            finished = None if run_state == "running" else utcnow()
            db.session.add(
                SyncRun(
                    channel_id=channel_id,
                    kind="catalog_import",
                    state=run_state,
                    finished_at=finished,
                    error="boom" if run_state == "failed" else None,
                )
            )
            db.session.commit()
    for url in ("/channels/", f"/channels/{channel_id}"):
        html = logged_in.get(url).get_data(as_text=True)
        assert re.search(rf'class="badge \w+"[^>]*>{label}<', html), (url, label)


def test_channel_page_has_every_tab_and_the_quick_actions(app, logged_in):
    channel_id = add_channel(app)
    html = logged_in.get(f"/channels/{channel_id}").get_data(as_text=True)
    for label in (
        "Main settings",
        "Advanced settings",
        "Channel settings",
        "Carrier Mappings",
        "SKU Mappings",
        "Warehouse Mappings",
        "Webhooks",
    ):
        assert f"{label}<span" in html or f"{label}\n" in html or label in html
    assert visible_tab(html) == "main"
    assert 'form="channel-settings"' in html and ">Save</button>" in html
    assert f'/channels/{channel_id}/delete"' in html
    assert 'name="is_active"' in html and "data-dirty-warn" in html
    assert "Catalog v3" in html


def test_unknown_tab_falls_back_to_main_and_known_tab_is_shown(app, logged_in):
    channel_id = add_channel(app)
    assert visible_tab(logged_in.get(f"/channels/{channel_id}?tab=nope").get_data(True)) == "main"
    html = logged_in.get(f"/channels/{channel_id}?tab=webhooks").get_data(as_text=True)
    assert visible_tab(html) == "webhooks"


# Save: per tab, then reload ------------------------------------------------------------------


def test_main_settings_are_saved_and_shown_after_reload(app, logged_in):
    channel_id = add_channel(app)
    data = settings_post(
        channel_mode="manual",
        inventory_auto="y",
        inventory_interval_min="45",
        orders_auto=None,
        use_channel_names="y",
        auto_merge_orders="y",
        import_type="from_date",
        import_from_date="2025-03-01",
        payment_filter="paid",
        skip_fulfilled=None,
        tab="main",
    )
    response = logged_in.post(f"/channels/{channel_id}", data=data)
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/channels/{channel_id}?tab=main")
    saved = load_channel(app, channel_id)
    assert saved.channel_mode == "manual"
    assert (saved.inventory_auto, saved.inventory_interval_min, saved.orders_auto) == (
        True,
        45,
        False,
    )
    assert saved.use_channel_names and saved.auto_merge_orders and not saved.skip_fulfilled
    assert saved.import_type == "from_date" and saved.payment_filter == "paid"
    assert saved.import_from_date.replace(tzinfo=UTC) == datetime(2025, 3, 1, tzinfo=UTC)

    html = panel(logged_in.get(f"/channels/{channel_id}").get_data(as_text=True), "main")
    assert '<option selected value="manual">' in html
    assert 'id="inventory_interval_min"' in html and 'value="45"' in html
    assert checked(html, "use_channel_names")
    assert 'value="2025-03-01"' in html
    assert '<option selected value="paid">' in html


def test_advanced_settings_are_saved_and_shown_after_reload(app, logged_in):
    channel_id = add_channel(app)
    data = settings_post(
        mask_personal_data_days="90",
        exclude_pii_from_logs=None,
        log_retention_days="120",
        request_timeout_s="60",
        dry_run="y",
    )
    assert logged_in.post(f"/channels/{channel_id}", data=data).status_code == 302
    saved = load_channel(app, channel_id)
    assert (saved.mask_personal_data_days, saved.log_retention_days) == (90, 120)
    assert (saved.request_timeout_s, saved.dry_run, saved.exclude_pii_from_logs) == (
        60,
        True,
        False,
    )
    html = panel(logged_in.get(f"/channels/{channel_id}").get_data(as_text=True), "advanced")
    for value in ('value="90"', 'value="120"', 'value="60"'):
        assert value in html
    assert checked(html, "dry_run")
    assert not checked(html, "exclude_pii_from_logs")


def test_channel_settings_are_saved_and_shown_after_reload(app, logged_in):
    channel_id = add_channel(app, site_id="3e2f6a1c-8b5d-4f7e-9a0b-1c2d3e4f5a6b")
    data = settings_post(
        api_url="https://www.wixapis.com",
        site_id="another-tenants-site",  # Wix's site id stays: the field is read-only
        order_statuses=["APPROVED", "PENDING", "CANCELED"],
        throughput_plan="pro",
        process_pickup_orders="yes",
        stock_buffer="3",
        max_stock_level="500",
        is_active=None,
    )
    assert logged_in.post(f"/channels/{channel_id}", data=data).status_code == 302
    saved = load_channel(app, channel_id)
    assert saved.site_id == "3e2f6a1c-8b5d-4f7e-9a0b-1c2d3e4f5a6b"
    assert saved.order_statuses == ["APPROVED", "PENDING", "CANCELED"]
    assert (saved.throughput_plan, saved.process_pickup_orders) == ("pro", True)
    assert (saved.stock_buffer, saved.max_stock_level, saved.is_active) == (3, 500, False)
    html = logged_in.get(f"/channels/{channel_id}").get_data(as_text=True)
    tab = panel(html, "channel")
    assert 'value="3e2f6a1c-8b5d-4f7e-9a0b-1c2d3e4f5a6b"' in tab
    assert checked(tab, "order_statuses", "PENDING")
    assert not checked(tab, "order_statuses", "REJECTED")
    assert '<option selected value="pro">Pro — 180 requests/min</option>' in tab
    assert 'value="500"' in tab
    assert saved.instance_id in tab  # read-only, shown
    assert not checked(html, "is_active", "y")


def test_empty_max_stock_level_means_no_limit(app, logged_in):
    channel_id = add_channel(app, max_stock_level=10)
    logged_in.post(f"/channels/{channel_id}", data=settings_post(max_stock_level=""))
    assert load_channel(app, channel_id).max_stock_level is None


# Validation: on the right tab, nothing half-saved ----------------------------------------


@pytest.mark.parametrize(
    ("overrides", "tab", "message"),
    [
        ({"orders_interval_min": "2"}, "main", "Enter a whole number from 5 to 10,080."),
        ({"orders_interval_min": "soon"}, "main", "Enter a whole number from 5 to 10,080."),
        ({"channel_mode": "telepathy"}, "main", "Choose one of the options in the list."),
        ({"import_type": "from_date", "import_from_date": ""}, "main", "Enter the date to import"),
        (
            {"import_type": "from_date", "import_from_date": "2999-01-01"},
            "main",
            "not in the future",
        ),
        ({"import_type": "from_date", "import_from_date": "31/01/2025"}, "main", "2025-01-31"),
        ({"import_last_days": "0"}, "main", "from 1 to 365"),
        ({"mask_personal_data_days": "-1"}, "advanced", "from 1 to 3,650"),
        ({"log_retention_days": "9999"}, "advanced", "from 1 to 365"),
        ({"request_timeout_s": "1"}, "advanced", "from 5 to 120"),
        ({"api_url": "https://evil.example/"}, "channel", "Use Wix&#39;s API address"),
        ({"api_url": "http://www.wixapis.com"}, "channel", "must start with https://"),
        ({"api_url": ""}, "channel", "Enter the Api URL"),
        ({"channel_mode": "webhooks"}, "channel", "Webhooks need the Site ID"),
        ({"order_statuses": None}, "channel", "Choose at least one status"),
        ({"order_statuses": ["SHIPPED"]}, "channel", "is not one of the listed statuses"),
        ({"throughput_plan": "unlimited"}, "channel", "Choose one of the options"),
        ({"stock_buffer": "-1"}, "channel", "from 0 to 1,000,000"),
        ({"max_stock_level": "0"}, "channel", "from 1 to 1,000,000"),
    ],
)
def test_bad_field_is_reported_on_its_tab_and_nothing_is_saved(
    app, logged_in, overrides, tab, message
):
    channel_id = add_channel(app)
    before = load_channel(app, channel_id)
    # Good edits in every tab plus one bad field: none of the good edits may be stored.
    data = settings_post(
        **{
            "auto_merge_orders": "y",
            "dry_run": "y",
            "stock_buffer": "7",
            "is_active": None,
            "tab": "advanced" if tab != "advanced" else "main",
            **overrides,
        }
    )
    response = logged_in.post(f"/channels/{channel_id}", data=data)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert visible_tab(html) == tab
    assert message in panel(html, tab)
    assert re.search(rf'id="tab-link-{tab}"[^>]*class="has-errors"', html)
    assert html.count('class="tab-flag"') == 1
    assert "Nothing was saved." in html
    after = load_channel(app, channel_id)
    assert after.auto_merge_orders == before.auto_merge_orders is False
    assert after.dry_run is False and after.stock_buffer == 0 and after.is_active is False
    assert after.updated_at == before.updated_at


def test_errors_in_two_tabs_mark_both_and_keep_typed_values(app, logged_in):
    channel_id = add_channel(app)
    data = settings_post(orders_interval_min="1", stock_buffer="-5", log_retention_days="45")
    html = logged_in.post(f"/channels/{channel_id}", data={**data, "tab": "main"}).get_data(True)
    assert html.count('class="tab-flag"') == 2
    assert visible_tab(html) == "main"
    assert 'value="45"' in panel(html, "advanced")  # the good edit is still on the page
    assert 'value="-5"' in panel(html, "channel")
    assert 'data-dirty="1"' in html  # still unsaved: the warning before leaving stays armed


# Authorization -------------------------------------------------------------------------------


def test_operator_sees_the_page_read_only_and_cannot_save_or_delete(app, client, auth):
    channel_id = add_channel(app)
    auth.login("op@acme.test")
    html = client.get(f"/channels/{channel_id}").get_data(as_text=True)
    assert "only an admin of Acme can change it" in html
    assert "<fieldset disabled>" in html
    assert f"/channels/{channel_id}/delete" not in html
    assert client.post(f"/channels/{channel_id}", data=settings_post()).status_code == 403
    assert client.get(f"/channels/{channel_id}/delete").status_code == 403
    assert client.post(f"/channels/{channel_id}/delete").status_code == 403
    assert load_channel(app, channel_id) is not None


def test_another_accounts_channel_is_not_found(app, client, auth):
    channel_id = add_channel(app)
    auth.login("boss@globex.test")
    for method, url in (
        ("GET", f"/channels/{channel_id}"),
        ("POST", f"/channels/{channel_id}"),
        ("GET", f"/channels/{channel_id}/delete"),
        ("POST", f"/channels/{channel_id}/delete"),
        ("GET", f"/channels/{channel_id}/logo"),
        ("GET", f"/channels/{channel_id}/webhooks/new"),
    ):
        assert client.open(url, method=method).status_code == 404, url
    assert "Acme Wix store" not in client.get("/channels/").get_data(as_text=True)


def test_logged_out_visitor_is_sent_to_login(app, client, world):
    channel_id = add_channel(app)
    response = client.get(f"/channels/{channel_id}")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_save_needs_the_csrf_token(app, logged_in):
    channel_id = add_channel(app)
    response = logged_in.post(
        f"/channels/{channel_id}", data=settings_post(stock_buffer="9"), csrf=False
    )
    assert response.status_code == 400
    assert load_channel(app, channel_id).stock_buffer == 0


# Reconnect and logo ----------------------------------------------------------------------------


def test_reconnect_action_appears_only_when_tokens_are_no_longer_valid(app, logged_in):
    channel_id = add_channel(app)
    html = logged_in.get(f"/channels/{channel_id}").get_data(as_text=True)
    assert "Reconnect to Wix" not in html
    with app.app_context():
        channel = db.session.get(type(load_channel(app, channel_id)), channel_id)
        channel.needs_reconnect = True
        db.session.commit()
    html = logged_in.get(f"/channels/{channel_id}").get_data(as_text=True)
    assert f'href="/wizard/?reconnect={channel_id}"' in html
    assert "Reconnect needed" in html


def test_logo_is_served_for_images_only(app, logged_in):
    png = b"\x89PNG\r\n\x1a\n" + b"0" * 20
    channel_id = add_channel(app, logo=png, logo_mime="image/png")
    response = logged_in.get(f"/channels/{channel_id}/logo")
    assert response.status_code == 200 and response.data == png
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    with app.app_context():
        channel = db.session.get(type(load_channel(app, channel_id)), channel_id)
        channel.logo_mime = "text/html"
        db.session.commit()
    assert logged_in.get(f"/channels/{channel_id}/logo").status_code == 404


def test_nul_character_in_a_setting_is_refused_and_nothing_is_saved(app, logged_in):
    channel_id = add_channel(app)
    before = load_channel(app, channel_id)
    data = settings_post(**{"site_id": "a\x00b", "stock_buffer": "7"})
    response = logged_in.post(f"/channels/{channel_id}", data=data)
    assert response.status_code == 400
    assert "invalid character" in response.get_data(as_text=True)
    after = load_channel(app, channel_id)
    assert (after.site_id, after.stock_buffer) == (before.site_id, before.stock_buffer)

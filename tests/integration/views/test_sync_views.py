"""The Sync quick action, its live progress, the Sync log and the dashboard panels."""

from __future__ import annotations

import re
import time

import pytest

from tests.fixtures.app import PASSWORD
from tests.integration.sync.conftest import shop  # noqa: F401  (the connected-shop fixture)
from wixoms.extensions import db
from wixoms.models import SyncRun
from wixoms.sync.runs import run_now

HX = {"HX-Request": "true"}


@pytest.fixture
def web(shop):  # noqa: F811
    """A connected shop and a test client of the same app, logged in as Acme's admin."""
    s = shop(oms_skus=("TEE-S",))
    client = s.app.test_client()
    assert (
        client.post("/login", data={"email": "admin@acme.test", "password": PASSWORD}).status_code
        == 302
    )
    s.client = client
    return s


def poll_until_done(client, url: str, timeout: float = 20.0) -> str:
    """Follow the progress partial like htmx does, until it stops asking to be polled."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        html = client.get(url, headers=HX).get_data(as_text=True)
        if 'hx-trigger="every 1s"' not in html:
            return html
        url = re.search(r'hx-get="([^"]+)"', html).group(1).replace("&amp;", "&")
        time.sleep(0.1)
    raise AssertionError("the run did not end")


def test_sync_now_runs_without_a_scheduler_and_shows_progress_then_summary(web):
    web.order("S")
    response = web.client.post(
        f"/channels/{web.channel.id}/sync", data={"kind": "orders"}, headers=HX
    )
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Orders download" in html
    run_id = re.search(r'data-run-id="(\d+)"', html).group(1)
    final = poll_until_done(web.client, f"/channels/{web.channel.id}/sync/progress?runs={run_id}")
    assert "succeeded" in final and "Done: 1 seen, 1 created." in final
    assert "Open the Sync log" in final
    assert len(web.orders()) == 1


def test_sync_all_queues_orders_and_the_syncs_switched_on_only(web):
    """Inventory and product push are off by default: "All enabled" must not touch Wix stock."""
    response = web.client.post(f"/channels/{web.channel.id}/sync", data={"kind": "all"}, headers=HX)
    html = response.get_data(as_text=True)
    ids = re.findall(r'data-run-id="(\d+)"', html)
    with web.app.app_context():
        kinds = db.session.scalars(db.select(SyncRun.kind).order_by(SyncRun.id)).all()
    assert kinds == ["orders", "fulfillments"]
    assert len(ids) == 2
    poll_until_done(web.client, f"/channels/{web.channel.id}/sync/progress?runs={','.join(ids)}")
    with web.app.app_context():
        states = db.session.scalars(db.select(SyncRun.state)).all()
    assert len(states) == 2
    assert all(state in ("succeeded", "partial", "skipped", "failed") for state in states)


def test_sync_without_htmx_redirects_to_the_sync_log_tab(web):
    response = web.client.post(f"/channels/{web.channel.id}/sync", data={"kind": "orders"})
    assert response.status_code == 302
    assert "tab=sync_log" in response.headers["Location"]


def test_unknown_kind_is_refused_with_a_message(web):
    response = web.client.post(f"/channels/{web.channel.id}/sync", data={"kind": "everything"})
    assert response.status_code == 400
    assert "Choose what to sync" in response.get_data(as_text=True)


def test_another_accounts_channel_cannot_be_synced_or_read(web):
    other = web.app.test_client()
    other.post("/login", data={"email": "boss@globex.test", "password": PASSWORD})
    assert (
        other.post(f"/channels/{web.channel.id}/sync", data={"kind": "orders"}).status_code == 404
    )
    assert other.get(f"/channels/{web.channel.id}/sync-log").status_code == 404
    assert other.get(f"/channels/{web.channel.id}/sync/progress").status_code == 404


def test_sync_log_lists_runs_with_counts_and_entries_filterable_by_level(web):
    held = web.order("M")  # TEE-M is unknown to the OMS: held
    web.order("S")
    run = web.sync()
    page = web.client.get(f"/channels/{web.channel.id}/sync-log").get_data(as_text=True)
    assert f'data-run-id="{run.id}"' in page and "Orders download" in page
    assert "Done: 2 seen, 2 created, 1 held." in page
    url = f"/channels/{web.channel.id}/sync-log/{run.id}"
    everything = web.client.get(url, headers=HX).get_data(as_text=True)
    warnings = web.client.get(f"{url}?level=warning", headers=HX).get_data(as_text=True)
    assert "imported (1 line)" in everything and "imported (1 line)" not in warnings
    assert f"#{held['number']}" in warnings and "TEE-M" in warnings
    filtered = web.client.get(f"/channels/{web.channel.id}/sync-log?kind=inventory", headers=HX)
    assert "No sync runs yet matching the filter" in filtered.get_data(as_text=True)


def test_channel_page_has_the_sync_menu_and_the_sync_log_tab(web):
    with web.app.app_context():
        run_now(web.channel.id, "orders")
    html = web.client.get(f"/channels/{web.channel.id}?tab=sync_log").get_data(as_text=True)
    labels = ("All enabled", "Orders download", "Inventory push", "Product push")
    for label in (*labels, "Catalog import", "Fulfillment push"):
        assert f">{label}</button>" in html
    assert 'data-tab="sync_log"' in html
    assert "sync-log-run" in html


def test_dashboard_shows_last_runs_orders_per_day_and_holds(web):
    held = web.order("M")
    web.sync()
    html = web.client.get("/").get_data(as_text=True)
    assert "Orders per day" in html and "Sync health" in html
    assert 'data-kind="orders"' in html and "succeeded" in html
    assert re.search(r'data-count="1"', html)
    assert f"#{held['number']}" in html and "Unknown SKU TEE-M" in html

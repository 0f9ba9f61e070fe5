"""The channel's last error is history once Wix answers a run again."""

from __future__ import annotations

from wixoms.extensions import db
from wixoms.models import Channel


def test_a_successful_run_that_reached_wix_clears_the_last_error(shop):
    s = shop()
    s.settings(last_error="Wix is unreachable (timeout).")
    s.order()
    run = s.sync()
    assert run.state == "succeeded" and run.api_calls >= 1
    with s.app.app_context():
        assert db.session.get(Channel, s.channel.id).last_error is None

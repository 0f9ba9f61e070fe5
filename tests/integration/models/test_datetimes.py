"""Datetimes come back from either database timezone-aware, in UTC."""

from datetime import UTC, datetime, timedelta, timezone

from wixoms.extensions import db
from wixoms.models import Channel
from wixoms.sync.runs import run_now


def test_datetimes_round_trip_as_aware_utc(app, world):
    paris = timezone(timedelta(hours=1))
    with app.app_context():
        channel = Channel(
            account_id=world.acme.id,
            name="Wix",
            instance_id="inst-1",
            token_expires_at=datetime(2030, 1, 1, 12, 0, tzinfo=paris),
            import_from_date=datetime(2030, 1, 1, 12, 0),  # naive is taken as UTC
        )
        db.session.add(channel)
        db.session.commit()
        db.session.expire_all()
        stored = db.session.get(Channel, channel.id)
        assert stored.token_expires_at == datetime(2030, 1, 1, 11, 0, tzinfo=UTC)
        assert stored.token_expires_at.tzinfo is not None
        assert stored.import_from_date == datetime(2030, 1, 1, 12, 0, tzinfo=UTC)
        assert stored.created_at.tzinfo is not None


def test_orders_download_works_for_a_channel_whose_token_expiry_was_stored(
    wix_app, connected_channel
):
    """Regression: a stored token expiry used to come back naive on SQLite and fail every run."""
    expires = datetime.now(UTC) + timedelta(hours=3)
    channel = connected_channel(catalog="v3", token_expires_at=expires)
    with wix_app.app_context():
        run = run_now(channel.id, "orders")
        assert run.state in ("succeeded", "skipped"), (run.state, run.error)
        assert "offset-naive" not in (run.error or "")

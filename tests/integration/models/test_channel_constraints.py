"""The database, not the code, guarantees one Wix channel per account and per Wix site."""

import pytest
from sqlalchemy.exc import IntegrityError

from wixoms.extensions import db
from wixoms.models import Channel


def _channel(account_id: int, instance_id: str, version: str = "v3") -> Channel:
    return Channel(
        account_id=account_id, name="Wix", instance_id=instance_id, catalog_version=version
    )


def test_second_wix_channel_for_an_account_is_refused_whatever_the_version(app, world):
    with app.app_context():
        db.session.add(_channel(world.acme.id, "inst-1", "v1"))
        db.session.commit()
        db.session.add(_channel(world.acme.id, "inst-2", "v3"))
        with pytest.raises(IntegrityError):
            db.session.commit()
        db.session.rollback()
        assert db.session.scalar(db.select(db.func.count()).select_from(Channel)) == 1


def test_same_wix_instance_cannot_serve_two_accounts(app, world):
    with app.app_context():
        db.session.add(_channel(world.acme.id, "inst-1"))
        db.session.commit()
        db.session.add(_channel(world.globex.id, "inst-1"))
        with pytest.raises(IntegrityError):
            db.session.commit()
        db.session.rollback()


def test_tokens_are_encrypted_at_rest(app, world):
    with app.app_context():
        ch = _channel(world.acme.id, "inst-1")
        ch.access_token = "secret-access-token"
        db.session.add(ch)
        db.session.commit()
        raw = db.session.execute(db.text("select access_token from channels")).scalar_one()
        assert "secret-access-token" not in raw
        db.session.expire_all()
        assert db.session.get(Channel, ch.id).access_token == "secret-access-token"

"""`flask db upgrade` from empty gives exactly the schema the models declare."""

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect

from tests.fixtures.app import fresh_database
from wixoms import create_app
from wixoms.extensions import db


@pytest.fixture
def empty_database_url(tmp_path):
    with fresh_database(tmp_path / "empty.sqlite", "mig") as url:
        yield url


def test_upgrade_from_empty_matches_the_models(base_config, empty_database_url):
    app = create_app({**base_config, "SQLALCHEMY_DATABASE_URI": empty_database_url})
    with app.app_context():
        upgrade()
        with db.engine.connect() as conn:
            diff = compare_metadata(
                MigrationContext.configure(conn, opts={"compare_type": True}), db.metadata
            )
        assert diff == [], f"models and migrations disagree: {diff}"
        assert "channels" in inspect(db.engine).get_table_names()
        db.engine.dispose()


def test_downgrade_to_base_and_up_again(base_config, empty_database_url):
    app = create_app({**base_config, "SQLALCHEMY_DATABASE_URI": empty_database_url})
    with app.app_context():
        upgrade()
        downgrade(revision="base")
        assert "channels" not in inspect(db.engine).get_table_names()
        upgrade()
        assert "channels" in inspect(db.engine).get_table_names()
        db.engine.dispose()

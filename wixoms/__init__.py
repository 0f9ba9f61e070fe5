"""wixoms: a small order-management system whose sales channel is Wix."""

from __future__ import annotations

import logging
from pathlib import Path

from flask import Flask

ROOT = Path(__file__).resolve().parent.parent


def create_app(config: dict | None = None) -> Flask:
    """Build the Flask app: config, extensions, blueprints, error pages, CLI, scheduler."""
    app = Flask(
        __name__,
        instance_relative_config=True,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
        instance_path=(config or {}).get("INSTANCE_PATH") or str(ROOT / "instance"),
    )
    from wixoms.config import load_config

    load_config(app, config)
    from wixoms.cluster import check_config

    check_config(app.config)
    configure_logger(app)
    register_extensions(app)
    register_blueprints(app)
    register_errorhandlers(app)
    register_commands(app)
    register_scheduler(app)
    return app


def configure_logger(app: Flask) -> None:
    """Log to stderr at INFO unless configured otherwise; never a token or signed instance."""
    from wixoms.logs import install_redaction

    install_redaction()
    if not app.debug and not app.testing:
        logging.basicConfig(level=app.config.get("LOG_LEVEL", "INFO"))
    # One line per job per second drowns everything else; the Sync log records what matters.
    logging.getLogger("apscheduler").setLevel(logging.WARNING)


def register_extensions(app: Flask) -> None:
    """Bind the extension objects and the encryption key."""
    from wixoms import crypto, models  # noqa: F401  (models registers the tables)
    from wixoms.extensions import csrf, db, htmx, limiter, login_manager, migrate

    crypto.configure(app.config["ENCRYPTION_KEY"])
    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"))
    csrf.init_app(app)
    htmx.init_app(app)
    login_manager.init_app(app)
    limiter.init_app(app)
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        from wixoms.db_sqlite import tune_sqlite

        with app.app_context():
            tune_sqlite(db.engine)


def register_blueprints(app: Flask) -> None:
    """Register every blueprint and the login guard in front of them."""
    from wixoms.views import BLUEPRINTS, outbound_links, run_outcome
    from wixoms.views.access import install_login_guard
    from wixoms.views.input_guard import install_input_guard, install_int_converter
    from wixoms.views.security_headers import install_security_headers
    from wixoms.webhooks.intake_wsgi import install_delivery_intake
    from wixoms.wording import register_filters

    install_int_converter(app)
    install_delivery_intake(app)
    for blueprint in BLUEPRINTS:
        app.register_blueprint(blueprint)
    register_filters(app)
    outbound_links.register(app)
    run_outcome.register(app)
    install_login_guard(app)
    install_input_guard(app)
    install_security_headers(app)


def register_errorhandlers(app: Flask) -> None:
    """One error page renderer for 400/403/404/405/413/500."""
    from wixoms.views.errors import register

    register(app)


def register_commands(app: Flask) -> None:
    """Add the `flask wixoms ...` commands."""
    from wixoms.cli import wixoms_cli

    app.cli.add_command(wixoms_cli)


def register_scheduler(app: Flask) -> None:
    """Start the in-process scheduler when this process is allowed to (see wixoms.jobs)."""
    if not app.config.get("SCHEDULER_ENABLED"):
        return
    from wixoms import jobs

    jobs.start(app)

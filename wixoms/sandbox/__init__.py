"""A faithful local Wix: REST API (www.wixapis.com) and Wix pages (www.wix.com) in one Flask app.

It imports nothing from the rest of wixoms: it stands for Wix, which knows nothing of us.

Configuration (a dict passed to `create_sandbox_app`, environment variables override nothing
given explicitly):
- ``apps``: list of app specs registered at start and kept across resets
  (``appId, appSecret, name, authFlow "oauth"|"legacy", appUrl, redirectUrl,
  postInstallationUrl, webhookUrl, permissions``); env ``SANDBOX_APPS`` (JSON list or object).
- ``seed``: seed options applied at start (``sites, catalog, products, orders, seed, baseDate``);
  env ``SANDBOX_SEED`` (JSON object).
- any key of ``store.DEFAULT_CONFIG`` (token lifetimes, webhook retries, …); env
  ``SANDBOX_CONFIG`` (JSON object).
"""

from __future__ import annotations

import json
import os
import secrets
from pathlib import Path

from flask import Flask

from .errors import register_error_handlers
from .store import DEFAULT_CONFIG, Store
from .webhooks import Dispatcher

REPO_ROOT = Path(__file__).resolve().parents[2]


def _env_json(name: str):
    raw = os.environ.get(name)
    return json.loads(raw) if raw else None


def _settings(config: dict | None) -> tuple[dict, list[dict], dict | None]:
    config = dict(config or {})
    apps = config.pop("apps", None)
    if apps is None:
        apps = _env_json("SANDBOX_APPS") or []
    if isinstance(apps, dict):
        apps = [apps]
    seed_options = config.pop("seed", None) or _env_json("SANDBOX_SEED")
    store_config = dict(DEFAULT_CONFIG)
    store_config.update(_env_json("SANDBOX_CONFIG") or {})
    store_config.update(config)
    return store_config, apps, seed_options


def create_sandbox_app(config: dict | None = None) -> Flask:
    """Build the sandbox: in-memory Wix state, webhook dispatcher, API, pages, control API."""
    store_config, apps, seed_options = _settings(config)
    app = Flask(
        __name__,
        template_folder=str(REPO_ROOT / "templates"),
        static_folder=str(REPO_ROOT / "static"),
        static_url_path="/static",
    )
    app.secret_key = secrets.token_hex(16)  # flash messages on the sandbox's own pages
    # Its own cookie name: on one host (127.0.0.1) it must not overwrite wixoms's session.
    app.config["SESSION_COOKIE_NAME"] = "wix_sandbox_session"
    app.json.sort_keys = False
    store = Store(config=store_config)
    dispatcher = Dispatcher(store)
    store.dispatcher = dispatcher
    app.extensions["wix_sandbox"] = store
    app.extensions["wix_sandbox_dispatcher"] = dispatcher
    for spec in apps:
        store.register_app(spec, from_config=True)
    if seed_options:
        from .seed import seed

        seed(
            store,
            sites=int(seed_options.get("sites", 2)),
            catalog=seed_options.get("catalog", "mixed"),
            products=int(seed_options.get("products", 12)),
            orders=int(seed_options.get("orders", 30)),
            seed_value=int(seed_options.get("seed", 1)),
            base_date=seed_options.get("baseDate"),
        )
    register_blueprints(app)
    register_error_handlers(app)
    register_commands(app)
    register_page_headers(app)
    return app


def register_page_headers(app: Flask) -> None:
    """Hosting headers of the sandbox itself (not Wix API behaviour): no sniffing, no framing,
    no referrer leaving the host. No CSP: its pages are plain and carry inline styles."""

    @app.after_request
    def _headers(response):
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        return response


def register_blueprints(app: Flask) -> None:
    """Wix API areas, Wix pages and the control API."""
    from . import (
        api_auth,
        api_catalog_v1,
        api_catalog_v3,
        api_inventory_v3,
        api_locations,
        api_orders,
        control,
        control_hooks,
        dashboard,
        dev_center,
        www,
    )

    api = (api_auth, api_catalog_v1, api_catalog_v3, api_inventory_v3, api_locations, api_orders)
    for module in (*api, control, control_hooks, www, dashboard, dev_center):
        app.register_blueprint(module.bp)


def register_commands(app: Flask) -> None:
    """`flask --app wixoms.sandbox seed …`."""
    from .cli import seed_command

    app.cli.add_command(seed_command)


# `flask --app wixoms.sandbox` finds the factory by this name.
create_app = create_sandbox_app

__all__ = ["create_sandbox_app", "create_app"]

"""Serve the Wix sandbox: ``python -m wixoms.sandbox --port 5055 [--demo]``.

One server plays both Wix hosts: the API (stands for https://www.wixapis.com) and the pages
(https://www.wix.com: App Market, installer, dashboards). Ctrl-C stops it.

``--demo`` seeds two sites (Catalog V1 and Catalog V3) with products and a few orders, and
registers the wixoms app from these environment variables:

- ``WIXOMS_WIX_APP_ID`` / ``WIXOMS_WIX_APP_SECRET``: the app's credentials (generated and
  printed when unset);
- ``WIXOMS_WIX_AUTH_FLOW``: ``legacy`` (custom authentication, code exchange; default) or
  ``oauth`` (client credentials, signed instance);
- ``WIXOMS_APP_URL`` (or ``WIXOMS_PUBLIC_URL``): where wixoms runs (default
  ``http://127.0.0.1:5000``); the app's URLs default to paths under it and can each be set:
  ``WIXOMS_WIX_APP_URL`` (default ``/wizard/app-url``), ``WIXOMS_WIX_REDIRECT_URL``
  (``/wizard/callback``), ``WIXOMS_WIX_POST_INSTALL_URL`` (``/wizard/callback``);
  ``WIXOMS_WIX_WEBHOOK_URL``: where JWT app webhooks go (``/hooks/wix``, the app-wide URL).

``--seed-sites/--seed-catalog/--seed-products/--seed-orders/--seed`` seed on start exactly like
``flask --app wixoms.sandbox seed`` does. ``SANDBOX_APPS``, ``SANDBOX_SEED`` and
``SANDBOX_CONFIG`` (JSON) are read as documented in ``wixoms.sandbox``.
"""

from __future__ import annotations

import argparse
import os
import secrets
import uuid
from datetime import UTC, datetime, timedelta

from werkzeug.serving import run_simple

from . import create_sandbox_app
from .common import iso


def demo_app_spec() -> dict:
    """The wixoms app as the demo registers it, from WIXOMS_* variables."""
    base = (
        os.environ.get("WIXOMS_APP_URL")
        or os.environ.get("WIXOMS_PUBLIC_URL")
        or "http://127.0.0.1:5000"
    ).rstrip("/")

    def url(name: str, path: str) -> str:
        return os.environ.get(name) or base + path

    return {
        "appId": os.environ.get("WIXOMS_WIX_APP_ID") or str(uuid.uuid4()),
        "appSecret": os.environ.get("WIXOMS_WIX_APP_SECRET") or secrets.token_hex(16),
        "name": "wixoms",
        "authFlow": os.environ.get("WIXOMS_WIX_AUTH_FLOW", "legacy"),
        "appUrl": url("WIXOMS_WIX_APP_URL", "/wizard/app-url"),
        "redirectUrl": url("WIXOMS_WIX_REDIRECT_URL", "/wizard/callback"),
        "postInstallationUrl": url("WIXOMS_WIX_POST_INSTALL_URL", "/wizard/callback"),
        "webhookUrl": url("WIXOMS_WIX_WEBHOOK_URL", "/hooks/wix"),
    }


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m wixoms.sandbox", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=5055)
    parser.add_argument("--demo", action="store_true", help="seed demo sites and register wixoms")
    parser.add_argument("--seed-sites", type=int)
    parser.add_argument("--seed-catalog", choices=["v1", "v3", "mixed", "none"], default="mixed")
    parser.add_argument("--seed-products", type=int, default=12)
    parser.add_argument("--seed-orders", type=int, default=30)
    parser.add_argument("--seed", type=int, default=1)
    return parser.parse_args(argv)


def build_config(args: argparse.Namespace) -> dict:
    config: dict = {}
    if args.demo:
        start = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
        config["apps"] = [demo_app_spec()]
        config["seed"] = {
            "sites": 2,
            "catalog": "mixed",
            "products": 8,
            "orders": 12,
            "seed": args.seed,
            "baseDate": iso(start - timedelta(days=3)),
        }
    if args.seed_sites is not None:
        config["seed"] = {
            "sites": args.seed_sites,
            "catalog": args.seed_catalog,
            "products": args.seed_products,
            "orders": args.seed_orders,
            "seed": args.seed,
        }
    return config


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    app = create_sandbox_app(build_config(args))
    base = f"http://{args.host}:{args.port}"
    for registered in app.extensions["wix_sandbox"].apps.values():
        print(f"App {registered.name}: id {registered.app_id} ({registered.auth_flow})")
        print(f"  App Market page: {base}/app-market/{registered.app_id}")
    print(f"Wix sandbox on {base} (API and www); control API under {base}/_sandbox/")
    run_simple(args.host, args.port, app, threaded=True, use_reloader=False)


if __name__ == "__main__":
    main()

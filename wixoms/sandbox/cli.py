"""`flask --app wixoms.sandbox seed --sites N --catalog v1|v3 --products N --orders N --seed S`."""

from __future__ import annotations

import json

import click
from flask import current_app
from flask.cli import with_appcontext

from . import seed as seeding


@click.command("seed")
@click.option("--sites", default=2, show_default=True, help="Number of sites.")
@click.option(
    "--catalog",
    type=click.Choice(["v1", "v3", "mixed", "none"]),
    default="mixed",
    show_default=True,
    help="Catalog of the sites (mixed alternates v1 and v3).",
)
@click.option("--products", default=12, show_default=True, help="Products per site.")
@click.option("--orders", default=30, show_default=True, help="Orders per site.")
@click.option("--seed", "seed_value", default=1, show_default=True, help="Random seed.")
@click.option("--base-date", default=None, help="ISO date of the first order (default fixed).")
@click.option("--out", type=click.Path(dir_okay=False), help="Write the seeded state as JSON.")
@click.option("--url", default=None, help="Seed a running sandbox (its base URL) instead.")
@with_appcontext
def seed_command(sites, catalog, products, orders, seed_value, base_date, out, url):
    """Seed deterministic Wix data: the same options give the same sites, products, orders."""
    options = {
        "sites": sites,
        "catalog": catalog,
        "products": products,
        "orders": orders,
        "seed": seed_value,
        "baseDate": base_date,
    }
    if url:
        from .control_client import SandboxControl

        result = SandboxControl(url).seed(**options)
        click.echo(json.dumps(result, indent=2))
        return
    store = current_app.extensions["wix_sandbox"]
    seeding.seed(store, sites, catalog, products, orders, seed_value, base_date)
    result = seeding.summary(store)
    if out:
        with open(out, "w", encoding="utf-8") as handle:
            json.dump({"options": options, "sites": seeding.snapshot(store)}, handle, indent=1)
    click.echo(json.dumps(result, indent=2))

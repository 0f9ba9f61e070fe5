"""Product push: OMS products and variants → Wix products, created or updated, both catalogs.

A product that gained or lost options is converted in Wix (with variants ↔ without). When Wix
generates cartesian combinations the OMS lacks, those variants stay in Wix without SKU and not
visible (techOMS guide). Unchanged products send nothing: ProductPushState keeps a fingerprint.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from decimal import Decimal

from sqlalchemy import delete, select
from sqlalchemy.orm import selectinload

from wixoms.extensions import db
from wixoms.models import Channel, Product, ProductPushState, SkuMapping
from wixoms.models._base import utcnow
from wixoms.sync.inventory import catalog_version
from wixoms.sync.runs import RunContext, sync_kind
from wixoms.wix import (
    CatalogGateway,
    CatalogVersion,
    ProductSpec,
    VariantSpec,
    WixConflict,
    WixNotFound,
    WixValidationError,
)
from wixoms.wix import Product as WixProduct
from wixoms.wix.catalog_v1 import DEFAULT_VARIANT_ID
from wixoms.wording import plural

PAGE = 100
# Wix refused this product's data: the product fails alone, the run goes on.
PRODUCT_ERRORS = (WixValidationError, WixConflict, ValueError)


class SpecProblem(ValueError):
    """The OMS product cannot be expressed as a Wix product; the message says how to fix it."""


def product_spec(product: Product) -> ProductSpec:
    """The Wix product an OMS product should be: single SKU, or options with one SKU each."""
    variants = list(product.variants)
    if not variants:
        raise SpecProblem("it has no SKU; add one before pushing it")
    if not product.has_variants:
        if len(variants) > 1:
            raise SpecProblem("it has several SKUs but no options to tell them apart")
        v = variants[0]
        return ProductSpec(
            name=product.name, price=v.price, sku=v.sku, description=product.description or ""
        )
    names = product.option_names
    options: list[tuple[str, list[str]]] = [(n, []) for n in names]
    seen: set[tuple[tuple[str, str], ...]] = set()
    for v in variants:
        choices = v.options or {}
        if set(choices) != set(names):
            raise SpecProblem(f"SKU {v.sku} must choose a value for every option ({names})")
        combo = tuple(sorted(choices.items()))
        if combo in seen:
            raise SpecProblem(f"two SKUs have the same options {dict(combo)}")
        seen.add(combo)
        for name, values in options:
            if choices[name] not in values:
                values.append(choices[name])
    return ProductSpec(
        name=product.name,
        price=min(v.price for v in variants),
        options=options,
        variants=[VariantSpec(choices=dict(v.options), sku=v.sku, price=v.price) for v in variants],
        description=product.description or "",
    )


def fingerprint(spec: ProductSpec, version: CatalogVersion) -> str:
    """A hash of everything sent to Wix for a product: equal hash, nothing to send."""
    doc = {
        "catalog": version.value,
        "name": spec.name,
        "price": _money(spec.price),
        "sku": spec.sku,
        "options": spec.options,
        "variants": sorted(
            [sorted(v.choices.items()), v.sku, _money(v.price), v.visible] for v in spec.variants
        ),
        "visible": spec.visible,
        "description": spec.description,
    }
    return hashlib.sha256(json.dumps(doc, sort_keys=True).encode()).hexdigest()


def _money(value: Decimal | None) -> str | None:
    return None if value is None else str(Decimal(value).quantize(Decimal("0.01")))


def iter_products(account_id: int) -> Iterator[Product]:
    """The account's products with their variants, a page at a time (keyset by id)."""
    last = 0
    while True:
        page = db.session.scalars(
            select(Product)
            .where(Product.account_id == account_id, Product.id > last)
            .options(selectinload(Product.variants))
            .order_by(Product.id)
            .limit(PAGE)
        ).all()
        yield from page
        if len(page) < PAGE:
            return
        last = page[-1].id


@sync_kind("products")
def push_products(ctx: RunContext) -> None:
    """Create or update every OMS product of the channel's account in Wix.

    No write transaction stays open while Wix answers: counters, log lines and the product's
    push state wait in the session (no autoflush) and are written by the commit that follows
    each product, so webhook intake and other writers are never locked out on SQLite.
    """
    with db.session.no_autoflush:
        _push_all(ctx)


def _push_all(ctx: RunContext) -> None:
    channel = ctx.channel
    version = catalog_version(channel)
    catalog: CatalogGateway | None = None
    ctx.set_total(
        db.session.scalar(
            select(db.func.count(Product.id)).where(Product.account_id == channel.account_id)
        )
    )
    for product in iter_products(channel.account_id):
        ctx.count("seen")
        ref = f"product {product.id}"
        try:
            spec = product_spec(product)
        except SpecProblem as exc:
            ctx.log("warning", f"{product.name} was not pushed: {exc}.", ref)
            ctx.count("failed")
            ctx.commit()
            continue
        state = db.session.scalar(
            select(ProductPushState).where(
                ProductPushState.channel_id == channel.id,
                ProductPushState.product_id == product.id,
            )
        )
        print_ = fingerprint(spec, version)
        if state is not None and state.fingerprint == print_:
            ctx.count("skipped")
            continue
        wix_id = state.wix_product_id if state is not None else linked_wix_product(channel, product)
        if ctx.dry_run:
            verb = "update Wix product " + wix_id if wix_id else "create it in Wix"
            ctx.log("info", f"Would {verb}: {product.name}.", ref)
            continue
        catalog = catalog or ctx.client.catalog(version)
        try:
            wix, created = _send(catalog, wix_id, spec)
            ids = _variant_ids_of(catalog, product, spec, wix)
        except PRODUCT_ERRORS as exc:
            message = getattr(exc, "user_message", None) or str(exc)
            ctx.log("error", f"{product.name} was not pushed: {message}", ref)
            ctx.count("failed")
            ctx.commit()
            continue
        _remember(channel, product, state, wix, print_)
        _map_skus(channel, product, wix, ids)
        ctx.count("created" if created else "updated")
        verb = "created" if created else "updated"
        ctx.log("info", f"{product.name}: {verb} in Wix ({_shape(spec)}).", ref)
        ctx.commit()


def _shape(spec: ProductSpec) -> str:
    if not spec.options:
        return f"SKU {spec.sku}, no variants"
    return f"{plural(len(spec.variants), 'variant')} of {', '.join(n for n, _ in spec.options)}"


def linked_wix_product(channel: Channel, product: Product) -> str:
    """The Wix product already holding one of the product's SKUs (catalog import, mappings)."""
    variant_ids = [v.id for v in product.variants]
    if not variant_ids:
        return ""
    return (
        db.session.scalar(
            select(SkuMapping.wix_product_id)
            .where(SkuMapping.channel_id == channel.id, SkuMapping.variant_id.in_(variant_ids))
            .where(SkuMapping.wix_product_id != "")
            .limit(1)
        )
        or ""
    )


def _send(catalog: CatalogGateway, wix_id: str, spec: ProductSpec) -> tuple[WixProduct, bool]:
    """Update the known Wix product (recreated if it was deleted in Wix), else create one."""
    if wix_id:
        try:
            return catalog.update_product(wix_id, spec), False
        except WixNotFound:
            pass
    return catalog.create_product(spec), True


def _remember(
    channel: Channel,
    product: Product,
    state: ProductPushState | None,
    wix: WixProduct,
    print_: str,
) -> None:
    if state is None:
        state = ProductPushState(channel_id=channel.id, product_id=product.id)
        db.session.add(state)
    state.wix_product_id = wix.id
    state.fingerprint = print_
    state.pushed_at = utcnow()


def _variant_ids_of(
    catalog: CatalogGateway, product: Product, spec: ProductSpec, wix: WixProduct
) -> dict[str, str]:
    """SKU → Wix variant id of the pushed product (asked of Wix when its answer lacked some)."""
    by_sku = {v.sku: v.variant_id for v in wix.variants if v.sku}
    if not {v.sku for v in product.variants} <= set(by_sku):
        by_sku.update(_variant_ids(catalog, wix, spec))
    return by_sku


def _map_skus(channel: Channel, product: Product, wix: WixProduct, by_sku: dict[str, str]) -> None:
    """SKU mappings for the pushed variants; mappings of SKUs the product lost are dropped."""
    wanted = {v.sku: v for v in product.variants}
    db.session.execute(
        delete(SkuMapping).where(
            SkuMapping.channel_id == channel.id,
            SkuMapping.wix_product_id == wix.id,
            SkuMapping.wix_sku.not_in(list(wanted)),
        )
    )
    existing = {
        m.wix_sku: m
        for m in db.session.scalars(
            select(SkuMapping).where(
                SkuMapping.channel_id == channel.id, SkuMapping.wix_sku.in_(list(wanted))
            )
        )
    }
    for sku, variant in wanted.items():
        mapping = existing.get(sku)
        if mapping is None:
            mapping = SkuMapping(channel_id=channel.id, wix_sku=sku)
            db.session.add(mapping)
        mapping.variant_id = variant.id
        mapping.wix_product_id = wix.id
        mapping.wix_variant_id = by_sku.get(sku, "")


def _variant_ids(catalog: CatalogGateway, wix: WixProduct, spec: ProductSpec) -> dict[str, str]:
    """Variant ids when the create/update answer did not list them."""
    if not spec.options and catalog.version is CatalogVersion.V1 and spec.sku:
        return {spec.sku: DEFAULT_VARIANT_ID}  # the one variant of a v1 product without options
    fresh = catalog.get_product(wix.id)  # type: ignore[attr-defined]
    return {v.sku: v.variant_id for v in fresh.variants if v.sku}

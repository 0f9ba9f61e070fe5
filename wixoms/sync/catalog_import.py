"""Catalog import ("Sync Inventory" in Helm's words): Wix products and variants → OMS catalog.

Each Wix variant with a SKU becomes (or is matched to) an OMS variant of the channel's account,
with a SKU mapping; existing SKUs are matched, never duplicated. Products and variants without
a SKU are reported in the run log, never given an invented SKU. Wix is read page by page.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from itertools import islice

from sqlalchemy import select

from wixoms.extensions import db
from wixoms.models import Channel, Product, ProductPushState, SkuMapping, Variant
from wixoms.models._base import utcnow
from wixoms.sync.inventory import catalog_version
from wixoms.sync.opening_stock import take_stock_from_wix
from wixoms.sync.products import SpecProblem, fingerprint, product_spec
from wixoms.sync.runs import RunContext, sync_kind
from wixoms.wix import Product as WixProduct
from wixoms.wix import Variant as WixVariant
from wixoms.wording import plural

# Products per transaction. A batch is read from Wix first, then written and committed: no write
# transaction is open while Wix answers (SQLite's write lock would shut out webhook intake).
COMMIT_EVERY = 50


@dataclass
class ProductOutcome:
    created: int = 0
    mapped: int = 0
    unchanged: int = 0
    problems: list[tuple[str, str]] = field(default_factory=list)  # (level, message)


@sync_kind("catalog_import")
def import_catalog(ctx: RunContext) -> None:
    """Bring every Wix product and variant into the OMS catalog with SKU mappings."""
    channel = ctx.channel
    catalog = ctx.client.catalog(catalog_version(channel))
    for batch in batched(catalog.iter_products(), COMMIT_EVERY):
        for wix in batch:
            _import_one(ctx, wix)
        if ctx.dry_run:
            db.session.flush()
        ctx.commit()
    take_stock_from_wix(ctx, catalog)


def batched(items: Iterable[WixProduct], size: int) -> Iterator[list[WixProduct]]:
    """Lists of ``size`` items, read one batch ahead of the writes that use them."""
    it = iter(items)
    while batch := list(islice(it, size)):
        yield batch


def _import_one(ctx: RunContext, wix: WixProduct) -> None:
    ref = f"wix product {wix.id}"
    outcome = import_product(ctx.channel, wix, dry_run=ctx.dry_run)
    ctx.count("seen")
    ctx.count("created", outcome.created)
    ctx.count("updated", outcome.mapped)
    if not outcome.created and not outcome.mapped:
        ctx.count("skipped")
    for level, message in outcome.problems:
        ctx.log(level, message, ref)
    if outcome.created or outcome.mapped:
        verb = "Would import" if ctx.dry_run else "Imported"
        ctx.log(
            "info",
            f"{verb} {wix.name}: {plural(outcome.created, 'new SKU')}, "
            f"{plural(outcome.mapped, 'SKU')} matched to existing ones.",
            ref,
        )


def import_product(channel: Channel, wix: WixProduct, *, dry_run: bool = False) -> ProductOutcome:
    """Match or create the OMS variants of one Wix product and map their SKUs."""
    outcome = ProductOutcome()
    variants = _sellable_variants(wix, outcome)
    if not variants:
        return outcome
    skus = [v.sku for v in variants]
    mappings = {
        m.wix_sku: m
        for m in db.session.scalars(
            select(SkuMapping).where(
                SkuMapping.channel_id == channel.id, SkuMapping.wix_sku.in_(skus)
            )
        )
    }
    oms = {
        v.sku: v
        for v in db.session.scalars(
            select(Variant).where(Variant.account_id == channel.account_id, Variant.sku.in_(skus))
        )
    }
    product: Product | None = None
    new_product = False
    for wv in variants:
        mapping = mappings.get(wv.sku)  # type: ignore[arg-type]
        if mapping is not None:
            if (mapping.wix_product_id, mapping.wix_variant_id) == (wix.id, wv.variant_id):
                outcome.unchanged += 1
            else:
                outcome.mapped += 1
                if not dry_run:
                    mapping.wix_product_id, mapping.wix_variant_id = wix.id, wv.variant_id
            continue
        variant = oms.get(wv.sku)  # type: ignore[arg-type]
        if variant is None:
            outcome.created += 1
            if dry_run:
                continue
            if product is None:
                product, new_product = _owning_product(channel, wix, oms)
            variant = Variant(
                account_id=channel.account_id,
                product=product,
                sku=wv.sku,
                options=dict(wv.choices) if wix.has_variants else {},
                price=wv.price if wv.price is not None else (wix.price or 0),
            )
            db.session.add(variant)
            oms[variant.sku] = variant
        else:
            outcome.mapped += 1
            if dry_run:
                continue
        db.session.add(
            SkuMapping(
                channel_id=channel.id,
                wix_sku=wv.sku,
                variant=variant,
                wix_product_id=wix.id,
                wix_variant_id=wv.variant_id,
            )
        )
    if new_product and product is not None:
        _link_pushed(channel, product, wix)
    return outcome


def _sellable_variants(wix: WixProduct, outcome: ProductOutcome) -> list[WixVariant]:
    """Variants with a SKU; the others are reported (hidden ones Wix generated: briefly)."""
    if not wix.has_variants:
        variant = wix.variants[0] if wix.variants else None
        if variant is None or not variant.sku:
            outcome.problems.append(
                ("warning", f"{wix.name} has no SKU in Wix: not imported. Give it a SKU in Wix.")
            )
            return []
        return [variant]
    with_sku, hidden, visible = [], 0, []
    seen: set[str] = set()
    for v in wix.variants:
        if v.sku and v.sku in seen:
            outcome.problems.append(
                ("warning", f"{wix.name}: SKU {v.sku} is used by two variants; imported once.")
            )
        elif v.sku:
            seen.add(v.sku)
            with_sku.append(v)
        elif v.visible:
            visible.append(" / ".join(v.choices.values()) or v.variant_id)
        else:
            hidden += 1
    if visible:
        outcome.problems.append(
            (
                "warning",
                f"{wix.name}: {plural(len(visible), 'variant')} without SKU not imported "
                f"({', '.join(visible[:10])}). Give them SKUs in Wix.",
            )
        )
    if hidden:
        outcome.problems.append(
            ("info", f"{wix.name}: {plural(hidden, 'hidden variant')} without SKU left out.")
        )
    return with_sku


def _owning_product(
    channel: Channel, wix: WixProduct, oms: dict[str, Variant]
) -> tuple[Product, bool]:
    """The OMS product new variants join: the one already holding a sibling, else a new one."""
    for variant in oms.values():
        if variant.product is not None:
            return variant.product, False
    linked = db.session.scalar(
        select(ProductPushState).where(
            ProductPushState.channel_id == channel.id, ProductPushState.wix_product_id == wix.id
        )
    )
    if linked is not None:
        product = db.session.get(Product, linked.product_id)
        if product is not None:
            return product, False
    product = Product(account_id=channel.account_id, name=wix.name[:80], description="")
    db.session.add(product)
    return product, True


def _link_pushed(channel: Channel, product: Product, wix: WixProduct) -> None:
    """A product made from Wix is already in Wix: product push updates it, never duplicates it,
    and sends nothing until the OMS product changes."""
    db.session.flush()
    try:
        print_ = fingerprint(product_spec(product), catalog_version(channel))
    except SpecProblem:
        print_ = ""
    db.session.add(
        ProductPushState(
            channel_id=channel.id,
            product_id=product.id,
            wix_product_id=wix.id,
            fingerprint=print_,
            pushed_at=utcnow(),
        )
    )

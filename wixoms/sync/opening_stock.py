"""Opening stock: SKUs wixoms has never counted take their quantity from Wix.

Catalog import brings products in with no stock count; pushing "0" for them would zero the
store (SHIRT-S-BLUE went from 4 to 0). So a mapped SKU with no stock level in any warehouse
gets Wix's quantity — plus what open orders already hold, since Wix has deducted those — as on
hand in the channel's first mapped warehouse. A SKU with a count, even 0, keeps the OMS's.
"""

from __future__ import annotations

from sqlalchemy import exists, select

from wixoms.extensions import db
from wixoms.models import InventoryLevel, SkuMapping, Warehouse, WarehouseMapping
from wixoms.sync.runs import RunContext
from wixoms.sync.stock import allocated
from wixoms.wix import CatalogGateway, VariantRef
from wixoms.wording import plural


def uncounted_mappings(channel_id: int) -> dict[VariantRef, int]:
    """Wix variant → OMS variant, for mapped variants without any stock level row."""
    counted = exists().where(InventoryLevel.variant_id == SkuMapping.variant_id)
    rows = db.session.execute(
        select(SkuMapping.wix_product_id, SkuMapping.wix_variant_id, SkuMapping.variant_id)
        .where(SkuMapping.channel_id == channel_id, ~counted)
        .where(SkuMapping.wix_product_id.is_not(None), SkuMapping.wix_product_id != "")
    )
    return {VariantRef(p, v or ""): variant_id for p, v, variant_id in rows}


def take_stock_from_wix(ctx: RunContext, catalog: CatalogGateway) -> None:
    """Give never-counted mapped SKUs Wix's quantity (read only when there are such SKUs)."""
    channel = ctx.channel
    wanted = uncounted_mappings(channel.id)
    if not wanted:
        return
    warehouse = db.session.scalar(
        select(Warehouse)
        .join(WarehouseMapping, WarehouseMapping.warehouse_id == Warehouse.id)
        .where(WarehouseMapping.channel_id == channel.id)
        .order_by(WarehouseMapping.id)
        .limit(1)
    )
    if warehouse is None:
        ctx.log(
            "warning",
            f"{plural(len(wanted), 'SKU')} have no stock count in wixoms and no warehouse is "
            "mapped, so their stock levels were not taken from Wix. Map a warehouse, then run "
            "the catalog import again before turning the inventory push on.",
        )
        return
    db.session.commit()  # end the read: Wix is called next
    levels = catalog.inventory_levels()
    found = {ref: variant_id for ref, variant_id in wanted.items() if ref in levels}
    if not found:
        return
    held = allocated(channel.account_id, set(found.values()))
    taken: set[int] = set()
    for ref, variant_id in found.items():
        if variant_id in taken:  # two Wix variants mapped to one SKU: the first one counts
            continue
        taken.add(variant_id)
        units = sum(n for (v, _w), n in held.items() if v == variant_id)
        if not ctx.dry_run:
            db.session.add(
                InventoryLevel(
                    variant_id=variant_id, warehouse_id=warehouse.id, on_hand=levels[ref] + units
                )
            )
    verb = "Would take" if ctx.dry_run else "Took"
    ctx.log(
        "info",
        f"{verb} stock levels from Wix for {plural(len(taken), 'SKU')} that had no count in "
        f"wixoms, into {warehouse.name}.",
    )
    ctx.commit()

"""What Wix should show per Wix variant, and where Wix differs from it (reconciliation).

Rules (techOMS guide, ARCHITECTURE §1.3 and §5): available to sell is summed over the mapped
warehouses, because Wix has no stock by location; Stock Buffer is subtracted, Max Stock Level
caps it, a negative result is sent as 0. A variant reaches Wix through each of its SKU mappings
and through the Wix variant named with its own SKU, unless another mapping claims that SKU.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import NamedTuple

from sqlalchemy import select

from wixoms.extensions import db
from wixoms.models import Channel, InventoryPushState, SkuMapping, Variant
from wixoms.sync.stock import available_by_variant, channel_quantity
from wixoms.wix import VariantRef


class PushState(NamedTuple):
    """A row of what was last sent to Wix, read as plain values (100k ORM objects would be
    expired and reloaded one by one at every commit of the push)."""

    id: int
    quantity: int
    wix_product_id: str
    wix_variant_id: str
    extra: dict | None


@dataclass
class Target:
    """One Wix variant to keep in step with one OMS variant; ``sku`` is the SKU in Wix."""

    sku: str
    variant_id: int
    quantity: int
    ref: VariantRef | None
    state: PushState | None
    last_known: int | None = None  # Wix's quantity for a delta (v1), read in this run
    seen_in_wix: int | None = None  # Wix's quantity as read in this run
    # What the push state said when the run began (plain values: commits expire the row).
    sent: int | None = None
    sent_to: tuple[str, str] = ("", "")
    uncertain: bool = False
    not_in_wix: bool = False

    def __post_init__(self) -> None:
        s = self.state
        if s is not None:
            self.sent = s.quantity if s.quantity >= 0 else None
            self.sent_to = (s.wix_product_id or "", s.wix_variant_id or "")
            self.uncertain = bool((s.extra or {}).get("uncertain"))
            self.not_in_wix = bool((s.extra or {}).get("not_in_wix"))

    @property
    def changed(self) -> bool:
        """The wanted quantity differs from what we last sent (or we do not know what Wix has)."""
        if self.state is None or self.sent != self.quantity or self.uncertain:
            return True
        return self.ref is not None and self.sent_to != (self.ref.product_id, self.ref.variant_id)


def build_targets(channel: Channel, warehouse_ids: list[int]) -> list[Target]:
    """Every Wix target with its wanted quantity: mapped SKUs and the OMS SKU itself."""
    available = available_by_variant(channel.account_id, warehouse_ids)
    s = InventoryPushState
    states = {
        sku: PushState(*row)
        for sku, *row in db.session.execute(
            select(s.sku, s.id, s.quantity, s.wix_product_id, s.wix_variant_id, s.extra).where(
                s.channel_id == channel.id
            )
        )
    }
    mappings: dict[int, list[SkuMapping]] = defaultdict(list)
    for m in db.session.scalars(select(SkuMapping).where(SkuMapping.channel_id == channel.id)):
        mappings[m.variant_id].append(m)
    claimed = {m.wix_sku for ms in mappings.values() for m in ms}
    skus = dict(
        db.session.execute(
            select(Variant.id, Variant.sku).where(Variant.account_id == channel.account_id)
        ).all()
    )
    targets = []
    for variant_id, total in available.items():
        quantity = channel_quantity(total, channel.stock_buffer, channel.max_stock_level)
        refs = wix_refs(skus[variant_id], mappings.get(variant_id, []), states, claimed)
        for sku, ref in refs:
            targets.append(Target(sku, variant_id, quantity, ref, states.get(sku)))
    return targets


def wix_refs(
    oms_sku: str,
    mappings: list[SkuMapping],
    states: Mapping[str, PushState],
    claimed: set[str],
) -> Iterator[tuple[str, VariantRef | None]]:
    """Where an OMS variant lives in Wix: each SKU mapping, and the Wix variant with its own
    SKU — an extra mapping must not starve that one — unless a mapping already names it."""
    skus = [(m.wix_sku, m) for m in mappings]
    if oms_sku not in claimed:
        skus.append((oms_sku, None))
    for sku, m in skus:
        if m is not None and m.wix_product_id and m.wix_variant_id:
            yield sku, VariantRef(m.wix_product_id, m.wix_variant_id)
            continue
        state = states.get(sku)
        if state is not None and state.wix_product_id and state.wix_variant_id:
            yield sku, VariantRef(state.wix_product_id, state.wix_variant_id)
        else:
            yield sku, None


def compare_with_wix(targets: list[Target], wix: Mapping[VariantRef, int]) -> list[Target]:
    """Note Wix's quantity on every target; return those Wix has moved away from what we sent.

    A variant Wix does not track counts as unknown: it is set absolutely.
    """
    drifted = []
    for t in targets:
        if t.ref is None:
            continue
        t.last_known = t.seen_in_wix = wix.get(t.ref)
        if t.sent is None or t.not_in_wix:
            continue
        if t.last_known != t.sent and t.last_known != t.quantity:
            drifted.append(t)
    return drifted


def to_send(targets: list[Target], *, read: bool) -> list[Target]:
    """Targets with a Wix variant whose quantity differs from the wanted one: as just read
    from Wix, else as last sent."""
    if read:
        return [t for t in targets if t.ref is not None and t.last_known != t.quantity]
    return [t for t in targets if t.ref is not None and t.changed]

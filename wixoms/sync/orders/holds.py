"""Holds: an order whose lines the OMS cannot bind is held with the reason, never dropped.

Three reasons: an unknown SKU (it joins the unmapped list), a line without SKU in Wix (resolved
by mapping its Wix product or variant, on the order's page), and a SKU mismatch (the line's SKU
and its Wix product/variant mapping name different OMS variants: it is held, never guessed).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from wixoms.extensions import db
from wixoms.models import Order, OrderLine, UnmappedSku
from wixoms.models._base import utcnow
from wixoms.order_state import apply_state
from wixoms.sync.orders.rules import (
    NO_SKU,
    SKU_MISMATCH,
    UNKNOWN_SKU,
    Binding,
    OrderRules,
    unheld_state,
)

ADVICE = {
    UNKNOWN_SKU: "map the SKU under SKU Mappings (or add it to the catalog)",
    NO_SKU: "map the line's Wix product to an OMS SKU on this order's page",
    SKU_MISMATCH: "correct the SKU in Wix or the SKU mapping",
}


@dataclass(frozen=True)
class Problem:
    """A line the OMS could not bind, and why."""

    sku: str
    name: str
    binding: Binding

    def label(self) -> str:
        """Short, for a list: the SKU, '(no SKU) Tee', or the SKU and what it disagrees with."""
        kind = self.binding.problem
        if kind == NO_SKU:
            return f"(no SKU) {self.name}"
        if kind == SKU_MISMATCH:
            return f"{self.sku} (its Wix product is mapped to {self.binding.mapped_sku})"
        return self.sku

    def describe(self) -> str:
        kind = self.binding.problem
        if kind == UNKNOWN_SKU:
            return f"unknown SKU {self.sku} ({self.name})"
        if kind == NO_SKU:
            return f"a line without SKU in Wix ({self.name})"
        return (
            f"SKU mismatch: {self.name} has SKU {self.sku} in Wix, but its Wix product is "
            f"mapped to OMS SKU {self.binding.mapped_sku}"
        )


def hold_reason(problems: Sequence[Problem]) -> str:
    """'Unknown SKU X (Mug); a line without SKU in Wix (Tee). Map …, then release the hold.'"""
    reason = "; ".join(p.describe() for p in problems)
    advice = "; ".join(dict.fromkeys(ADVICE[p.binding.problem] for p in problems))
    advice = f"{advice[:1].upper()}{advice[1:]}, then release the hold."
    return f"{reason[:1].upper()}{reason[1:]}. {advice}"


def hold(order: Order, order_number: str, problems: Sequence[Problem]) -> None:
    """On hold, never dropped: the reason names each line; unknown SKUs join the unmapped list."""
    for p in problems:
        if p.binding.problem == UNKNOWN_SKU:
            _note_unmapped(order.channel_id, p, order_number)
    apply_state(order, "on_hold", hold_reason=hold_reason(problems))


def _note_unmapped(channel_id: int, problem: Problem, order_number: str) -> None:
    sku = problem.sku[:64]
    row = db.session.scalar(
        db.select(UnmappedSku).where(
            UnmappedSku.channel_id == channel_id, UnmappedSku.wix_sku == sku
        )
    )
    now = utcnow()
    if row is None:
        row = UnmappedSku(channel_id=channel_id, wix_sku=sku, times_seen=0, first_seen_at=now)
        db.session.add(row)
    row.product_name = problem.name[:255]
    row.times_seen = (row.times_seen or 0) + 1
    row.last_seen_at = now
    row.last_order_number = order_number[:40]


def line_problems(order: Order, rules: OrderRules) -> list[tuple[OrderLine, Problem | None]]:
    """Each unbound line of ``order`` with why it stays unbound (None: it binds now)."""
    out: list[tuple[OrderLine, Problem | None]] = []
    for line in order.lines:
        if line.variant_id is not None:
            continue
        binding = rules.bind(line.sku or None, line.wix_product_id or None, line.wix_variant_id)
        problem = None if binding.variant_id is not None else Problem(line.sku, line.name, binding)
        out.append((line, problem))
    return out


def release_if_mapped(order: Order, rules: OrderRules) -> list[Problem]:
    """Bind every unbound line and release the hold; return the problems that remain.

    Nothing changes unless every line binds: the order stays held with a reason that names
    what is still wrong.
    """
    found = line_problems(order, rules)
    left = [p for _, p in found if p is not None]
    if left:
        if order.status == "on_hold":
            order.hold_reason = hold_reason(left)
        return left
    for line, _ in found:
        line.variant_id = rules.bind(
            line.sku or None, line.wix_product_id or None, line.wix_variant_id
        ).variant_id
    if order.status == "on_hold":
        apply_state(order, unheld_state(order.channel_status))
    else:
        order.hold_reason = None
    return []

"""SKU mappings at scale: keyset pages, search, CSV import (all or nothing) and export.

Carrier and warehouse mappings are a handful of rows and live in the mappings views; SKU
mappings can be 100k rows, so their queries and the CSV rules are here.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from sqlalchemy import delete, func, insert, or_, update

from wixoms.extensions import db
from wixoms.models import Carrier, Channel, SkuMapping, UnmappedSku, Variant, Warehouse
from wixoms.wix.ids import SHAPE as WIX_ID_SHAPE
from wixoms.wix.ids import is_wix_id

PAGE_SIZE = 50
CSV_COLUMNS = ("wix_sku", "oms_sku", "wix_product_id", "wix_variant_id")
WIX_ID_COLUMNS = ("wix_product_id", "wix_variant_id")
REQUIRED_COLUMNS = ("wix_sku", "oms_sku")
MAX_PROBLEMS_SHOWN = 200
CONTROL_CHARS = re.compile(r"[\x00-\x1f\x7f]")
_CHUNK = 500


@dataclass
class SkuPage:
    rows: list[tuple[SkuMapping, str]]
    total: int
    next_after: str | None
    prev_before: str | None


def sku_mapping_page(
    channel: Channel, q: str = "", after: str | None = None, before: str | None = None
) -> SkuPage:
    """One page of mappings ordered by Wix SKU; `after`/`before` are keyset cursors."""
    base = (
        db.select(SkuMapping, Variant.sku)
        .join(Variant, Variant.id == SkuMapping.variant_id)
        .where(SkuMapping.channel_id == channel.id)
    )
    if q:
        needle = q.lower()
        base = base.where(
            or_(
                func.lower(SkuMapping.wix_sku).contains(needle, autoescape=True),
                func.lower(Variant.sku).contains(needle, autoescape=True),
            )
        )
    total = db.session.scalar(db.select(func.count()).select_from(base.subquery())) or 0
    if before is not None:
        stmt = base.where(SkuMapping.wix_sku < before).order_by(SkuMapping.wix_sku.desc())
        rows = list(db.session.execute(stmt.limit(PAGE_SIZE + 1)).all())
        more = len(rows) > PAGE_SIZE
        rows = rows[:PAGE_SIZE][::-1]
        prev_before = rows[0][0].wix_sku if more and rows else None
        next_after = rows[-1][0].wix_sku if rows else None
    else:
        stmt = base.order_by(SkuMapping.wix_sku)
        if after is not None:
            stmt = stmt.where(SkuMapping.wix_sku > after)
        rows = list(db.session.execute(stmt.limit(PAGE_SIZE + 1)).all())
        more = len(rows) > PAGE_SIZE
        rows = rows[:PAGE_SIZE]
        next_after = rows[-1][0].wix_sku if more else None
        prev_before = rows[0][0].wix_sku if after is not None and rows else None
    return SkuPage(rows=rows, total=total, next_after=next_after, prev_before=prev_before)


def find_variant(account_id: int, sku: str) -> Variant | None:
    return db.session.scalar(
        db.select(Variant).where(Variant.account_id == account_id, Variant.sku == sku)
    )


def unknown_sku_message(account_id: int, sku: str) -> str:
    """Say that an OMS SKU does not exist, and suggest the one that differs only in case."""
    near = db.session.scalar(
        db.select(Variant.sku)
        .where(Variant.account_id == account_id, func.lower(Variant.sku) == sku.lower())
        .limit(1)
    )
    hint = f" Did you mean {near}?" if near else ""
    return f"There is no OMS SKU {sku!r} in your catalog.{hint}"


def account_carriers(channel: Channel) -> list[Carrier]:
    return list(
        db.session.scalars(
            db.select(Carrier)
            .where(Carrier.account_id == channel.account_id)
            .order_by(Carrier.name)
        )
    )


def account_warehouses(channel: Channel) -> list[Warehouse]:
    return list(
        db.session.scalars(
            db.select(Warehouse)
            .where(Warehouse.account_id == channel.account_id)
            .order_by(Warehouse.name)
        )
    )


def oms_sku_suggestions(channel: Channel, wix_sku: str) -> list[str]:
    """OMS SKUs that start like a Wix SKU (any case), shortest first, for the Map picker."""
    stem = wix_sku[:4].lower()
    return list(
        db.session.scalars(
            db.select(Variant.sku)
            .where(
                Variant.account_id == channel.account_id,
                func.lower(Variant.sku).startswith(stem, autoescape=True),
            )
            .order_by(func.length(Variant.sku), Variant.sku)
            .limit(8)
        )
    )


def unmapped_skus(channel: Channel, limit: int) -> tuple[list[UnmappedSku], int]:
    """The most recently seen unmapped Wix SKUs, and how many there are in all."""
    shown = list(
        db.session.scalars(
            db.select(UnmappedSku)
            .where(UnmappedSku.channel_id == channel.id)
            .order_by(UnmappedSku.last_seen_at.desc(), UnmappedSku.id.desc())
            .limit(limit)
        )
    )
    total = db.session.scalar(
        db.select(func.count()).select_from(UnmappedSku).where(UnmappedSku.channel_id == channel.id)
    )
    return shown, total or 0


def map_unmapped(channel: Channel, unmapped: UnmappedSku, variant: Variant) -> SkuMapping:
    """Map a Wix SKU seen on orders to an OMS variant; it leaves the unmapped list."""
    mapping = db.session.scalar(
        db.select(SkuMapping).where(
            SkuMapping.channel_id == channel.id, SkuMapping.wix_sku == unmapped.wix_sku
        )
    ) or SkuMapping(channel_id=channel.id, wix_sku=unmapped.wix_sku)
    mapping.variant_id = variant.id
    db.session.add(mapping)
    db.session.delete(unmapped)
    db.session.commit()
    return mapping


def forget_unmapped(channel: Channel, wix_skus: list[str]) -> None:
    """Mapped SKUs leave the unmapped list (part of the caller's transaction)."""
    for start in range(0, len(wix_skus), _CHUNK):
        chunk = wix_skus[start : start + _CHUNK]
        db.session.execute(
            delete(UnmappedSku).where(
                UnmappedSku.channel_id == channel.id, UnmappedSku.wix_sku.in_(chunk)
            )
        )


# CSV ----------------------------------------------------------------------------------------


@dataclass
class CsvProblem:
    row: int
    reason: str


@dataclass
class CsvImportResult:
    created: int = 0
    updated: int = 0
    rows: int = 0
    problems: list[CsvProblem] = field(default_factory=list)
    more_problems: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems


def _fail(message: str) -> CsvImportResult:
    return CsvImportResult(problems=[CsvProblem(row=0, reason=message)])


def _read_table(data: bytes) -> tuple[list[str], list[tuple[int, list[str]]]] | CsvImportResult:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return _fail("The file is not UTF-8 text. Save it from your spreadsheet as 'CSV UTF-8'.")
    if "\x00" in text:
        return _fail("The file contains NUL bytes; it is not a CSV text file.")
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader, None)
        if header is None:
            return _fail(f"The file is empty. The first row must be: {','.join(CSV_COLUMNS)}")
        body = [(reader.line_num, row) for row in reader if any(cell.strip() for cell in row)]
    except csv.Error as exc:
        return _fail(f"Row {reader.line_num}: the CSV cannot be read ({exc}).")
    return [h.strip().lower() for h in header], body


# A spreadsheet runs a cell starting with one of these as a formula (OWASP: CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(cell: str | None) -> str:
    """The cell as text a spreadsheet shows and never runs: a leading ' before a formula start."""
    cell = cell or ""
    return "'" + cell if cell.startswith(FORMULA_STARTS) else cell


def from_spreadsheet(cell: str) -> str:
    """Undo spreadsheet_safe, so an exported file imports back to the same values."""
    return cell[1:] if cell.startswith("'") and cell[1:].startswith(FORMULA_STARTS) else cell


def _cell(row: list[str], columns: dict[str, int], name: str) -> str:
    index = columns.get(name)
    return from_spreadsheet(row[index].strip()) if index is not None and index < len(row) else ""


def _row_problem(values: dict[str, str]) -> str | None:
    for name in CSV_COLUMNS:
        value = values[name]
        if name in REQUIRED_COLUMNS and not value:
            return f"{name} is empty."
        if len(value) > 64:
            return f"{name} is longer than 64 characters."
        if CONTROL_CHARS.search(value):
            return f"{name} contains control characters."
        if name in WIX_ID_COLUMNS and value and not is_wix_id(value):
            return f"{name} is not a Wix id ({WIX_ID_SHAPE})."
    return None


def import_sku_csv(channel: Channel, data: bytes) -> CsvImportResult:
    """Check every row, then save all of them in one transaction, or none if any row is bad.

    Columns: wix_sku, oms_sku (required), wix_product_id, wix_variant_id (optional). A Wix
    SKU already mapped is updated; the imported SKUs leave the unmapped list.
    """
    table = _read_table(data)
    if isinstance(table, CsvImportResult):
        return table
    header, body = table
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        return _fail(
            f"The first row must name the columns {', '.join(CSV_COLUMNS)} "
            f"(missing: {', '.join(missing)})."
        )
    columns = {name: header.index(name) for name in CSV_COLUMNS if name in header}
    variants = dict(
        db.session.execute(
            db.select(Variant.sku, Variant.id).where(Variant.account_id == channel.account_id)
        ).all()
    )
    lowered = {sku.lower(): sku for sku in variants}
    result = CsvImportResult(rows=len(body))
    seen: dict[str, int] = {}
    good: list[dict[str, object]] = []
    for line, row in body:
        values = {name: _cell(row, columns, name) for name in CSV_COLUMNS}
        problem = _row_problem(values)
        if problem is None and values["wix_sku"] in seen:
            problem = f"wix_sku {values['wix_sku']!r} is already on row {seen[values['wix_sku']]}."
        if problem is None and values["oms_sku"] not in variants:
            near = lowered.get(values["oms_sku"].lower())
            hint = f" Did you mean {near}?" if near else ""
            problem = f"There is no OMS SKU {values['oms_sku']!r} in your catalog.{hint}"
        if problem is not None:
            if len(result.problems) < MAX_PROBLEMS_SHOWN:
                result.problems.append(CsvProblem(line, problem))
            else:
                result.more_problems += 1
            continue
        seen[values["wix_sku"]] = line
        good.append(
            {
                "channel_id": channel.id,
                "wix_sku": values["wix_sku"],
                "variant_id": variants[values["oms_sku"]],
                "wix_product_id": values["wix_product_id"],
                "wix_variant_id": values["wix_variant_id"],
            }
        )
    if not body:
        return _fail("The file has a header row but no mappings.")
    if result.problems:
        return result
    _write_mappings(channel, good, result)
    return result


def _write_mappings(channel: Channel, rows: list[dict], result: CsvImportResult) -> None:
    existing = dict(
        db.session.execute(
            db.select(SkuMapping.wix_sku, SkuMapping.id).where(SkuMapping.channel_id == channel.id)
        ).all()
    )
    inserts = [r for r in rows if r["wix_sku"] not in existing]
    updates = [
        {
            "id": existing[r["wix_sku"]],
            "variant_id": r["variant_id"],
            "wix_product_id": r["wix_product_id"],
            "wix_variant_id": r["wix_variant_id"],
        }
        for r in rows
        if r["wix_sku"] in existing
    ]
    try:
        for start in range(0, len(inserts), _CHUNK):
            db.session.execute(insert(SkuMapping), inserts[start : start + _CHUNK])
        for start in range(0, len(updates), _CHUNK):
            db.session.execute(update(SkuMapping), updates[start : start + _CHUNK])
        forget_unmapped(channel, [str(r["wix_sku"]) for r in rows])
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    result.created, result.updated = len(inserts), len(updates)


def export_sku_csv(channel: Channel) -> Iterator[str]:
    """The channel's SKU mappings as CSV text, streamed in Wix SKU order; re-importable."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    yield buffer.getvalue()
    stmt = (
        db.select(
            SkuMapping.wix_sku, Variant.sku, SkuMapping.wix_product_id, SkuMapping.wix_variant_id
        )
        .join(Variant, Variant.id == SkuMapping.variant_id)
        .where(SkuMapping.channel_id == channel.id)
        .order_by(SkuMapping.wix_sku)
        .execution_options(yield_per=2000)
    )
    for batch in db.session.execute(stmt).partitions(2000):
        buffer.seek(0)
        buffer.truncate()
        writer.writerows([spreadsheet_safe(cell) for cell in row] for row in batch)
        yield buffer.getvalue()

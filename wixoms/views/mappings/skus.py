"""SKU mappings: the searchable table, row edits, CSV import/export and the unmapped list."""

from __future__ import annotations

from flask import Response, flash, redirect, request, stream_with_context, url_for
from sqlalchemy.exc import IntegrityError

from wixoms.channel_mappings import (
    PAGE_SIZE,
    CsvImportResult,
    CsvProblem,
    export_sku_csv,
    find_variant,
    forget_unmapped,
    import_sku_csv,
    map_unmapped,
    oms_sku_suggestions,
    sku_mapping_page,
    unknown_sku_message,
    unmapped_skus,
)
from wixoms.extensions import db, htmx
from wixoms.forms.mappings import MapUnmappedForm, SkuCsvImportForm, SkuMappingForm
from wixoms.models import Channel, SkuMapping, UnmappedSku, WixItemMapping
from wixoms.store_choices import unmapped_sku_picks, wix_sku_picks
from wixoms.views.mappings import bp, channel_for, owned, panel, row
from wixoms.wording import plural

UNMAPPED_SHOWN = 100
ITEM_MAPPINGS_SHOWN = 200


def sku_context(
    channel: Channel,
    form: SkuMappingForm | None = None,
    report=None,
    unmapped_forms: dict | None = None,
) -> dict:
    q = (request.args.get("q") or "").strip()[:64]
    after, before = request.args.get("after"), request.args.get("before")
    unmapped, unmapped_total = unmapped_skus(channel, UNMAPPED_SHOWN)
    forms = unmapped_forms or {}
    for u in unmapped:
        if u.id not in forms:
            hints = oms_sku_suggestions(channel, u.wix_sku)
            # Prefill only a same-SKU-but-for-case match: a guess would make one click wrong.
            best = next((h for h in hints if h.lower() == u.wix_sku.lower()), "")
            forms[u.id] = (MapUnmappedForm(prefix=f"unmapped-{u.id}", formdata=None), hints, best)
    return {
        "page": sku_mapping_page(channel, q, after, before),
        "q": q,
        "page_size": PAGE_SIZE,
        "form": form or SkuMappingForm(prefix="sku-add", formdata=None),
        "import_form": SkuCsvImportForm(formdata=None),
        "report": report,
        "unmapped": unmapped,
        "unmapped_total": unmapped_total,
        "unmapped_forms": forms,
        "item_mappings": db.session.scalars(
            db.select(WixItemMapping)
            .where(WixItemMapping.channel_id == channel.id)
            .order_by(WixItemMapping.product_name, WixItemMapping.id)
            .limit(ITEM_MAPPINGS_SHOWN)
        ).all(),
    }


@bp.get("/skus/wix-skus")
def sku_picks(channel_id: int):
    """Wix SKUs to pick from: seen on orders and unmapped first, then the Wix catalog's (htmx,
    read from Wix when the Add a mapping form is first opened)."""
    channel = channel_for(channel_id, edit=True)
    return row(
        "channels/mappings/_sku_pick.html",
        f=SkuMappingForm(prefix="sku-add", formdata=None),
        unmapped=unmapped_sku_picks(channel),
        picks=wix_sku_picks(channel),
    )


def _save_sku(channel: Channel, form: SkuMappingForm, mapping: SkuMapping | None) -> bool:
    if not form.validate():
        return False
    variant = find_variant(channel.account_id, form.oms_sku.data)
    if variant is None:
        form.oms_sku.errors = [unknown_sku_message(channel.account_id, form.oms_sku.data)]
        return False
    clash = db.session.scalar(
        db.select(SkuMapping).where(
            SkuMapping.channel_id == channel.id, SkuMapping.wix_sku == form.wix_sku.data
        )
    )
    if clash is not None and clash is not mapping:
        form.wix_sku.errors = ["This Wix SKU is already mapped; search for it and edit that row."]
        return False
    mapping = mapping or SkuMapping(channel_id=channel.id)
    mapping.wix_sku = form.wix_sku.data
    mapping.variant_id = variant.id
    mapping.wix_product_id = form.wix_product_id.data or ""
    mapping.wix_variant_id = form.wix_variant_id.data or ""
    db.session.add(mapping)
    forget_unmapped(channel, [mapping.wix_sku])
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        form.wix_sku.errors = ["This Wix SKU was just mapped; reload the tab."]
        return False
    return True


@bp.get("/skus")
def sku_list(channel_id: int):
    """Search and pages of the SKU table (htmx); plain requests land on the tab."""
    channel = channel_for(channel_id, edit=False)
    if not htmx:
        args = {k: v for k, v in request.args.items() if k in ("q", "after", "before")}
        return redirect(url_for("channels.show", channel_id=channel.id, tab="skus", **args))
    return row("channels/mappings/_sku_table.html", channel=channel, panel=sku_context(channel))


@bp.post("/skus")
def sku_add(channel_id: int):
    channel = channel_for(channel_id, edit=True)
    form = SkuMappingForm(prefix="sku-add")
    if not _save_sku(channel, form, None):
        return panel(channel, "skus", sku_context(channel, form=form), 422)
    flash(f"Mapped Wix SKU {form.wix_sku.data!r} → {form.oms_sku.data!r}. Saved.", "success")
    return panel(channel, "skus", sku_context(channel))


def _sku_row(channel: Channel, mapping: SkuMapping, status: int = 200):
    return row("channels/mappings/_sku_row.html", status, channel=channel, m=mapping)


@bp.get("/skus/<int:mapping_id>")
def sku_row(channel_id: int, mapping_id: int):
    channel = channel_for(channel_id, edit=False)
    return _sku_row(channel, owned(SkuMapping, mapping_id, channel))


@bp.get("/skus/<int:mapping_id>/edit")
def sku_edit(channel_id: int, mapping_id: int):
    channel = channel_for(channel_id, edit=True)
    mapping = owned(SkuMapping, mapping_id, channel)
    form = SkuMappingForm(prefix=f"sku-{mapping.id}", formdata=None, obj=mapping)
    form.oms_sku.data = mapping.variant.sku
    return row("channels/mappings/_sku_edit.html", channel=channel, m=mapping, form=form)


@bp.post("/skus/<int:mapping_id>")
def sku_update(channel_id: int, mapping_id: int):
    channel = channel_for(channel_id, edit=True)
    mapping = owned(SkuMapping, mapping_id, channel)
    form = SkuMappingForm(prefix=f"sku-{mapping.id}")
    if not _save_sku(channel, form, mapping):
        db.session.rollback()
        return row("channels/mappings/_sku_edit.html", 422, channel=channel, m=mapping, form=form)
    return _sku_row(channel, mapping)


@bp.post("/skus/<int:mapping_id>/delete")
def sku_delete(channel_id: int, mapping_id: int):
    channel = channel_for(channel_id, edit=True)
    db.session.delete(owned(SkuMapping, mapping_id, channel))
    db.session.commit()
    if htmx:
        return ""
    flash("SKU mapping deleted.", "success")
    return redirect(url_for("channels.show", channel_id=channel.id, tab="skus"))


@bp.post("/skus/import")
def sku_import(channel_id: int):
    channel = channel_for(channel_id, edit=True)
    form = SkuCsvImportForm()
    if not form.validate():
        result = CsvImportResult(problems=[CsvProblem(0, "Choose a CSV file to import.")])
    else:
        result = import_sku_csv(channel, form.file.data.read())
    if not htmx:
        if result.ok:
            flash(
                f"Imported {plural(result.rows, 'row')}: "
                f"{result.created} new, {result.updated} updated."
            )
        else:
            flash("Nothing was imported: fix the rows listed and import the file again.", "error")
            for problem in result.problems[:20]:
                where = f"Row {problem.row}: " if problem.row else ""
                flash(f"{where}{problem.reason}", "error")
        return redirect(url_for("channels.show", channel_id=channel.id, tab="skus"))
    return panel(channel, "skus", sku_context(channel, report=result), 200 if result.ok else 422)


@bp.get("/skus/export.csv")
def sku_export(channel_id: int):
    channel = channel_for(channel_id, edit=False)
    response = Response(stream_with_context(export_sku_csv(channel)), mimetype="text/csv")
    filename = f"sku-mappings-channel-{channel.id}.csv"
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@bp.post("/unmapped/<int:unmapped_id>/map")
def unmapped_map(channel_id: int, unmapped_id: int):
    """One-click mapping of a Wix SKU seen on orders to an OMS SKU."""
    channel = channel_for(channel_id, edit=True)
    unmapped = owned(UnmappedSku, unmapped_id, channel)
    form = MapUnmappedForm(prefix=f"unmapped-{unmapped.id}")
    if form.validate():
        variant = find_variant(channel.account_id, form.oms_sku.data)
        if variant is None:
            form.oms_sku.errors = [unknown_sku_message(channel.account_id, form.oms_sku.data)]
        else:
            mapping = map_unmapped(channel, unmapped, variant)
            flash(f"Mapped Wix SKU {mapping.wix_sku!r} → {variant.sku!r}. Saved.", "success")
            return panel(channel, "skus", sku_context(channel))
    hints = oms_sku_suggestions(channel, unmapped.wix_sku)
    forms = {unmapped.id: (form, hints, form.oms_sku.data or "")}
    return panel(channel, "skus", sku_context(channel, unmapped_forms=forms), 422)


@bp.post("/items/<int:mapping_id>/delete")
def item_delete(channel_id: int, mapping_id: int):
    """Forget a Wix product without SKU mapped from a held order (later lines are held again)."""
    channel = channel_for(channel_id, edit=True)
    mapping = owned(WixItemMapping, mapping_id, channel)
    name = mapping.product_name or mapping.wix_product_id
    db.session.delete(mapping)
    db.session.commit()
    flash(f"{name} is no longer mapped; its next orders are held until it is.", "success")
    return panel(channel, "skus", sku_context(channel))

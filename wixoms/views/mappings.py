"""The channel page's mapping tabs: carrier, SKU and warehouse mappings, saved immediately.

Every change is its own small transaction (the tabs say so): htmx swaps the tab's panel or one
row; without JavaScript the forms post normally and come back to the tab.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask_wtf import FlaskForm
from sqlalchemy.exc import IntegrityError

from wixoms.channel_mappings import (
    PAGE_SIZE,
    CsvImportResult,
    CsvProblem,
    account_carriers,
    account_warehouses,
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
from wixoms.forms.mappings import (
    CarrierMappingForm,
    MapUnmappedForm,
    SkuCsvImportForm,
    SkuMappingForm,
    WarehouseMappingForm,
)
from wixoms.models import (
    CarrierMapping,
    Channel,
    SkuMapping,
    UnmappedSku,
    WarehouseMapping,
)
from wixoms.views.access import get_scoped_or_404, is_admin

bp = Blueprint("mappings", __name__, url_prefix="/channels/<int:channel_id>/mappings")
UNMAPPED_SHOWN = 100


def _channel(channel_id: int, *, edit: bool) -> Channel:
    channel = get_scoped_or_404(Channel, channel_id)
    if edit and not is_admin():
        abort(403, description="Only an admin of this account can change mappings.")
    return channel


def _owned(model, object_id: int, channel: Channel):
    obj = db.session.get(model, object_id)
    if obj is None or obj.channel_id != channel.id:
        abort(404)
    return obj


def _panel(channel: Channel, tab: str, panel: dict, status: int = 200):
    """The tab's panel for htmx; for plain form posts, back to the tab (errors as flashes)."""
    if htmx:
        page = render_template(
            f"channels/tabs/_{tab}.html",
            channel=channel,
            panel=panel,
            can_edit=is_admin(),
            partial=True,
        )
        return page, status
    for form in (v for v in panel.values() if hasattr(v, "errors")):
        for errors in form.errors.values():
            for message in errors:
                flash(message, "error")
    return redirect(url_for("channels.show", channel_id=channel.id, tab=tab))


def _row(template: str, status: int = 200, **context):
    return render_template(template, can_edit=is_admin(), **context), status


# Carrier and warehouse mappings ------------------------------------------------------------


def carrier_form(channel: Channel, prefix: str = "carrier-add", **kw) -> CarrierMappingForm:
    return CarrierMappingForm(prefix=prefix, **kw).with_carriers(account_carriers(channel))


def carrier_context(channel: Channel, form: CarrierMappingForm | None = None) -> dict:
    mappings = sorted(channel.carrier_mappings, key=lambda m: m.wix_shipping_title.lower())
    return {
        "mappings": mappings,
        "form": form or carrier_form(channel, formdata=None),
        "has_carriers": bool(account_carriers(channel)),
    }


def warehouse_form(channel: Channel, prefix: str = "warehouse-add", **kw) -> WarehouseMappingForm:
    return WarehouseMappingForm(prefix=prefix, **kw).with_warehouses(account_warehouses(channel))


def warehouse_context(channel: Channel, form: WarehouseMappingForm | None = None) -> dict:
    mappings = sorted(channel.warehouse_mappings, key=lambda m: m.warehouse.name.lower())
    return {
        "mappings": mappings,
        "form": form or warehouse_form(channel, formdata=None),
        "has_warehouses": bool(account_warehouses(channel)),
    }


@dataclass(frozen=True)
class MappingKind:
    """What differs between the carrier and the warehouse mapping tabs; their views are shared.

    ``name`` ("carrier") gives the tab and URLs (/carriers), the endpoints (carrier_add, ...),
    the row templates (channels/mappings/_carrier_row.html, _carrier_edit.html) and the form
    prefixes (carrier-add, carrier-<id>).
    """

    name: str
    model: type[CarrierMapping] | type[WarehouseMapping]
    form: Callable[..., FlaskForm]  # (channel, prefix, **form kwargs) with the account's choices
    context: Callable[..., dict]  # (channel, form=None) -> the tab's panel
    select: str  # the form's select field (and column) of the account's carrier or warehouse
    unique: str  # the field (and column) a channel may map only once
    values: Callable[[FlaskForm], dict]  # column values of a validated form
    taken: str
    just_taken: str
    added: Callable[[FlaskForm], str]
    deleted: str

    @property
    def tab(self) -> str:
        return f"{self.name}s"

    def template(self, part: str) -> str:
        return f"channels/mappings/_{self.name}_{part}.html"


CARRIERS = MappingKind(
    name="carrier",
    model=CarrierMapping,
    form=carrier_form,
    context=carrier_context,
    select="carrier_id",
    unique="wix_shipping_title",
    values=lambda form: {
        "wix_shipping_title": form.wix_shipping_title.data,
        "carrier_id": int(form.carrier_id.data),
    },
    taken="This shipping option is already mapped; edit that row.",
    just_taken="This shipping option was just mapped; reload the tab.",
    added=lambda form: f"Mapped {form.wix_shipping_title.data!r}. Saved.",
    deleted="Carrier mapping deleted.",
)
WAREHOUSES = MappingKind(
    name="warehouse",
    model=WarehouseMapping,
    form=warehouse_form,
    context=warehouse_context,
    select="warehouse_id",
    unique="warehouse_id",
    values=lambda form: {
        "warehouse_id": int(form.warehouse_id.data),
        "wix_location_id": form.wix_location_id.data or "",
    },
    taken="This warehouse is already mapped; edit that row.",
    just_taken="This warehouse was just mapped; reload the tab.",
    added=lambda form: "Warehouse mapped. Saved.",
    deleted="Warehouse mapping deleted.",
)


def _save_mapping(kind: MappingKind, channel: Channel, form: FlaskForm, mapping) -> bool:
    """Validate and store; returns True when saved (errors are put on the form)."""
    if not form.validate():
        return False
    values = kind.values(form)
    clash = db.session.scalar(
        db.select(kind.model).where(
            kind.model.channel_id == channel.id,
            getattr(kind.model, kind.unique) == values[kind.unique],
        )
    )
    if clash is not None and clash is not mapping:
        getattr(form, kind.unique).errors = [kind.taken]
        return False
    mapping = mapping or kind.model(channel_id=channel.id)
    for column, value in values.items():
        setattr(mapping, column, value)
    db.session.add(mapping)
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        getattr(form, kind.unique).errors = [kind.just_taken]
        return False
    return True


def _mapping_add(kind: MappingKind, channel_id: int):
    channel = _channel(channel_id, edit=True)
    form = kind.form(channel)
    if not _save_mapping(kind, channel, form, None):
        return _panel(channel, kind.tab, kind.context(channel, form), 422)
    db.session.refresh(channel)
    flash(kind.added(form), "success")
    return _panel(channel, kind.tab, kind.context(channel))


def _mapping_row(kind: MappingKind, channel_id: int, mapping_id: int):
    channel = _channel(channel_id, edit=False)
    mapping = _owned(kind.model, mapping_id, channel)
    return _row(kind.template("row"), channel=channel, m=mapping)


def _mapping_edit(kind: MappingKind, channel_id: int, mapping_id: int):
    channel = _channel(channel_id, edit=True)
    mapping = _owned(kind.model, mapping_id, channel)
    form = kind.form(channel, f"{kind.name}-{mapping.id}", formdata=None, obj=mapping)
    getattr(form, kind.select).data = str(getattr(mapping, kind.select))
    return _row(kind.template("edit"), channel=channel, m=mapping, form=form)


def _mapping_update(kind: MappingKind, channel_id: int, mapping_id: int):
    channel = _channel(channel_id, edit=True)
    mapping = _owned(kind.model, mapping_id, channel)
    form = kind.form(channel, f"{kind.name}-{mapping.id}")
    if not _save_mapping(kind, channel, form, mapping):
        return _row(kind.template("edit"), 422, channel=channel, m=mapping, form=form)
    return _row(kind.template("row"), channel=channel, m=mapping)


def _mapping_delete(kind: MappingKind, channel_id: int, mapping_id: int):
    channel = _channel(channel_id, edit=True)
    db.session.delete(_owned(kind.model, mapping_id, channel))
    db.session.commit()
    db.session.refresh(channel)
    flash(kind.deleted, "success")
    return _panel(channel, kind.tab, kind.context(channel))


for _kind in (CARRIERS, WAREHOUSES):
    # Endpoints mappings.<name>_add, _row, _edit, _update and _delete.
    for _rule, _action, _view, _method in (
        ("", "add", _mapping_add, "POST"),
        ("/<int:mapping_id>", "row", _mapping_row, "GET"),
        ("/<int:mapping_id>/edit", "edit", _mapping_edit, "GET"),
        ("/<int:mapping_id>", "update", _mapping_update, "POST"),
        ("/<int:mapping_id>/delete", "delete", _mapping_delete, "POST"),
    ):
        bp.add_url_rule(
            f"/{_kind.tab}{_rule}",
            f"{_kind.name}_{_action}",
            partial(_view, _kind),
            methods=[_method],
        )


# SKU mappings ------------------------------------------------------------------------------


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
    }


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
    channel = _channel(channel_id, edit=False)
    if not htmx:
        args = {k: v for k, v in request.args.items() if k in ("q", "after", "before")}
        return redirect(url_for("channels.show", channel_id=channel.id, tab="skus", **args))
    return _row("channels/mappings/_sku_table.html", channel=channel, panel=sku_context(channel))


@bp.post("/skus")
def sku_add(channel_id: int):
    channel = _channel(channel_id, edit=True)
    form = SkuMappingForm(prefix="sku-add")
    if not _save_sku(channel, form, None):
        return _panel(channel, "skus", sku_context(channel, form=form), 422)
    flash(f"Mapped Wix SKU {form.wix_sku.data!r} → {form.oms_sku.data!r}. Saved.", "success")
    return _panel(channel, "skus", sku_context(channel))


def _sku_row(channel: Channel, mapping: SkuMapping, status: int = 200):
    return _row("channels/mappings/_sku_row.html", status, channel=channel, m=mapping)


@bp.get("/skus/<int:mapping_id>")
def sku_row(channel_id: int, mapping_id: int):
    channel = _channel(channel_id, edit=False)
    return _sku_row(channel, _owned(SkuMapping, mapping_id, channel))


@bp.get("/skus/<int:mapping_id>/edit")
def sku_edit(channel_id: int, mapping_id: int):
    channel = _channel(channel_id, edit=True)
    mapping = _owned(SkuMapping, mapping_id, channel)
    form = SkuMappingForm(prefix=f"sku-{mapping.id}", formdata=None, obj=mapping)
    form.oms_sku.data = mapping.variant.sku
    return _row("channels/mappings/_sku_edit.html", channel=channel, m=mapping, form=form)


@bp.post("/skus/<int:mapping_id>")
def sku_update(channel_id: int, mapping_id: int):
    channel = _channel(channel_id, edit=True)
    mapping = _owned(SkuMapping, mapping_id, channel)
    form = SkuMappingForm(prefix=f"sku-{mapping.id}")
    if not _save_sku(channel, form, mapping):
        db.session.rollback()
        return _row("channels/mappings/_sku_edit.html", 422, channel=channel, m=mapping, form=form)
    return _sku_row(channel, mapping)


@bp.post("/skus/<int:mapping_id>/delete")
def sku_delete(channel_id: int, mapping_id: int):
    channel = _channel(channel_id, edit=True)
    db.session.delete(_owned(SkuMapping, mapping_id, channel))
    db.session.commit()
    if htmx:
        return ""
    flash("SKU mapping deleted.", "success")
    return redirect(url_for("channels.show", channel_id=channel.id, tab="skus"))


@bp.post("/skus/import")
def sku_import(channel_id: int):
    channel = _channel(channel_id, edit=True)
    form = SkuCsvImportForm()
    if not form.validate():
        result = CsvImportResult(problems=[CsvProblem(0, "Choose a CSV file to import.")])
    else:
        result = import_sku_csv(channel, form.file.data.read())
    if not htmx:
        if result.ok:
            flash(f"Imported {result.rows} rows: {result.created} new, {result.updated} updated.")
        else:
            flash("Nothing was imported: fix the rows listed and import the file again.", "error")
            for problem in result.problems[:20]:
                where = f"Row {problem.row}: " if problem.row else ""
                flash(f"{where}{problem.reason}", "error")
        return redirect(url_for("channels.show", channel_id=channel.id, tab="skus"))
    return _panel(channel, "skus", sku_context(channel, report=result), 200 if result.ok else 422)


@bp.get("/skus/export.csv")
def sku_export(channel_id: int):
    channel = _channel(channel_id, edit=False)
    response = Response(stream_with_context(export_sku_csv(channel)), mimetype="text/csv")
    filename = f"sku-mappings-channel-{channel.id}.csv"
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@bp.post("/unmapped/<int:unmapped_id>/map")
def unmapped_map(channel_id: int, unmapped_id: int):
    """One-click mapping of a Wix SKU seen on orders to an OMS SKU."""
    channel = _channel(channel_id, edit=True)
    unmapped = _owned(UnmappedSku, unmapped_id, channel)
    form = MapUnmappedForm(prefix=f"unmapped-{unmapped.id}")
    if form.validate():
        variant = find_variant(channel.account_id, form.oms_sku.data)
        if variant is None:
            form.oms_sku.errors = [unknown_sku_message(channel.account_id, form.oms_sku.data)]
        else:
            mapping = map_unmapped(channel, unmapped, variant)
            flash(f"Mapped Wix SKU {mapping.wix_sku!r} → {variant.sku!r}. Saved.", "success")
            return _panel(channel, "skus", sku_context(channel))
    hints = oms_sku_suggestions(channel, unmapped.wix_sku)
    forms = {unmapped.id: (form, hints, form.oms_sku.data or "")}
    return _panel(channel, "skus", sku_context(channel, unmapped_forms=forms), 422)

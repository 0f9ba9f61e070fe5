"""Carrier and warehouse mappings: one implementation per action, named routes per kind."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask import flash
from flask_wtf import FlaskForm
from sqlalchemy.exc import IntegrityError

from wixoms.channel_mappings import account_carriers, account_warehouses
from wixoms.extensions import db
from wixoms.forms.mappings import CarrierMappingForm, WarehouseMappingForm
from wixoms.going_live import missing_to_go_live
from wixoms.models import CarrierMapping, Channel, WarehouseMapping
from wixoms.store_choices import location_name, location_picks, shipping_title_picks
from wixoms.views.mappings import bp, channel_for, owned, panel, row


def carrier_form(channel: Channel, prefix: str = "carrier-add", **kw) -> CarrierMappingForm:
    return CarrierMappingForm(prefix=prefix, **kw).with_carriers(account_carriers(channel))


def carrier_context(channel: Channel, form: CarrierMappingForm | None = None) -> dict:
    mappings = sorted(channel.carrier_mappings, key=lambda m: m.wix_shipping_title.lower())
    return {
        "mappings": mappings,
        "titles": shipping_title_picks(channel),
        "form": form or carrier_form(channel, formdata=None),
        "has_carriers": bool(account_carriers(channel)),
    }


def warehouse_form(channel: Channel, prefix: str = "warehouse-add", **kw) -> WarehouseMappingForm:
    return WarehouseMappingForm(prefix=prefix, **kw).with_warehouses(account_warehouses(channel))


def warehouse_context(channel: Channel, form: WarehouseMappingForm | None = None) -> dict:
    mappings = sorted(channel.warehouse_mappings, key=lambda m: m.warehouse.name.lower())
    return {
        "mappings": mappings,
        "to_go_live": missing_to_go_live(channel),
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
    enrich: Callable[[Channel, dict], dict]  # more column values that need the channel
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
    enrich=lambda channel, values: {},
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
    enrich=lambda channel, values: {
        "wix_location_name": location_name(channel, values["wix_location_id"])[:150]
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
    values.update(kind.enrich(channel, values))
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
    channel = channel_for(channel_id, edit=True)
    form = kind.form(channel)
    if not _save_mapping(kind, channel, form, None):
        return panel(channel, kind.tab, kind.context(channel, form), 422)
    db.session.refresh(channel)
    flash(kind.added(form), "success")
    return panel(channel, kind.tab, kind.context(channel))


def _mapping_row(kind: MappingKind, channel_id: int, mapping_id: int):
    channel = channel_for(channel_id, edit=False)
    mapping = owned(kind.model, mapping_id, channel)
    return row(kind.template("row"), channel=channel, m=mapping)


def _mapping_edit(kind: MappingKind, channel_id: int, mapping_id: int):
    channel = channel_for(channel_id, edit=True)
    mapping = owned(kind.model, mapping_id, channel)
    form = kind.form(channel, f"{kind.name}-{mapping.id}", formdata=None, obj=mapping)
    getattr(form, kind.select).data = str(getattr(mapping, kind.select))
    return row(kind.template("edit"), channel=channel, m=mapping, form=form)


def _mapping_update(kind: MappingKind, channel_id: int, mapping_id: int):
    channel = channel_for(channel_id, edit=True)
    mapping = owned(kind.model, mapping_id, channel)
    form = kind.form(channel, f"{kind.name}-{mapping.id}")
    if not _save_mapping(kind, channel, form, mapping):
        return row(kind.template("edit"), 422, channel=channel, m=mapping, form=form)
    return row(kind.template("row"), channel=channel, m=mapping)


def _mapping_delete(kind: MappingKind, channel_id: int, mapping_id: int):
    channel = channel_for(channel_id, edit=True)
    db.session.delete(owned(kind.model, mapping_id, channel))
    db.session.commit()
    db.session.refresh(channel)
    flash(kind.deleted, "success")
    return panel(channel, kind.tab, kind.context(channel))


# Endpoints mappings.<kind>_add, _row, _edit, _update and _delete: plain functions, one name each.


@bp.post("/carriers")
def carrier_add(channel_id: int):
    return _mapping_add(CARRIERS, channel_id)


@bp.get("/carriers/<int:mapping_id>")
def carrier_row(channel_id: int, mapping_id: int):
    return _mapping_row(CARRIERS, channel_id, mapping_id)


@bp.get("/carriers/<int:mapping_id>/edit")
def carrier_edit(channel_id: int, mapping_id: int):
    return _mapping_edit(CARRIERS, channel_id, mapping_id)


@bp.post("/carriers/<int:mapping_id>")
def carrier_update(channel_id: int, mapping_id: int):
    return _mapping_update(CARRIERS, channel_id, mapping_id)


@bp.post("/carriers/<int:mapping_id>/delete")
def carrier_delete(channel_id: int, mapping_id: int):
    return _mapping_delete(CARRIERS, channel_id, mapping_id)


@bp.get("/warehouses/locations")
def warehouse_locations(channel_id: int):
    """The Wix locations to pick from, read from Wix when the tab is first shown (htmx)."""
    channel = channel_for(channel_id, edit=True)
    form = warehouse_form(channel, formdata=None)
    return row("channels/mappings/_location_pick.html", picks=location_picks(channel), f=form)


@bp.post("/warehouses")
def warehouse_add(channel_id: int):
    return _mapping_add(WAREHOUSES, channel_id)


@bp.get("/warehouses/<int:mapping_id>")
def warehouse_row(channel_id: int, mapping_id: int):
    return _mapping_row(WAREHOUSES, channel_id, mapping_id)


@bp.get("/warehouses/<int:mapping_id>/edit")
def warehouse_edit(channel_id: int, mapping_id: int):
    return _mapping_edit(WAREHOUSES, channel_id, mapping_id)


@bp.post("/warehouses/<int:mapping_id>")
def warehouse_update(channel_id: int, mapping_id: int):
    return _mapping_update(WAREHOUSES, channel_id, mapping_id)


@bp.post("/warehouses/<int:mapping_id>/delete")
def warehouse_delete(channel_id: int, mapping_id: int):
    return _mapping_delete(WAREHOUSES, channel_id, mapping_id)

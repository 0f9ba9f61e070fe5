"""Forms of the mapping tabs: carrier, SKU and warehouse mappings, CSV import."""

from __future__ import annotations

from typing import ClassVar

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import StringField
from wtforms.validators import InputRequired, Length, ValidationError

from wixoms.forms.channel import SafeSelectField, choices, no_control_chars, strip
from wixoms.wix.ids import SHAPE, is_wix_id


def wix_id(form, field) -> None:
    """An optional Wix id: it goes into Wix API paths, so only a Wix id's characters."""
    if field.data and not is_wix_id(field.data):
        raise ValidationError(f"Enter the id as Wix shows it: {SHAPE}.")


def _text(
    label: str, max_len: int, required: str | None = None, *, extra: tuple = ()
) -> StringField:
    validators = [
        Length(max=max_len, message=f"Use at most {max_len} characters."),
        no_control_chars,
        *extra,
    ]
    if required:
        validators.insert(0, InputRequired(required))
    return StringField(label, filters=[strip], validators=validators)


class PickOrType(FlaskForm):
    """A value picked from a list read from the store, or typed (the fallback); a typed value
    wins. PICKS maps the typed field to its pick field; the typed field's rules check both."""

    PICKS: ClassVar[dict[str, str]] = {}

    def validate(self, extra_validators=None) -> bool:
        for typed_name, pick_name in self.PICKS.items():
            typed, pick = self[typed_name], self[pick_name]
            picked = (pick.data or "").strip()
            if not (typed.data or "").strip() and picked:
                typed.data, typed.raw_data = picked, [picked]
        return super().validate(extra_validators)


class CarrierMappingForm(PickOrType):
    PICKS = {"wix_shipping_title": "wix_shipping_title_pick"}

    wix_shipping_title = _text(
        "Wix shipping option", 120, "Pick a shipping option seen on Wix orders, or type its name."
    )
    wix_shipping_title_pick = StringField("Wix shipping option")
    carrier_id = SafeSelectField("OMS carrier", choices=[])

    def with_carriers(self, carriers) -> CarrierMappingForm:
        self.carrier_id.choices = choices((str(c.id), c.name) for c in carriers)
        return self


class SkuMappingForm(PickOrType):
    PICKS = {"wix_sku": "wix_sku_pick"}

    wix_sku = _text("Wix SKU", 64, "Pick a Wix SKU, or type it as it appears in Wix.")
    wix_sku_pick = StringField("Wix SKU")
    oms_sku = _text("OMS SKU", 64, "Enter the wixoms SKU this Wix SKU stands for.")
    wix_product_id = _text("Wix product id", 64, extra=(wix_id,))
    wix_variant_id = _text("Wix variant id", 64, extra=(wix_id,))


class MapUnmappedForm(FlaskForm):
    oms_sku = _text("OMS SKU", 64, "Enter the wixoms SKU this Wix SKU stands for.")


class WarehouseMappingForm(PickOrType):
    PICKS = {"wix_location_id": "wix_location_pick"}

    warehouse_id = SafeSelectField("OMS warehouse", choices=[])
    wix_location_id = _text("Or type a Wix location id", 64, extra=(wix_id,))
    wix_location_pick = StringField("Wix location")

    def with_warehouses(self, warehouses) -> WarehouseMappingForm:
        self.warehouse_id.choices = choices((str(w.id), f"{w.name} ({w.code})") for w in warehouses)
        return self


class SkuCsvImportForm(FlaskForm):
    file = FileField("CSV file", validators=[FileRequired("Choose a CSV file to import.")])

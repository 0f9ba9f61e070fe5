"""Forms of the mapping tabs: carrier, SKU and warehouse mappings, CSV import."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import StringField
from wtforms.validators import InputRequired, Length

from wixoms.forms.channel import SafeSelectField, choices, no_control_chars, strip


def _text(label: str, max_len: int, required: str | None = None) -> StringField:
    validators = [
        Length(max=max_len, message=f"Use at most {max_len} characters."),
        no_control_chars,
    ]
    if required:
        validators.insert(0, InputRequired(required))
    return StringField(label, filters=[strip], validators=validators)


class CarrierMappingForm(FlaskForm):
    wix_shipping_title = _text(
        "Wix shipping option", 120, "Enter the shipping option's name as buyers see it in Wix."
    )
    carrier_id = SafeSelectField("OMS carrier", choices=[])

    def with_carriers(self, carriers) -> CarrierMappingForm:
        self.carrier_id.choices = choices((str(c.id), c.name) for c in carriers)
        return self


class SkuMappingForm(FlaskForm):
    wix_sku = _text("Wix SKU", 64, "Enter the SKU as it appears in Wix.")
    oms_sku = _text("OMS SKU", 64, "Enter the wixoms SKU this Wix SKU stands for.")
    wix_product_id = _text("Wix product id", 64)
    wix_variant_id = _text("Wix variant id", 64)


class MapUnmappedForm(FlaskForm):
    oms_sku = _text("OMS SKU", 64, "Enter the wixoms SKU this Wix SKU stands for.")


class WarehouseMappingForm(FlaskForm):
    warehouse_id = SafeSelectField("OMS warehouse", choices=[])
    wix_location_id = _text("Wix location id", 64)

    def with_warehouses(self, warehouses) -> WarehouseMappingForm:
        self.warehouse_id.choices = choices((str(w.id), f"{w.name} ({w.code})") for w in warehouses)
        return self


class SkuCsvImportForm(FlaskForm):
    file = FileField("CSV file", validators=[FileRequired("Choose a CSV file to import.")])

"""Forms of the catalog pages: products and their variants, warehouses, carriers, stock levels."""

from __future__ import annotations

import re
from decimal import Decimal

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional, Regexp, ValidationError

from wixoms.forms.common import CODE_RE, URL_RE, NumberField, strip

# Wix generates tracking links for these shippingProvider codes; others must send a link.
WIX_PROVIDER_CODES = ("ups", "usps", "fedex", "dhl")
TRACKING_PLACEHOLDER = "{tracking}"
MAX_OPTIONS = 6
SKU_RE = r"^\S*$"


class VariantRow(Form):
    """One row of the variants table (a subform: no CSRF token of its own)."""

    id = HiddenField()
    option_values = StringField("Option values", filters=[strip])
    sku = StringField(
        "SKU",
        filters=[strip],
        validators=[
            Length(max=64, message="A SKU has at most 64 characters."),
            Regexp(SKU_RE, message="A SKU has no spaces."),
        ],
    )
    price = NumberField(
        "Price",
        noun="price",
        example="19.99",
        places=2,
        required=False,
        max_value=Decimal("9999999999.99"),
    )
    weight = NumberField(
        "Weight (kg)",
        noun="weight",
        example="0.5",
        places=3,
        required=False,
        max_value=Decimal("9999999.999"),
    )
    barcode = StringField(
        "Barcode",
        filters=[strip],
        validators=[
            Optional(),
            Length(max=64, message="A barcode has at most 64 characters."),
            Regexp(r"^[0-9A-Za-z-]+$", message="A barcode has only letters, digits and dashes."),
        ],
    )
    remove = BooleanField("Remove")

    def is_blank(self) -> bool:
        """A new row left empty is ignored, so the form can always offer a spare row."""
        return not (
            self.id.data
            or self.sku.data
            or self.option_values.data
            or self.price.data
            or self.weight.data
            or self.barcode.data
        )


class ProductForm(FlaskForm):
    name = StringField(
        "Name",
        filters=[strip],
        validators=[
            DataRequired("Enter the product name."),
            Length(max=80, message="A product name has at most 80 characters (Wix's limit)."),
        ],
    )
    description = TextAreaField(
        "Description",
        filters=[strip],
        validators=[Length(max=4000, message="A description has at most 4000 characters.")],
    )
    option_names = StringField(
        "Options",
        filters=[strip],
        validators=[Length(max=200, message="Options have at most 200 characters in all.")],
    )
    variants = FieldList(FormField(VariantRow), min_entries=1, max_entries=200)

    def parsed_option_names(self) -> list[str]:
        """The option names in order, e.g. ["Size", "Color"]; [] for a product without options."""
        return [n.strip() for n in (self.option_names.data or "").split(",") if n.strip()]

    def rows(self) -> list[VariantRow]:
        """Rows that stand for a variant to keep or create."""
        return [r.form for r in self.variants if not r.form.is_blank() and not r.form.remove.data]

    def validate_option_names(self, field) -> None:
        raw = [n.strip() for n in (field.data or "").split(",")]
        if field.data and any(not n for n in raw):
            raise ValidationError("Separate option names with single commas, like Size, Color.")
        names = [n for n in raw if n]
        if len(names) > MAX_OPTIONS:
            raise ValidationError(f"A product has at most {MAX_OPTIONS} options.")
        if any(len(n) > 50 for n in names):
            raise ValidationError("An option name has at most 50 characters.")
        if len({n.lower() for n in names}) != len(names):
            raise ValidationError("Each option name can appear only once.")

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        if self.option_names.errors:
            return False
        names = self.parsed_option_names()
        rows = self.rows()
        if not rows:
            removed = [r.form for r in self.variants if r.form.remove.data]
            if removed:
                removed[0].remove.errors.append("A product keeps at least one variant.")
            else:
                self.variants[0].form.sku.errors.append("Enter a SKU.")
            return False
        if not names and len(rows) > 1:
            self.option_names.errors.append(
                f"This product has {len(rows)} variants: name the options that tell them "
                "apart, like Size."
            )
            ok = False
        seen_skus: set[str] = set()
        seen_combos: set[tuple[str, ...]] = set()
        for row in rows:
            ok = self._check_row(row, names, seen_skus, seen_combos) and ok
        return ok

    @staticmethod
    def _check_row(row: VariantRow, names: list[str], skus: set, combos: set) -> bool:
        ok = not any(f.errors for f in row)
        if not row.sku.data:
            row.sku.errors.append("Enter a SKU.")
            ok = False
        elif row.sku.data in skus:
            row.sku.errors.append("Two variants cannot share a SKU.")
            ok = False
        else:
            skus.add(row.sku.data)
        if row.price.value is None and not row.price.errors:
            row.price.errors.append("Enter the price, like 19.99.")
            ok = False
        if not names:
            return ok
        values = [v.strip() for v in (row.option_values.data or "").split(",")]
        if len(values) != len(names) or any(not v for v in values):
            row.option_values.errors.append(
                f"Give {len(names)} value{'s' if len(names) > 1 else ''} "
                f"({', '.join(names)}), separated by commas."
            )
            return False
        if any(len(v) > 50 for v in values):
            row.option_values.errors.append("An option value has at most 50 characters.")
            return False
        combo = tuple(v.lower() for v in values)
        if combo in combos:
            row.option_values.errors.append("Another variant already has these values.")
            return False
        combos.add(combo)
        return ok


class WarehouseForm(FlaskForm):
    code = StringField(
        "Code",
        filters=[strip],
        validators=[
            DataRequired("Enter a short code, like MAIN."),
            Length(max=20, message="A code has at most 20 characters."),
            Regexp(CODE_RE, message="A code has only letters, digits, dots, dashes and _."),
        ],
    )
    name = StringField(
        "Name",
        filters=[strip],
        validators=[
            DataRequired("Enter the warehouse name."),
            Length(max=80, message="A name has at most 80 characters."),
        ],
    )
    address = TextAreaField(
        "Address",
        filters=[strip],
        validators=[Length(max=255, message="An address has at most 255 characters.")],
    )


class CarrierForm(FlaskForm):
    name = StringField(
        "Name",
        filters=[strip],
        validators=[
            DataRequired("Enter the carrier name, like UPS."),
            Length(max=80, message="A name has at most 80 characters."),
        ],
    )
    code = StringField(
        "Wix shipping provider code",
        filters=[strip],
        validators=[
            DataRequired("Enter the Wix code, like ups."),
            Length(max=40, message="A code has at most 40 characters."),
            Regexp(CODE_RE, message="A code has only letters, digits, dots, dashes and _."),
        ],
    )
    tracking_url_template = StringField(
        "Tracking URL template",
        filters=[strip],
        validators=[
            Length(max=255, message="A tracking URL template has at most 255 characters."),
        ],
    )

    def validate_tracking_url_template(self, field) -> None:
        template = field.data or ""
        if not template:
            if self.code.data and self.code.data.lower() not in WIX_PROVIDER_CODES:
                raise ValidationError(
                    f"Wix builds tracking links only for {', '.join(WIX_PROVIDER_CODES)}; "
                    f"for other carriers give a template with {TRACKING_PLACEHOLDER}."
                )
            return
        if not re.match(URL_RE, template):
            raise ValidationError("Start the template with https:// or http://.")
        if TRACKING_PLACEHOLDER not in template:
            raise ValidationError(
                f"Put {TRACKING_PLACEHOLDER} where the tracking number goes, like "
                "https://track.example.com/?n={tracking}."
            )


class StockLevelForm(FlaskForm):
    """On hand of one variant in one warehouse (inline edit row); allocated is computed."""

    on_hand = NumberField("On hand", noun="on-hand quantity", example="12")

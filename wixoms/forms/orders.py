"""Forms of the orders pages: adding a shipment, releasing a hold."""

from __future__ import annotations

import re

from flask_wtf import FlaskForm
from wtforms import SelectField, StringField
from wtforms.validators import DataRequired, Length, Regexp, ValidationError

from wixoms.forms.common import URL_RE, strip

TRACKING_RE = r"^[A-Za-z0-9][A-Za-z0-9 ._/-]*$"


def _int_or_none(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


class ShipmentForm(FlaskForm):
    """Carrier, tracking number and link; quantities per line come as `qty-<line id>` inputs."""

    carrier_id = SelectField(
        "Carrier",
        coerce=_int_or_none,
        validators=[DataRequired("Choose the carrier.")],
        validate_choice=False,
    )
    tracking_number = StringField(
        "Tracking number",
        filters=[strip],
        validators=[
            DataRequired("Enter the tracking number."),
            Length(max=80, message="A tracking number has at most 80 characters."),
            Regexp(TRACKING_RE, message="A tracking number has only letters, digits and - . / _"),
        ],
    )
    tracking_url = StringField(
        "Tracking URL",
        filters=[strip],
        validators=[Length(max=500, message="A tracking URL has at most 500 characters.")],
    )

    def validate_carrier_id(self, field) -> None:
        if field.data not in {value for value, _ in self.carrier_id.choices}:
            raise ValidationError("Choose one of your carriers.")

    def validate_tracking_url(self, field) -> None:
        if field.data and not re.match(URL_RE, field.data):
            raise ValidationError("Start the tracking URL with https:// or http://.")


class ConfirmForm(FlaskForm):
    """A bare POST form (CSRF token only) for one-click actions like releasing a hold."""


class MapLineForm(FlaskForm):
    """The OMS SKU a Wix order line without SKU stands for (mapped by its Wix product)."""

    oms_sku = StringField(
        "OMS SKU",
        filters=[strip],
        validators=[
            DataRequired("Enter the OMS SKU this Wix product stands for."),
            Length(max=64, message="A SKU has at most 64 characters."),
        ],
    )

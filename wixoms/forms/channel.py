"""The channel page's one settings form: Main, Advanced and Channel settings, saved together."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from typing import Any

from flask import current_app
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    Field,
    HiddenField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, NumberRange, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from wixoms.channel_settings import SETTINGS_TABS, settings_problems
from wixoms.ids import bounded_int
from wixoms.models import SYNC_KINDS
from wixoms.wix.throughput import PLANS

# Control characters (NUL above all) are refused: PostgreSQL cannot store NUL in text.
CONTROL_CHARS = re.compile(r"[\x00-\x1f\x7f]")


def choices(pairs) -> list[SelectChoice]:
    """(value, label) pairs as WTForms choices."""
    return [SelectChoice(value, label) for value, label in pairs]


def choice_values(field_choices) -> set[str]:
    return {c.value if isinstance(c, SelectChoice) else c[0] for c in field_choices or []}


MODE_CHOICES = [
    ("scheduled", "Scheduled polling"),
    ("webhooks", "Webhooks (real time)"),
    ("manual", "Manual (only when you press Sync)"),
]
IMPORT_CHOICES = [
    ("from_now", "From now on (no older orders)"),
    ("from_date", "From a date"),
    ("last_days", "The last N days"),
]
PAYMENT_CHOICES = [("any", "Any payment status"), ("paid", "Paid orders only")]
STATUS_CHOICES = [
    ("INITIALIZED", "Initialized (not completed)"),
    ("APPROVED", "Approved"),
    ("PENDING", "Pending (awaiting payment)"),
    ("CANCELED", "Canceled"),
    ("REJECTED", "Rejected (payment declined)"),
]
YES_NO = [("no", "No — delivery orders only"), ("yes", "Yes — pickup and delivery orders")]

# What each sync kind does, in the merchant's words (Main settings → Automation).
SYNC_KIND_LABELS = {
    "orders": ("Download orders", "New and changed Wix orders come into wixoms."),
    "inventory": (
        "Push inventory",
        "Stock levels go to Wix. Turn on after reviewing Warehouse and SKU mappings.",
    ),
    "products": (
        "Push products",
        "Products and variants go to Wix. Turn on after reviewing SKU mappings.",
    ),
    "catalog_import": ("Import catalog", "Wix products come into the wixoms catalog."),
    "fulfillments": ("Push fulfillments", "Shipments go to Wix with tracking numbers."),
}
INTERVAL_MIN, INTERVAL_MAX = 5, 10080
INT_MESSAGE = "Enter a whole number."


def no_control_chars(_form: FlaskForm, field: Field) -> None:
    if isinstance(field.data, str) and CONTROL_CHARS.search(field.data):
        raise ValidationError("Remove the invisible control characters from this field.")


def strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


def whole_number(label: str, low: int, high: int, *, optional: bool = False, **kw) -> IntegerField:
    """An integer field with a bounded range and a message naming the range."""
    message = f"Enter a whole number from {low:,} to {high:,}."
    first = Optional() if optional else InputRequired(message)
    return IntegerField(label, validators=[first, NumberRange(low, high, message)], **kw)


class CheckboxListField(SelectMultipleField):
    """A multi-select shown as checkboxes (easier than Ctrl-click, works on phones)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()

    def pre_validate(self, form: FlaskForm) -> None:
        allowed = choice_values(self.choices)
        for value in self.data or []:
            if value not in allowed:
                raise ValidationError(f"{value[:40]!r} is not one of the listed statuses.")


class SafeSelectField(SelectField):
    """A select whose unknown-value error says what to do."""

    def pre_validate(self, form: FlaskForm) -> None:
        if self.data not in choice_values(self.choices):
            raise ValidationError("Choose one of the options in the list.")


class _SettingsFields(FlaskForm):
    is_active = BooleanField("Is Active")
    version = HiddenField()  # the channel's settings_version when the page was shown

    # Main settings
    channel_mode = SafeSelectField("Channel Mode", choices=choices(MODE_CHOICES))
    use_channel_names = BooleanField("Use Channel Names")
    auto_merge_orders = BooleanField("Auto Merge Orders")
    import_type = SafeSelectField("Order Importing Type", choices=choices(IMPORT_CHOICES))
    import_from_date = DateField(
        "Import orders placed from", validators=[Optional()], format="%Y-%m-%d"
    )
    import_last_days = whole_number("Number of days", 1, 365)
    payment_filter = SafeSelectField("Payment status", choices=choices(PAYMENT_CHOICES))
    skip_fulfilled = BooleanField("Skip orders already fulfilled in Wix")

    # Advanced settings
    mask_personal_data_days = whole_number(
        "Mask buyer personal data after (days)", 1, 3650, optional=True
    )
    exclude_pii_from_logs = BooleanField("Keep buyer email and phone out of logs")
    log_retention_days = whole_number("Keep sync logs for (days)", 1, 365)
    request_timeout_s = whole_number("Wix request timeout (seconds)", 5, 120)
    dry_run = BooleanField("Dry-run mode")

    # Channel settings
    api_url = StringField(
        "Api URL",
        filters=[strip],
        validators=[
            InputRequired("Enter the Api URL, normally https://www.wixapis.com."),
            Length(max=255, message="The Api URL has at most 255 characters."),
            no_control_chars,
        ],
    )
    site_id = StringField(
        "Site ID",
        filters=[strip],
        validators=[
            Length(max=64, message="A Site ID has at most 64 characters."),
            no_control_chars,
        ],
    )
    order_statuses = CheckboxListField(
        "Download Orders with the following Order Status", choices=choices(STATUS_CHOICES)
    )
    throughput_plan = SafeSelectField(
        "Throughput", choices=choices((p.key, p.label) for p in PLANS.values())
    )
    process_pickup_orders = SafeSelectField("Process Pickup Orders", choices=choices(YES_NO))
    stock_buffer = whole_number("Stock Buffer", 0, 1_000_000)
    max_stock_level = whole_number("Max Stock Level", 1, 1_000_000, optional=True)


def _add_sync_kind_fields() -> None:
    for kind in SYNC_KINDS:
        label, _help = SYNC_KIND_LABELS[kind]
        setattr(_SettingsFields, f"{kind}_auto", BooleanField(f"{label} automatically"))
        setattr(
            _SettingsFields,
            f"{kind}_interval_min",
            whole_number(f"{label}: every (minutes)", INTERVAL_MIN, INTERVAL_MAX),
        )


_add_sync_kind_fields()


class ChannelSettingsForm(_SettingsFields):
    """Every editable setting of the channel page; validate() checks all tabs together."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for field in self:
            if isinstance(field, IntegerField):
                field.render_kw = {"inputmode": "numeric", **(field.render_kw or {})}

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        self._rename_parse_errors()
        for name, message in settings_problems(self.values(), current_app.config).items():
            if not self[name].errors:
                self[name].errors = [*self[name].errors, message]
                ok = False
        return ok

    def _rename_parse_errors(self) -> None:
        """WTForms says 'Not a valid integer value.'; say what to enter instead."""
        for field in self:
            typed = bool(field.raw_data and str(field.raw_data[0]).strip())
            if not (typed and field.process_errors):
                continue
            if isinstance(field, IntegerField):
                bounds = [v for v in field.validators if isinstance(v, NumberRange)]
                field.errors = [bounds[0].message if bounds else INT_MESSAGE]
            elif isinstance(field, DateField):
                field.errors = ["Enter a date like 2025-01-31."]

    def loaded_version(self) -> int | None:
        """The settings version the page was loaded with (None when the page sent none)."""
        raw = (self.version.data or "").strip()
        return bounded_int(raw)

    def values(self) -> dict[str, Any]:
        """The column values this form stands for (None where a field did not parse)."""
        out: dict[str, Any] = {"is_active": bool(self.is_active.data)}
        for tab_fields in SETTINGS_TABS.values():
            for name in tab_fields:
                out[name] = self[name].data
        out["process_pickup_orders"] = self.process_pickup_orders.data == "yes"
        out["order_statuses"] = list(self.order_statuses.data or [])
        out["api_url"] = self.api_url.data or ""
        out["site_id"] = self.site_id.data or ""
        picked = self.import_from_date.data
        out["import_from_date"] = (
            datetime(picked.year, picked.month, picked.day, tzinfo=UTC)
            if isinstance(picked, date)
            else None
        )
        return out

    def differences(self, saved: ChannelSettingsForm) -> list[tuple[str, str, str]]:
        """(label, saved value, this form's value) of every setting where the two differ."""
        mine, theirs = self.values(), saved.values()
        names = ["is_active", *(n for names in SETTINGS_TABS.values() for n in names)]
        return [
            (self[name].label.text, self._shown(name, theirs[name]), self._shown(name, mine[name]))
            for name in names
            if mine[name] != theirs[name]
        ]

    def _shown(self, name: str, value: Any) -> str:
        """A setting's value as the page shows it (choice labels, on/off, dates)."""
        labels = {c.value: c.label for c in (getattr(self[name], "choices", None) or [])}
        if name == "process_pickup_orders":
            value = "yes" if value else "no"
        if isinstance(value, bool):
            return "on" if value else "off"
        if isinstance(value, list):
            return ", ".join(str(labels.get(v, v)) for v in value) or "none"
        if isinstance(value, datetime):
            return f"{value:%Y-%m-%d}"
        if value is None or value == "":
            return "empty"
        return str(labels.get(value, value))

    @classmethod
    def for_channel(cls, channel) -> ChannelSettingsForm:
        """A form filled from the saved channel (used for GET and after a successful Save)."""
        data = {name: getattr(channel, name) for names in SETTINGS_TABS.values() for name in names}
        data["is_active"] = channel.is_active
        data["version"] = str(channel.settings_version)
        data["process_pickup_orders"] = "yes" if channel.process_pickup_orders else "no"
        data["order_statuses"] = list(channel.order_statuses or [])
        if channel.import_from_date is not None:
            data["import_from_date"] = channel.import_from_date.date()
        return cls(formdata=None, data=data)

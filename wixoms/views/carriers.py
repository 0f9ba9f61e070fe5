"""Carriers: who ships parcels, and the Wix shipping provider code sent with tracking numbers."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for

from wixoms.extensions import db
from wixoms.forms.catalog import TRACKING_PLACEHOLDER, WIX_PROVIDER_CODES, CarrierForm
from wixoms.forms.common import commit_or_field_error, taken
from wixoms.models import Carrier
from wixoms.views.access import admin_required, current_account, get_scoped_or_404

bp = Blueprint("carriers", __name__, url_prefix="/carriers")


@bp.get("/")
def index():
    carriers = db.session.scalars(
        db.select(Carrier).where(Carrier.account_id == current_account().id).order_by(Carrier.name)
    ).all()
    return render_template("carriers/index.html", carriers=carriers, known=WIX_PROVIDER_CODES)


@bp.route("/new", methods=["GET", "POST"])
@admin_required
def create():
    form = CarrierForm()
    if form.validate_on_submit() and _unique(form, None):
        return _save(form, Carrier(account_id=current_account().id), "created")
    return _render(form, None)


@bp.route("/<int:carrier_id>/edit", methods=["GET", "POST"])
@admin_required
def edit(carrier_id: int):
    carrier = get_scoped_or_404(Carrier, carrier_id)
    form = CarrierForm(obj=carrier)
    if form.validate_on_submit() and _unique(form, carrier.id):
        return _save(form, carrier, "saved")
    return _render(form, carrier)


def _render(form: CarrierForm, carrier: Carrier | None):
    status = 422 if form.is_submitted() else 200
    return render_template(
        "carriers/form.html",
        form=form,
        carrier=carrier,
        known=WIX_PROVIDER_CODES,
        placeholder=TRACKING_PLACEHOLDER,
    ), status


def _save(form: CarrierForm, carrier: Carrier, verb: str):
    form.populate_obj(carrier)
    db.session.add(carrier)
    message = f"A carrier named {form.name.data} already exists."
    if not commit_or_field_error(form.name, message):
        return _render(form, None if verb == "created" else carrier)
    flash(f"Carrier {carrier.name} {verb}.", "success")
    return redirect(url_for("carriers.index"))


def _unique(form: CarrierForm, own_id: int | None) -> bool:
    if taken(Carrier, Carrier.name, form.name.data, current_account().id, own_id):
        form.name.errors.append(f"A carrier named {form.name.data} already exists.")
        return False
    return True

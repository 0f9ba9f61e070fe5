"""“Use your own Wix app” (Helm's way): credentials, the URLs to paste, Wix's authorization.

A branch of the onboarding wizard: once Wix sends the browser back, the wizard continues with
the same steps (catalog version, account, name). Logic: wixoms.onboarding.custom_app.
"""

from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_login import current_user

from wixoms import onboarding
from wixoms.forms.wizard import CustomAppForm
from wixoms.onboarding import custom_app
from wixoms.onboarding.sessions import CallbackParams, StepError, WizardFailure
from wixoms.permission_check import check_wizard
from wixoms.views import wizard as wizard_views
from wixoms.webhooks.app_hooks import app_webhook_url

bp = Blueprint("wizard_custom_app", __name__, url_prefix="/wizard/custom-app")
# A failure (wrong state, cancelled, Wix refused) shows as the wizard's own failure page.
bp.register_error_handler(WizardFailure, wizard_views._failure)
bp.context_processor(wizard_views._helpers)


def _page(form: CustomAppForm, *, error: str | None = None, reconnect=None, status: int = 200):
    return render_template(
        "wizard/custom_app.html",
        form=form,
        error=error,
        reconnect=reconnect,
        app_url=custom_app.app_url(),
        redirect_url=custom_app.redirect_uri(),
        webhook_base=app_webhook_url("APP_ID").removesuffix("APP_ID"),
        permissions=custom_app.PERMISSIONS_TO_ADD,
        events=custom_app.EVENTS_TO_SUBSCRIBE,
        can_create=bool(onboarding.admin_accounts(current_user)),
    ), status


def _reconnect_target(channel_id: int | None):
    if channel_id is None:
        return None
    channel = onboarding.reconnect_target(current_user, channel_id)
    if channel is None:
        abort(404)
    return channel


@bp.get("")
def start():
    """The form: App ID, App Secret Key, public key; the URLs and permissions to set in Wix."""
    reconnect = _reconnect_target(request.args.get("reconnect", type=int))
    form = CustomAppForm(formdata=None)
    if reconnect is not None:
        form.app_id.data = reconnect.custom_app_id
        form.reconnect.data = reconnect.id
    return _page(form, reconnect=reconnect)


@bp.post("")
def authorise():
    """Store the credentials (encrypted) on a new wizard and go to Wix's authorization."""
    form = CustomAppForm()
    reconnect = _reconnect_target(form.reconnect.data)
    if not onboarding.admin_accounts(current_user):
        abort(403, description="Only an account admin can add a Wix channel.")
    if not form.validate():
        return _page(form, error="Reload the page and try again.", reconnect=reconnect, status=400)
    try:
        ws = custom_app.start(
            current_user,
            form.app_id.data,
            form.app_secret.data,
            form.public_key.data,
            reconnect=reconnect,
        )
    except StepError as exc:
        return _page(form, error=exc.message, reconnect=reconnect, status=422)
    return redirect(custom_app.authorization_url(ws, custom_app.redirect_uri()), 303)


@bp.get("/app-url")
def app_url():
    """The custom app's App URL: Wix opens it with ?token= when the install starts in Wix."""
    ws = custom_app.pending_session(current_user)
    if ws is None:
        form = CustomAppForm(formdata=None)
        message = (
            "Wix opened wixoms for your app, but no wizard is waiting for it. Enter the app's "
            "credentials below and press “Authorise in Wix”."
        )
        return _page(form, error=message, status=409)
    token = request.args.get("token", "").strip() or None
    return redirect(custom_app.authorization_url(ws, custom_app.redirect_uri(), token=token), 303)


@bp.get("/callback")
def callback():
    """The custom app's Redirect URL; the wizard continues with its usual steps."""
    params = CallbackParams.from_args(request.args)
    ws = custom_app.handle_callback(params, current_user, custom_app.redirect_uri())
    return redirect(url_for("wizard.frame", state=ws.state), 303)


@bp.get("/<state>/permissions")
def permissions(state: str):
    """The permissions check right after connecting (loaded into the Catalog version step)."""
    ws = onboarding.find_session(state, current_user)
    if not ws.instance_id or ws.error:
        abort(404)
    report = check_wizard(ws)
    return render_template(
        "_permissions_check.html",
        report=report,
        recheck_url=url_for("wizard_custom_app.permissions", state=ws.state),
        webhook_url=app_webhook_url(ws.custom_app_id) if ws.custom_app_id else "",
        events=custom_app.EVENTS_TO_SUBSCRIBE,
    )

"""Where Wix sends the browser: the Redirect URL / postInstallationUrl and the App URL.

A GET from Wix creates nothing: a link may come from someone else (with their site), so a
wizard that wixoms did not start begins only when the merchant posts the confirmation here,
and then waits for the site and the account to be confirmed (the "trust" view).
"""

from __future__ import annotations

from flask import abort, redirect, render_template, request, url_for
from flask_login import current_user

from wixoms import onboarding
from wixoms.connection import wix_app
from wixoms.forms.wizard import StepForm
from wixoms.views.wizard import _callback_url, bp
from wixoms.wix import AuthFlow

# The callback parameters a confirmation form carries over (CallbackParams.from_args names).
CALLBACK_FIELDS = ("appId", "tenantId", "instanceId", "instance")


def _ask(action: str, fields: dict[str, str], *, to_wix: bool):
    return render_template(
        "wizard/from_wix.html",
        action=action,
        fields=fields,
        to_wix=to_wix,
        form=StepForm(formdata=None),
        can_create=bool(onboarding.admin_accounts(current_user)),
    )


def _require_admin() -> None:
    if not onboarding.admin_accounts(current_user):
        abort(403, description="Only an account admin can add a Wix channel.")


@bp.get("/app-url")
def app_url():
    """Wix's App URL (legacy flow): Wix sends ?token=...; ask before going to the installer."""
    token = request.args.get("token", "").strip()[:500]
    return _ask(url_for("wizard.app_url_continue"), {"token": token}, to_wix=True)


@bp.post("/app-url")
def app_url_continue():
    _require_admin()
    token = (request.form.get("token") or "").strip()[:500]
    ws = onboarding.new_session(current_user, origin="wix")
    return redirect(onboarding.installer_url(ws, _callback_url(), token=token or None), 303)


@bp.get("/callback")
def callback():
    """Both flows land here. With this wizard's state the outcome is stored on it, then shown
    (reload-safe); a signed instance without a state (App Market) is only asked about."""
    params = onboarding.CallbackParams.from_args(request.args)
    from_market = not (params.state or params.error) and params.signed_instance
    if from_market and wix_app().auth_flow is AuthFlow.OAUTH:
        fields = {k: request.args.get(k, "")[:2000] for k in CALLBACK_FIELDS}
        return _ask(url_for("wizard.callback_confirmed"), fields, to_wix=False)
    ws = onboarding.handle_callback(params, current_user)
    return redirect(url_for("wizard.frame", state=ws.state), 303)


@bp.post("/callback")
def callback_confirmed():
    """The merchant asked to go on with a link from Wix that carried no state."""
    _require_admin()
    params = onboarding.CallbackParams.from_args(request.form)
    if params.state or not params.signed_instance:
        abort(400, description="That confirmation is not from a link of Wix. Start again.")
    ws = onboarding.handle_callback(params, current_user)
    return redirect(url_for("wizard.frame", state=ws.state), 303)

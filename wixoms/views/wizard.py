"""The onboarding wizard: connect Wix, check the catalog version, pick the account, name it.

Every step is a partial (wizard/_frame.html) swapped into the wizard frame by htmx; the same
URLs serve full pages, so reload, back and a second tab all work. Logic: wixoms.onboarding.
"""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.routing import BuildError

from wixoms import onboarding
from wixoms.extensions import db, htmx
from wixoms.forms.wizard import AccountForm, ConnectForm, NameForm, StepForm
from wixoms.ids import bounded_int
from wixoms.models import Account, WizardSession
from wixoms.onboarding import StepError, WizardFailure

bp = Blueprint("wizard", __name__, url_prefix="/wizard")


def channel_url(channel_id: int) -> str:
    """The channel page (the channels list until that page exists)."""
    try:
        return url_for("channels.show", channel_id=channel_id)
    except BuildError:
        return url_for("channels.index")


@bp.context_processor
def _helpers() -> dict:
    return {"channel_url": channel_url, "step_labels": onboarding.STEP_LABELS}


def _callback_url() -> str:
    public = (current_app.config.get("PUBLIC_URL") or "").rstrip("/")
    if public:
        return public + url_for("wizard.callback")
    return url_for("wizard.callback", _external=True)


def _status(code: int) -> int:
    # htmx swaps 2xx, 409 and 422 only (base.html); other failures still need to show.
    if htmx and code >= 400 and code not in (409, 422):
        return 200
    return code


def _render(
    ws: WizardSession | None,
    *,
    view: str | None = None,
    failure: WizardFailure | None = None,
    error: str | None = None,
    status: int = 200,
    **forms,
):
    """The frame (full page) or just its content (htmx), showing one step or one failure."""
    steps = onboarding.steps_of(ws)
    view = view or (ws.step if ws else "connect")
    if failure is None and ws is not None and ws.instance_id and onboarding.needs_confirmation(ws):
        view = "trust"  # a wizard that a link began shows nothing else until confirmed
    context = {
        "ws": ws,
        "steps": steps,
        "view": view,
        "failure": failure,
        "error": error,
        "reconnect": forms.pop("reconnect", None),
        "conflict": forms.pop("conflict", None),
        # Only their CSRF tokens are used; never parse the request (it may be too large).
        "step_form": StepForm(formdata=None),
        "connect_form": ConnectForm(formdata=None),
        **forms,
    }
    if failure is None and ws is not None:
        context.update(_step_data(ws, view, error, forms))
    else:
        context.setdefault("can_create", bool(onboarding.admin_accounts(current_user)))
    template = "wizard/_frame.html" if htmx and not htmx.boosted else "wizard/frame.html"
    return render_template(template, **context), _status(status)


def _step_data(ws: WizardSession, view: str, error: str | None, forms: dict) -> dict:
    data: dict = {"can_create": True}
    if view == "version":
        data["version"] = ws.catalog_version or None
        if not ws.catalog_version and error is None:
            try:
                data["version"] = onboarding.check_catalog_version(ws).value
            except StepError as exc:
                data["error"] = exc.message
    elif view in ("account", "trust"):
        data["choices"] = onboarding.account_choices(current_user)
        forms.setdefault("account_form", AccountForm())
    elif view == "name":
        form = forms.get("name_form") or NameForm()
        if form.name.data is None and not form.errors:
            form.name.data = ws.site_name or ""
        data["name_form"] = form
        data["account"] = db.session.get(Account, ws.account_id)
    elif view == "confirm":
        data["channel"] = onboarding.completed_channel(ws)
    return data


def _redirect(url: str):
    """A full-page redirect for plain forms and for htmx (HX-Redirect)."""
    if htmx:
        return "", 200, {"HX-Redirect": url}
    return redirect(url, 303)


def _show(ws: WizardSession, step: str, **kw):
    """After a successful POST: the next step (htmx swaps it in and updates the address)."""
    url = url_for("wizard.frame", state=ws.state, step=step)
    if not htmx:
        return redirect(url, 303)
    body, status = _render(ws, view=step, **kw)
    return body, status, {"HX-Push-Url": url}


def _load(state: str) -> WizardSession:
    return onboarding.find_session(state, current_user)


@bp.errorhandler(WizardFailure)
def _failure(failure: WizardFailure):
    return _render(None, failure=failure, status=failure.status)


@bp.errorhandler(RequestEntityTooLarge)
def _too_large(_exc):
    state = (request.view_args or {}).get("state")
    if not state:
        abort(413)
    ws = _load(state)
    return _render(
        ws,
        view="name",
        name_form=NameForm(formdata=None),
        error="The upload is too large. Choose a logo under "
        f"{current_app.config['LOGO_MAX_BYTES'] // 1024} KB.",
        status=422,
    )


@bp.get("/")
def start():
    """The start page, or the user's unfinished wizard; ?reconnect=<id> renews a channel."""
    raw_reconnect = request.args.get("reconnect")
    if raw_reconnect is not None:
        reconnect_id = bounded_int(raw_reconnect) or 0
        channel = onboarding.reconnect_target(current_user, reconnect_id)
        if channel is None:
            abort(404)
        return _render(None, reconnect=channel)
    ws = onboarding.live_session_for(current_user)
    if ws is not None:
        return redirect(url_for("wizard.frame", state=ws.state))
    return _render(None)


@bp.post("/connect")
def connect():
    """Start a wizard and send the browser to the Wix installer."""
    form = ConnectForm()
    channel = None
    if form.reconnect.data is not None:
        channel = onboarding.reconnect_target(current_user, form.reconnect.data)
        if channel is None:
            abort(404)
    if not onboarding.admin_accounts(current_user):
        abort(403, description="Only an account admin can add a Wix channel.")
    ws = onboarding.new_session(current_user, reconnect=channel)
    return redirect(onboarding.installer_url(ws, _callback_url()), 303)


@bp.get("/<state>")
def frame(state: str):
    """The wizard frame at its current step (or ?step=<an earlier one>)."""
    ws = _load(state)
    return _view(ws)


@bp.get("/<state>/step")
def step(state: str):
    """The current step as a partial (htmx)."""
    return _view(_load(state))


def _view(ws: WizardSession):
    if ws.completed_at is not None:
        channel = onboarding.completed_channel(ws)
        return redirect(channel_url(channel.id) if channel else url_for("wizard.start"))
    failure = onboarding.failure_of(ws)
    if failure is not None:
        return _render(ws, failure=failure, status=failure.status)
    wanted = request.args.get("step", "")
    view = wanted if onboarding.reached(ws, wanted) else ws.step
    return _render(ws, view=view)


@bp.post("/<state>/<action>")
def submit(state: str, action: str):
    """A step's form: connect, retry, version, account, name, confirm or restart."""
    ws = _load(state)
    posted = bounded_int(request.form.get("revision"))
    stale = posted is not None and (posted != ws.revision or ws.completed_at is not None)
    if stale and action in ACTIONS:
        return _changed_elsewhere(ws, action)
    if ws.completed_at is not None:
        channel = onboarding.completed_channel(ws)
        return _redirect(channel_url(channel.id) if channel else url_for("wizard.start"))
    handler = ACTIONS.get(action)
    if handler is None:
        abort(404)
    if onboarding.needs_confirmation(ws) and ws.instance_id and action not in UNCONFIRMED:
        return _show(ws, ws.step)  # the site and account are confirmed first
    try:
        return handler(ws)
    except WizardFailure as failure:
        db.session.rollback()
        ws = _load(state)
        onboarding.record_failure(ws, failure, commit=True)
        return _render(ws, failure=failure, status=failure.status)
    except StepError as exc:
        db.session.rollback()
        ws = _load(state)
        view = exc.step if exc.step and onboarding.reached(ws, exc.step) else ws.step
        return _render(ws, view=view, error=exc.message, status=exc.status, **_kept_forms())


def _changed_elsewhere(ws: WizardSession, action: str):
    """A step sent from a tab that had not seen another tab's step: refused, 409, with what
    was typed kept on the page (sending it again uses it; Reload shows the other tab's)."""
    if ws.completed_at is not None:
        channel = onboarding.completed_channel(ws)
        typed = (request.form.get("name") or "").strip()
        if channel is not None and typed == channel.name:  # the same Save twice
            return _redirect(channel_url(channel.id))
        conflict = {"finished": True, "channel": channel, "typed": typed}
        return _render(ws, view=ws.step, conflict=conflict, status=409)
    view = action if onboarding.reached(ws, action) else ws.step
    forms = _kept_forms()
    if action == "account" and view == "account":
        forms["account_form"] = AccountForm()
    conflict = {"finished": False, "step": onboarding.STEP_LABELS.get(ws.step, ws.step)}
    return _render(ws, view=view, conflict=conflict, status=409, **forms)


def _kept_forms() -> dict:
    """Re-show what the merchant typed next to the error."""
    if "name" in request.form:
        return {"name_form": NameForm()}
    return {}


def _connect_again(ws: WizardSession):
    if ws.step != "connect" or ws.instance_id or ws.error:
        return _show(ws, ws.step)
    return redirect(onboarding.installer_url(ws, _callback_url()), 303)


def _retry(ws: WizardSession):
    onboarding.retry_binding(ws)
    return _show(ws, ws.step)


def _restart(ws: WizardSession):
    reconnect = ws.channel_id if onboarding.is_reconnect(ws) else None
    onboarding.abandon(ws)
    return _redirect(url_for("wizard.start", reconnect=reconnect))


def _version(ws: WizardSession):
    if not onboarding.reached(ws, "version") or onboarding.failure_of(ws):
        return _show(ws, ws.step)
    if request.form.get("action") == "check":
        onboarding.check_catalog_version(ws, refresh=True)
        return _show(ws, "version")
    onboarding.confirm_version(ws)
    return _show(ws, ws.step)


def _trust(ws: WizardSession):
    if not (onboarding.needs_confirmation(ws) and ws.instance_id):
        return _show(ws, ws.step)
    onboarding.confirm_binding(ws, current_user, bounded_int(request.form.get("account_id")))
    return _show(ws, ws.step)


def _account(ws: WizardSession):
    if not onboarding.reached(ws, "account"):
        return _show(ws, ws.step)
    form = AccountForm()
    onboarding.choose_account(ws, current_user, form.account_id.data)
    return _show(ws, "name")


def _name(ws: WizardSession):
    if not onboarding.reached(ws, "name"):
        return _show(ws, ws.step)
    form = NameForm()
    name = onboarding.clean_name(form.name.data)
    upload = form.logo.data
    logo, mime = onboarding.check_logo(upload.read() if upload else None)
    channel = onboarding.create_channel(ws, name, logo, mime)
    return _done(
        channel,
        f"Channel “{channel.name}” is connected to Wix. Review its settings, "
        "then switch it on with Is Active.",
    )


def _confirm(ws: WizardSession):
    if not onboarding.reached(ws, "confirm"):
        return _show(ws, ws.step)
    channel = onboarding.reconnect_channel(ws)
    return _done(channel, f"Channel “{channel.name}” is reconnected to Wix.")


def _done(channel, message: str):
    session["account_id"] = channel.account_id  # the channel page shows the current account's
    flash(message, "success")
    return _redirect(channel_url(channel.id))


# What a wizard that a link began allows before its confirmation.
UNCONFIRMED = ("trust", "restart", "retry")
ACTIONS = {
    "trust": _trust,
    "connect": _connect_again,
    "retry": _retry,
    "restart": _restart,
    "version": _version,
    "account": _account,
    "name": _name,
    "confirm": _confirm,
}


from wixoms.views import wizard_entry  # noqa: E402,F401  (registers the routes Wix links to)

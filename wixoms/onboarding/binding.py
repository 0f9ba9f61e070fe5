"""The Wix callback of both auth flows: state check, binding proof, tokens, site details.

An instance id in a URL proves nothing (wix-api.md §1c): the legacy flow proves the binding by
exchanging the one-time code and asking Wix which instance the new token belongs to; the OAuth
flow by Wix's signed ``instance`` parameter.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import delete, or_
from sqlalchemy.exc import IntegrityError

from wixoms.connection import wix_app
from wixoms.extensions import db
from wixoms.models import Channel, Membership, UsedSignedInstance, User, WizardSession
from wixoms.models._base import utcnow
from wixoms.onboarding.sessions import (
    CallbackParams,
    StepError,
    WizardFailure,
    aware,
    failure_of,
    find_session,
    new_session,
    touch,
)
from wixoms.wix import (
    AuthFlow,
    Credentials,
    InvalidSignedInstance,
    ReconnectRequired,
    RetryPolicy,
    WixApp,
    WixClient,
    WixError,
    WixRateLimited,
    WixServerError,
    WixUnavailable,
    client_credentials_token,
    exchange_code,
    verify_signed_instance,
)
from wixoms.wix.transport import Transport

# A merchant waits on these calls: fail fast and offer a retry button instead of backing off.
WIZARD_RETRY = RetryPolicy(max_attempts=2, backoff_base=0.2, backoff_max=1.0)
WIZARD_TIMEOUT_S = 10.0  # read timeout; app config WIZARD_WIX_TIMEOUT_S overrides it
TRANSIENT = (WixServerError, WixUnavailable, WixRateLimited)
# verify_signed_instance's age (10 min) and its clock skew (2 min): a used one is kept as long.
SIGNED_AGE = timedelta(minutes=12)


def handle_callback(params: CallbackParams, user: User) -> WizardSession:
    """Wix sent the browser back: check state, prove the binding, read the site, store tokens.

    Raises WizardFailure when there is no wizard to attach the outcome to; otherwise the
    outcome (failure or next step) is stored on the returned wizard session.
    """
    app = wix_app()
    if params.state:
        ws = find_session(params.state, user)
        if ws.completed_at is not None or ws.instance_id or ws.error:
            raise WizardFailure("state_used", {"state": ws.state})
    elif params.error:
        raise WizardFailure("cancelled")
    elif params.signed_instance and app.auth_flow is AuthFlow.OAUTH:
        # From the App Market: no wizard was started here, so it waits for a confirmation.
        ws = new_session(user, origin="wix")
    else:
        raise WizardFailure("state_mismatch")
    try:
        if params.error:
            raise WizardFailure("cancelled")
        if app.auth_flow is AuthFlow.LEGACY:
            _bind_legacy(ws, app, params)
        else:
            _bind_oauth(ws, app, params)
        finish_binding(ws, tenant_id=params.tenant_id)
    except WizardFailure as failure:
        record_failure(ws, failure)
    db.session.commit()
    return ws


def record_failure(ws: WizardSession, failure: WizardFailure, *, commit: bool = False) -> None:
    """Show ``failure`` on this wizard from now on; forget tokens unless a retry needs them."""
    ws.error = failure.dump()
    if failure.code != "wix_unavailable":  # keep what a retry needs, nothing else
        ws.instance_id = ws.site_id = ""
        ws.access_token = ws.refresh_token = None
    if commit:
        db.session.commit()


def _wix_failure(exc: WixError) -> WizardFailure:
    if isinstance(exc, TRANSIENT):
        return WizardFailure("wix_unavailable", {"message": exc.user_message})
    return WizardFailure("wix_error", {"message": exc.user_message})


def wizard_timeout() -> tuple[float, float]:
    read = float(current_app.config.get("WIZARD_WIX_TIMEOUT_S", WIZARD_TIMEOUT_S))
    return (min(5.0, read), read)


def _transport(app: WixApp) -> Transport:
    return Transport(app.api_base, timeout=wizard_timeout(), retry=WIZARD_RETRY)


def _bind_legacy(ws: WizardSession, app: WixApp, params: CallbackParams) -> None:
    """Legacy flow: the one-time code is the proof; exchange it for tokens."""
    if not params.code or not params.instance_id:
        raise WizardFailure("unverified", {"reason": "Wix's answer had no authorization code."})
    transport = _transport(app)
    try:
        creds = exchange_code(app, params.code, transport=transport)
    except ReconnectRequired:
        raise WizardFailure("code_invalid") from None
    except WixError as exc:
        raise _wix_failure(exc) from None
    finally:
        transport.close()
    # Still a claim: finish_binding checks that Wix reports this instance for these tokens.
    ws.instance_id = params.instance_id
    _store_credentials(ws, creds)


def _bind_oauth(ws: WizardSession, app: WixApp, params: CallbackParams) -> None:
    """OAuth flow. Wix's external install flow appends appId, tenantId (the site id) and
    instanceId, with no signed instance (wix-api.md §10). The proof is then this wizard's
    state (checked by the caller), a token Wix issues for that instanceId, and
    /apps/v1/instance reporting tenantId as the site (finish_binding). A signed instance,
    when Wix adds one (App Market / dashboard), must verify and name the same instance."""
    if params.app_id and params.app_id != app.app_id:
        raise WizardFailure("unverified", {"reason": "The answer was for another Wix app."})
    if not params.signed_instance:
        if not (params.state and params.instance_id and params.tenant_id):
            raise WizardFailure(
                "unverified", {"reason": "Wix's answer named no site and instance to connect."}
            )
        _refuse_instance_of_another_wizard(ws, params.instance_id)
        ws.instance_id = params.instance_id
        ws.site_id = params.tenant_id  # a claim until Wix confirms it in finish_binding
        return
    try:
        signed = verify_signed_instance(app, params.signed_instance)
    except InvalidSignedInstance:
        raise WizardFailure(
            "unverified", {"reason": "Wix's signature on the answer was missing or invalid."}
        ) from None
    if params.instance_id and params.instance_id != signed.instance_id:
        raise WizardFailure(
            "unverified", {"reason": "The site in the link is not the one Wix signed."}
        )
    _accept_once(params.signed_instance, signed.sign_date)
    ws.instance_id = signed.instance_id


def _accept_once(signed_instance: str, sign_date: datetime) -> None:
    """A signed instance works once: a copy (a forwarded link, a replay) is refused. Used
    ones are remembered for their age only: older ones fail the signature's age check."""
    now = utcnow()
    db.session.execute(delete(UsedSignedInstance).where(UsedSignedInstance.expires_at < now))
    digest = hashlib.sha256(signed_instance.encode()).hexdigest()
    try:
        with db.session.begin_nested():
            db.session.add(UsedSignedInstance(digest=digest, expires_at=sign_date + SIGNED_AGE))
    except IntegrityError:
        raise WizardFailure("instance_used") from None


def _refuse_instance_of_another_wizard(ws: WizardSession, instance_id: str) -> None:
    """Without Wix's signature the instance id is a claim: one that another user's wizard
    already proved (their install) is not theirs to take by typing its ids into a link."""
    taken = db.session.scalar(
        db.select(WizardSession.id)
        .where(WizardSession.instance_id == instance_id, WizardSession.user_id != ws.user_id)
        .limit(1)
    )
    if taken is not None:
        raise WizardFailure(
            "unverified", {"reason": "Wix's answer named a site that is not the one you chose."}
        )


def _store_credentials(ws: WizardSession, creds: Credentials) -> None:
    ws.access_token = creds.access_token
    ws.refresh_token = creds.refresh_token
    ws.token_expires_at = creds.expires_at


def _session_app(ws: WizardSession) -> WixApp:
    from wixoms.onboarding.custom_app import session_app  # the merchant's own app, if any

    custom = session_app(ws)
    if custom is not None:
        return custom
    app = wix_app()
    return WixApp(
        app_id=app.app_id,
        app_secret=app.app_secret,
        auth_flow=AuthFlow(ws.auth_flow),
        api_base=app.api_base,
        www_base=app.www_base,
        public_key_pem=app.public_key_pem,
    )


def session_client(ws: WizardSession) -> WixClient:
    """A Wix client for the wizard's (proven) instance; renewed tokens land on the session."""
    creds = (
        Credentials(ws.access_token, ws.refresh_token, aware(ws.token_expires_at))
        if ws.access_token
        else None
    )
    return WixClient(
        _session_app(ws),
        instance_id=ws.instance_id,
        credentials=creds,
        timeout=wizard_timeout(),
        retry=WIZARD_RETRY,
        on_credentials=lambda new: _store_credentials(ws, new),
    )


def finish_binding(ws: WizardSession, *, tenant_id: str = "") -> None:
    """Get a token if needed, read the instance from Wix and check it is the claimed one."""
    app = _session_app(ws)
    try:
        if not ws.access_token:
            transport = _transport(app)
            try:
                _store_credentials(
                    ws, client_credentials_token(app, ws.instance_id, transport=transport)
                )
            finally:
                transport.close()
        issued = ws.access_token
        with session_client(ws) as client:
            instance = client.app_instance()
            used = client.credentials.access_token if client.credentials else None
    except WixError as exc:
        raise _wix_failure(exc) from None
    claimed_site = tenant_id or ws.site_id  # tenantId of the external install flow
    forged = instance.instance_id != ws.instance_id or (
        claimed_site and claimed_site != instance.site_id
    )
    # A legacy token renewed mid-check would no longer prove what the code exchange proved.
    if forged or (app.auth_flow is AuthFlow.LEGACY and used != issued):
        raise WizardFailure(
            "unverified", {"reason": "Wix reports a different site than the one in the link."}
        )
    ws.site_id = instance.site_id or ""
    ws.site_url = instance.site_url or ""
    ws.site_name = instance.site_display_name or ""
    ws.api_url = current_app.config["WIX_API_BASE"]
    _check_site_free(ws)
    ws.error = None
    ws.step = "version"
    touch(ws)


def site_filter(ws: WizardSession):
    clauses = [Channel.instance_id == ws.instance_id]
    if ws.site_id:
        clauses.append(Channel.site_id == ws.site_id)
    return or_(*clauses)


def _check_site_free(ws: WizardSession) -> None:
    """One Wix site belongs to one account; a reconnect must stay on its own site."""
    stmt = db.select(Channel).where(site_filter(ws))
    if ws.channel_id:
        stmt = stmt.where(Channel.id != ws.channel_id)
    owner = db.session.scalar(stmt.limit(1))
    if owner is not None:
        raise WizardFailure("site_taken", owner_detail(ws, owner))
    if ws.channel_id:
        target = db.session.get(Channel, ws.channel_id)
        if target is not None and target.site_id and target.site_id != ws.site_id:
            raise WizardFailure(
                "wrong_site",
                {
                    "site": ws.site_name or ws.site_url,
                    "expected": target.site_name or target.site_url,
                },
            )


def owner_detail(ws: WizardSession, owner: Channel) -> dict[str, Any]:
    """What the site_taken page may say: the owner's names only to a member of that account."""
    member = db.session.scalar(
        db.select(Membership).where(
            Membership.user_id == ws.user_id, Membership.account_id == owner.account_id
        )
    )
    detail: dict[str, Any] = {"site": ws.site_name or ws.site_url or ws.site_id}
    if member:
        detail.update(account=owner.account.name, channel=owner.name, channel_id=owner.id)
    return detail


def retry_binding(ws: WizardSession) -> None:
    """The retry button after Wix was unavailable: finish what the callback started."""
    failure = failure_of(ws)
    if failure is None or failure.code != "wix_unavailable" or not ws.instance_id:
        raise StepError("There is nothing to retry here. Connect again.")
    try:
        finish_binding(ws)
    except WizardFailure as again:
        record_failure(ws, again)
    db.session.commit()

"""The onboarding wizard's logic; views stay thin and call these functions.

A failure the merchant must see as its own page state is a ``WizardFailure``; a problem on one
step (a field, a race lost to another tab) is a ``StepError``.
"""

from wixoms.onboarding.binding import (
    finish_binding,
    handle_callback,
    record_failure,
    retry_binding,
)
from wixoms.onboarding.sessions import (
    STEP_LABELS,
    CallbackParams,
    StepError,
    WizardFailure,
    abandon,
    admin_accounts,
    failure_of,
    find_session,
    installer_url,
    is_reconnect,
    live_session_for,
    needs_confirmation,
    new_session,
    reached,
    reconnect_target,
    steps_of,
)
from wixoms.onboarding.steps import (
    AccountChoice,
    account_choices,
    check_catalog_version,
    check_logo,
    choose_account,
    clean_name,
    completed_channel,
    confirm_binding,
    confirm_version,
    create_channel,
    reconnect_channel,
)

__all__ = [
    "STEP_LABELS",
    "AccountChoice",
    "CallbackParams",
    "StepError",
    "WizardFailure",
    "abandon",
    "account_choices",
    "admin_accounts",
    "check_catalog_version",
    "check_logo",
    "choose_account",
    "clean_name",
    "completed_channel",
    "confirm_binding",
    "confirm_version",
    "create_channel",
    "failure_of",
    "find_session",
    "finish_binding",
    "handle_callback",
    "installer_url",
    "is_reconnect",
    "live_session_for",
    "needs_confirmation",
    "new_session",
    "reached",
    "reconnect_channel",
    "reconnect_target",
    "record_failure",
    "retry_binding",
    "steps_of",
]

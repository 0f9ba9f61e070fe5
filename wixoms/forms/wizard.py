"""Forms of the onboarding wizard (the logic that checks them lives in wixoms.onboarding)."""

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import HiddenField, IntegerField, PasswordField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from wixoms.onboarding.steps import NAME_MAX


class ConnectForm(FlaskForm):
    """Start (or restart) a trip to the Wix installer; ``reconnect`` names a channel to renew."""

    reconnect = IntegerField(validators=[Optional()])


class StepForm(FlaskForm):
    """A button-only step (version, confirm, retry, start over): CSRF and an action."""

    action = HiddenField()


class AccountForm(FlaskForm):
    account_id = IntegerField("Sales Channel Account", validators=[Optional()])


class NameForm(FlaskForm):
    name = StringField(
        "Channel name",
        validators=[
            DataRequired("Enter a name for the channel."),
            Length(max=NAME_MAX, message=f"Use at most {NAME_MAX} characters."),
        ],
        filters=[lambda v: " ".join(v.split()) if isinstance(v, str) else v],
    )
    logo = FileField("Logo (optional)")


class CustomAppForm(FlaskForm):
    """“Use your own Wix app”: what the app's OAuth and Webhooks pages in Wix show."""

    app_id = StringField("App ID")
    app_secret = PasswordField("App Secret Key")
    public_key = TextAreaField("Public key")
    reconnect = IntegerField(validators=[Optional()])

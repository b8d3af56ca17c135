"""The /manage page's forms (each carries its CSRF token; validation happens in services)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import PasswordField, SelectField, SelectMultipleField, StringField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length

from tradedeck.tradingview.durations import DURATIONS, LABELS

DURATION_CHOICES = [SelectChoice(key, LABELS[key]) for key in DURATIONS]


class CookiesForm(FlaskForm):
    sessionid = StringField("sessionid", validators=[Length(max=128)])
    sessionid_sign = StringField("sessionid_sign", validators=[Length(max=256)])
    submit = SubmitField("Save cookies")


class SignInForm(FlaskForm):
    username = StringField("TradingView username or e-mail", validators=[Length(max=254)])
    password = PasswordField("Password", validators=[Length(max=256)])
    submit = SubmitField("Sign in")


class CodeForm(FlaskForm):
    code = StringField("Authenticator code", validators=[Length(max=6)])
    submit = SubmitField("Confirm")


class ScriptForm(FlaskForm):
    pine_id = StringField("Pine script id", validators=[Length(max=80)])
    name = StringField("Name", validators=[Length(max=120)])
    description = StringField("Description", validators=[Length(max=500)])
    submit = SubmitField("Register script")


class LinkForm(FlaskForm):
    user_id = SelectField("TradeDeck user", coerce=int, validate_choice=False)
    username = StringField("TradingView username", validators=[Length(max=64)])
    submit = SubmitField("Link")


class GrantForm(FlaskForm):
    user_id = SelectField("User", coerce=int, validate_choice=False)
    script_id = SelectField("Script", coerce=int, validate_choice=False)
    duration = SelectField("Duration", choices=DURATION_CHOICES, validate_choice=False)
    submit = SubmitField("Grant")


class ExtendForm(FlaskForm):
    duration = SelectField("Extend by", choices=DURATION_CHOICES, validate_choice=False)
    submit = SubmitField("Extend")


class BulkForm(FlaskForm):
    action = SelectField(
        "Action",
        choices=[SelectChoice("grant", "Grant / extend"), SelectChoice("remove", "Remove")],
        validate_choice=False,
    )
    user_ids = SelectMultipleField("Users", coerce=int, validate_choice=False)
    script_ids = SelectMultipleField("Scripts", coerce=int, validate_choice=False)
    duration = SelectField("Duration", choices=DURATION_CHOICES, validate_choice=False)
    submit = SubmitField("Queue job")


class ActionForm(FlaskForm):
    """A button that only needs the CSRF token (remove, turn off, check, clear)."""

    submit = SubmitField("Confirm")


class OwnLinkForm(FlaskForm):
    """A user links their own TradingView username."""

    username = StringField("TradingView username", validators=[Length(max=64)])
    submit = SubmitField("Link")

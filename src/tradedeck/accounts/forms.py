"""WTForms for the account pages (CSRF-protected by Flask-WTF)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField, StringField, SubmitField
from wtforms.validators import DataRequired, EqualTo, Length, Optional


class LoginForm(FlaskForm):
    identifier = StringField("Username or email", validators=[DataRequired(), Length(max=254)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=256)])
    remember = BooleanField("Remember me")
    submit = SubmitField("Log in")


class RegisterForm(FlaskForm):
    username = StringField("Username", validators=[DataRequired(), Length(max=32)])
    email = StringField("Email", validators=[DataRequired(), Length(max=254)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=256)])
    confirm = PasswordField(
        "Confirm password",
        validators=[DataRequired(), EqualTo("password", message="Passwords do not match.")],
    )
    access_key = StringField("Access key", validators=[Optional(), Length(max=64)])
    submit = SubmitField("Create account")


class ApiKeyForm(FlaskForm):
    name = StringField("Key name", validators=[DataRequired(), Length(min=1, max=64)])
    submit = SubmitField("Create key")


class RevokeForm(FlaskForm):
    submit = SubmitField("Revoke")


class PasswordChangeForm(FlaskForm):
    current_password = PasswordField(
        "Current (or temporary) password", validators=[DataRequired(), Length(max=256)]
    )
    password = PasswordField("New password", validators=[DataRequired(), Length(max=256)])
    confirm = PasswordField(
        "Confirm new password",
        validators=[DataRequired(), EqualTo("password", message="Passwords do not match.")],
    )
    submit = SubmitField("Change password")


class PasswordResetForm(FlaskForm):
    """The one-time reset link's form: no current password, the link stands for it."""

    password = PasswordField("New password", validators=[DataRequired(), Length(max=256)])
    confirm = PasswordField(
        "Confirm new password",
        validators=[DataRequired(), EqualTo("password", message="Passwords do not match.")],
    )
    submit = SubmitField("Set password")

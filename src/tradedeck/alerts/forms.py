"""WTForms of the alerts pages: CSRF and basic shape; the services check the rules."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import DecimalField, IntegerField, SelectField, StringField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from tradedeck.alerts.models import URL_MAX

KINDS = [
    SelectChoice("pattern", "New pattern on a watchlist"),
    SelectChoice("price_cross", "Price crosses a level"),
    SelectChoice("line_cross", "Price crosses a drawn line"),
    SelectChoice("signal_score", "Signal score at least"),
    SelectChoice("order_filled", "Order filled"),
    SelectChoice("cash_below", "Cash below"),
]


class RuleForm(FlaskForm):
    kind = SelectField("When", choices=KINDS, default="pattern")
    name = StringField("Name", validators=[DataRequired(), Length(max=60)])
    symbol = StringField("Symbol", validators=[Optional(), Length(max=60)])
    level = DecimalField("Level", validators=[Optional(), NumberRange(min=0)], places=None)
    drawing_id = SelectField("Drawn line", coerce=int, validate_choice=False, default=0)
    watchlist_id = SelectField("Watchlist", coerce=int, validate_choice=False, default=0)
    threshold = DecimalField("Threshold", validators=[Optional(), NumberRange(min=0)], places=None)
    submit = SubmitField("Add alert")


class ChannelForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=60)])
    url = StringField("Apprise URL", validators=[DataRequired(), Length(max=URL_MAX)])
    quiet_start = StringField("Quiet from (UTC)", validators=[Optional(), Length(max=5)])
    quiet_end = StringField("Quiet until (UTC)", validators=[Optional(), Length(max=5)])
    max_per_hour = IntegerField(
        "Max per hour", default=30, validators=[DataRequired(), NumberRange(1, 3600)]
    )
    submit = SubmitField("Add channel")


class ActionForm(FlaskForm):
    submit = SubmitField("Go")

"""WTForms of the watchlist and signal pages: they carry CSRF; the services check the rules."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import IntegerField, SelectField, SelectMultipleField, StringField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from tradedeck.core.candles import INTERVALS

TIMEFRAMES = [SelectChoice(i, i) for i in INTERVALS]


class WatchlistForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=60)])
    timeframes = SelectMultipleField(
        "Timeframes", choices=TIMEFRAMES, default=["15m", "1h", "4h"], validate_choice=True
    )
    symbols = StringField(
        "Symbols", validators=[Optional(), Length(max=2000)], description="Comma separated"
    )
    submit = SubmitField("Create watchlist")


class AddSymbolForm(FlaskForm):
    symbol = StringField("Symbol", validators=[DataRequired(), Length(max=60)])
    submit = SubmitField("Add")


class ActionForm(FlaskForm):
    """A bare button (delete, remove, scan): the CSRF token is the whole form."""

    submit = SubmitField("Go")


class RuleForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=60)])
    higher = SelectField("Bias timeframe", choices=TIMEFRAMES, default="4h")
    middle = SelectField("Zone timeframe", choices=TIMEFRAMES, default="1h")
    lower = SelectField("Trigger timeframe", choices=TIMEFRAMES, default="15m")
    min_score = IntegerField(
        "Minimum score", default=60, validators=[InputRequired(), NumberRange(0, 100)]
    )
    submit = SubmitField("Add rule")

"""WTForms of the trading pages; the domain does the number rules, the forms carry CSRF."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField, StringField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

ORDER_TYPES = [
    SelectChoice("market", "Market"),
    SelectChoice("limit", "Limit"),
    SelectChoice("stop", "Stop"),
    SelectChoice("stop_limit", "Stop-limit"),
]
TIME_IN_FORCE = [SelectChoice("day", "Day"), SelectChoice("gtc", "Good till cancelled")]


class OrderForm(FlaskForm):
    side = HiddenField("Side", default="buy")
    type = SelectField("Order type", choices=ORDER_TYPES, default="market")
    quantity = StringField("Quantity", validators=[DataRequired(), Length(max=32)])
    limit_price = StringField("Limit price", validators=[Optional(), Length(max=32)])
    stop_price = StringField("Stop price", validators=[Optional(), Length(max=32)])
    time_in_force = SelectField("Time in force", choices=TIME_IN_FORCE, default="day")
    submit = SubmitField("Place order")


class CashForm(FlaskForm):
    amount = StringField("Amount", validators=[DataRequired(), Length(max=32)])
    submit = SubmitField("Submit")


class CancelForm(FlaskForm):
    submit = SubmitField("Cancel")

"""The run form: carries CSRF and renders the fields; `services.parse_request` checks them."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, StringField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length

from tradedeck.core.backtest import LABELS, STRATEGIES
from tradedeck.core.candles import INTERVALS

FILL_CHOICES = [
    SelectChoice("open", "Next bar's open"),
    SelectChoice("close", "Signal bar's close"),
]
METRICS = [key for key, (_, kind) in LABELS.items() if kind != "time"]
INTERVAL_CHOICES = [SelectChoice(name, name) for name in INTERVALS]
STRATEGY_CHOICES = [SelectChoice(s.name, s.label) for s in STRATEGIES.values()]
SIZING_CHOICES = [
    SelectChoice("equity", "% of equity"),
    SelectChoice("units", "Fixed units"),
    SelectChoice("risk", "% of equity risked to the stop"),
]
STOP_CHOICES = [
    SelectChoice("none", "None"),
    SelectChoice("percent", "% from entry"),
    SelectChoice("atr", "ATR multiple"),
    SelectChoice("level", "Strategy level (beyond the zone)"),
]
TARGET_CHOICES = [
    SelectChoice("none", "None"),
    SelectChoice("percent", "% from entry"),
    SelectChoice("atr", "ATR multiple"),
    SelectChoice("r", "R multiple of the stop"),
]


class RunForm(FlaskForm):
    symbol = StringField("Instrument", validators=[Length(max=40)])
    venue = StringField("Venue", validators=[Length(max=32)])
    interval = SelectField("Interval", choices=INTERVAL_CHOICES, default="1h")
    start = StringField("From")
    end = StringField("To (inclusive)")
    strategy = SelectField("Strategy", choices=STRATEGY_CHOICES, default="sma_cross")
    cash = StringField("Starting cash", default="10000")
    commission_pct = StringField("Commission %", default="0.1")
    slippage_pct = StringField("Slippage %", default="0")
    fill = SelectField("Fill", choices=FILL_CHOICES, default="open")
    sizing = SelectField("Position size", choices=SIZING_CHOICES, default="equity")
    size = StringField("Size", default="100")
    whole_units = BooleanField("Whole units only")
    stop = SelectField("Stop loss", choices=STOP_CHOICES, default="none")
    stop_value = StringField("Stop value", default="2")
    target = SelectField("Take profit", choices=TARGET_CHOICES, default="none")
    target_value = StringField("Target value", default="2")
    submit = SubmitField("Run backtest")


class OptimiseForm(RunForm):
    metric = SelectField(
        "Rank by", choices=[SelectChoice(k, LABELS[k][0]) for k in METRICS], default="sharpe"
    )
    windows = StringField("Walk-forward windows (0: none)", default="4")
    train_pct = StringField("In-sample %", default="70")
    submit = SubmitField("Optimise")


class DeleteForm(FlaskForm):
    submit = SubmitField("Delete")

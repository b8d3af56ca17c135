"""Journal forms: CSRF and rendering; `services` checks the values and names a bad field."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice

SIDE_CHOICES = [SelectChoice("long", "Long"), SelectChoice("short", "Short")]
RATING_CHOICES = [SelectChoice("", "—"), *(SelectChoice(str(n), "★" * n) for n in range(1, 6))]


class NotesFields(FlaskForm):
    setup = StringField("Setup")
    tags = StringField("Tags (comma separated)")
    rating = SelectField("Rating", choices=RATING_CHOICES, default="", validate_choice=False)
    mistakes = StringField("Mistakes")
    notes = TextAreaField("Notes")


class TradeForm(NotesFields):
    portfolio_id = SelectField("Portfolio", choices=[], validate_choice=False)
    symbol = StringField("Symbol")
    side = SelectField("Side", choices=SIDE_CHOICES, default="long", validate_choice=False)
    quantity = StringField("Quantity")
    entry_price = StringField("Entry price")
    entry_at = StringField("Entry time (UTC)")
    stop_price = StringField("Stop price")
    exit_price = StringField("Exit price")
    exit_at = StringField("Exit time (UTC)")
    submit = SubmitField("Log trade")


class PortfolioForm(FlaskForm):
    name = StringField("Name")
    initial_balance = StringField("Initial balance")
    submit = SubmitField("Create portfolio")


class NotesForm(NotesFields):
    submit = SubmitField("Save")


class DeletePortfolioForm(FlaskForm):
    move_to = SelectField("Move its entries to", choices=[], validate_choice=False)
    submit = SubmitField("Delete portfolio")

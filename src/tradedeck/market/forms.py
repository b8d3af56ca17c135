"""The admin form that pulls a venue's symbols into the catalogue."""

from __future__ import annotations

import ccxt
from flask_wtf import FlaskForm
from wtforms import SelectField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length

from tradedeck.market.sources import POPULAR_EXCHANGES


def venue_choices() -> dict[str, list[tuple[str, str]]]:
    """Grouped choices (WTForms optgroups): Yahoo, popular exchanges, every other ccxt one."""
    others = [(e, e) for e in ccxt.exchanges if e not in POPULAR_EXCHANGES]
    return {
        "Stocks": [("yahoo", "Yahoo Finance (stocks, NSE .NS)")],
        "Popular exchanges": [(e, e.capitalize()) for e in POPULAR_EXCHANGES],
        "All ccxt exchanges": others,
    }


class FetchTickersForm(FlaskForm):
    venue = SelectField("Venue or exchange", default="binance", validators=[DataRequired()])
    symbols = TextAreaField(
        "Yahoo symbols",
        validators=[Length(max=2_000)],
        description="Yahoo has no symbol directory: list the symbols to describe, separated "
        "by commas or spaces (empty = a default set of US and NSE stocks).",
    )
    submit = SubmitField("Fetch symbols")

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.venue.choices = venue_choices()

    def symbol_list(self) -> list[str]:
        text = (self.symbols.data or "").replace(",", " ")
        return [s.strip().upper() for s in text.split() if s.strip()]

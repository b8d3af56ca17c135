"""Demo market: venues SIM and BINANCE, the stock exchanges Yahoo's stocks trade on (NYSE,
NASDAQ, NSE, BSE) and a handful of simulated stocks with history."""

from __future__ import annotations

from decimal import Decimal

from flask import current_app

from tradedeck.accounts.models import User
from tradedeck.extensions import db
from tradedeck.market import catalogue, history

DEMO_EXCHANGES = ("NYSE", "NASDAQ", "NSE", "BSE")
# symbol, name, price, daily drift, daily volatility: fictional companies, clearly simulated.
DEMO_STOCKS = (
    ("ACME", "Acme Corporation (simulated)", "182.40", "0.0004", "0.018"),
    ("GLOBX", "Globex Industries (simulated)", "96.15", "0.0002", "0.022"),
    ("INITECH", "Initech Software (simulated)", "41.72", "0.0001", "0.028"),
    ("UMBRL", "Umbrella Biotech (simulated)", "67.30", "-0.0002", "0.035"),
    ("WAYNE", "Wayne Enterprises (simulated)", "254.90", "0.0003", "0.015"),
    ("STARK", "Stark Industries (simulated)", "318.05", "0.0005", "0.020"),
    ("CYBD", "Cyberdyne Systems (simulated)", "12.84", "0.0000", "0.045"),
)


def seed_market(_customer: User) -> None:
    """Create the venues and the simulated stocks with CANDLE_BACKFILL_DAYS of candles."""
    config = current_app.config["TRADEDECK"]
    catalogue.ensure_venue("SIM", timezone=config.market_timezone)
    catalogue.ensure_venue("BINANCE")
    for code in DEMO_EXCHANGES:
        catalogue.ensure_venue(code)
    db.session.commit()
    for symbol, name, price, drift, vol in DEMO_STOCKS:
        if catalogue.search_instruments(symbol, "SIM", 1):
            continue
        history.add_simulated_instrument(
            symbol, name, Decimal(price), drift=Decimal(drift), volatility=Decimal(vol)
        )

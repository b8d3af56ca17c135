"""Venue fixtures: the trading tests' market (SIM on New York hours, 24/7 BINANCE, prices),
since venue hours are tested through the orders they hold back or let through."""

from tests.trading.conftest import tapp, trader

__all__ = ["tapp", "trader"]

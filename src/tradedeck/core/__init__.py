"""Pure trading domain: money, venue calendars, order rules and position arithmetic.

Nothing here imports Flask, SQLAlchemy or does I/O, so the rules can be tested exhaustively
and reused by the web app, the worker and backtests alike.
"""

"""Backtests feature: run the core engine on stored candles in the background, save per user."""

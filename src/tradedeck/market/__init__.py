"""Market data: instruments, candles, providers and the price engine."""

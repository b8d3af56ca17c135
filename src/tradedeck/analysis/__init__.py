"""Chart analytics over `tradedeck.core.analytics`: stored-candle and caller-candle endpoints."""

"""Market-data providers behind one interface (see `base.MarketDataProvider`)."""

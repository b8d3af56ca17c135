"""Trading journal: an entry per paper trade and per logged manual trade, portfolios, analytics."""

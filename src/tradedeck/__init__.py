"""TradeDeck: self-hosted trading workstation and paper-trading exchange."""

"""Outbound sinks: copies of TradeDeck events in external systems (seed 004's AWS mode)."""

"""Paper-trading exchange: orders, execution, positions, portfolio and the cash ledger."""

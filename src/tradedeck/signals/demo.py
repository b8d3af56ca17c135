"""Demo data: a confluence rule, so the demo customer's first watchlist can produce signals."""

from __future__ import annotations

from tradedeck.accounts.models import User
from tradedeck.signals import services


def seed_demo_rule(customer: User) -> None:
    """The demo customer starts with a 1h / 15m / 5m rule and no watchlist (adding one is
    the first thing the demo shows)."""
    if not services.list_rules(customer.id):
        services.create_rule(customer.id, "Intraday confluence", "1h", "15m", "5m", 50)

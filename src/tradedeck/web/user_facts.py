"""Facts about a user that a feature adds to the admin user detail page, e.g. TradingView's
linked username. The registry lives below both sides, so admin never imports the features that
fill it and they never import admin: a feature calls `register_user_fact` in its `setup.py`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask import Flask

FACTS_KEY = "tradedeck.user_facts"


@dataclass(frozen=True)
class UserFact:
    """One row of the account card: `key` is the row's element id, `value(user_id)` its text
    (None shows as a dash)."""

    key: str
    label: str
    value: Callable[[int], str | None]


@dataclass(frozen=True)
class FactValue:
    key: str
    label: str
    value: str | None


def register_user_fact(app: Flask, fact: UserFact) -> None:
    """Show `fact` on the admin user detail page, in registration order."""
    app.extensions.setdefault(FACTS_KEY, []).append(fact)


def user_facts(app: Flask, user_id: int) -> list[FactValue]:
    """Every registered fact's value for `user_id`."""
    facts: list[UserFact] = app.extensions.get(FACTS_KEY, [])
    return [FactValue(f.key, f.label, f.value(user_id)) for f in facts]

"""Equity sampling: per account under its lock, failures isolated, old samples pruned."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select

from tests.helpers import create_user, make_app
from tradedeck.database import utcnow
from tradedeck.extensions import db
from tradedeck.trading import ledger, portfolio
from tradedeck.trading.models import Account, EquitySnapshot


def _snapshots(app: Flask, user_id: int) -> list[tuple[object, Decimal]]:
    with app.app_context():
        account = ledger.find_account(user_id)
        assert account is not None
        rows = db.session.scalars(
            select(EquitySnapshot)
            .where(EquitySnapshot.account_id == account.id)
            .order_by(EquitySnapshot.time)
        )
        return [(row.time, row.equity) for row in rows]


def _funded(app: Flask, name: str, amount: str) -> int:
    user = create_user(app, name)
    with app.app_context():
        ledger.deposit(user.id, amount)
    return user.id


def test_each_account_is_valued_under_its_own_lock(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    alice, bob = _funded(app, "alice", "100.00"), _funded(app, "bob", "250.00")
    events: list[str] = []
    real_lock, real_valuation = portfolio.lock_account, portfolio.valuation

    def lock(user_id: int) -> Account:
        events.append(f"lock {user_id}")
        return real_lock(user_id)

    def value(account: Account | None) -> portfolio.Portfolio:
        assert account is not None
        events.append(f"value {account.user_id}")
        return real_valuation(account)

    monkeypatch.setattr(portfolio, "lock_account", lock)
    monkeypatch.setattr(portfolio, "valuation", value)
    with app.app_context():
        assert portfolio.sample_equity() == 2
    assert events == [f"lock {alice}", f"value {alice}", f"lock {bob}", f"value {bob}"]
    assert [equity for _, equity in _snapshots(app, alice)] == [Decimal("100.00")]
    assert [equity for _, equity in _snapshots(app, bob)] == [Decimal("250.00")]


def test_one_failing_account_does_not_cost_the_others_their_sample(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    alice, bob = _funded(app, "alice", "100.00"), _funded(app, "bob", "250.00")
    real_valuation = portfolio.valuation

    def value(account: Account | None) -> portfolio.Portfolio:
        assert account is not None
        if account.user_id == alice:
            raise RuntimeError("broken row")
        return real_valuation(account)

    monkeypatch.setattr(portfolio, "valuation", value)
    with app.app_context():
        assert portfolio.sample_equity() == 1
    assert _snapshots(app, alice) == []
    assert [equity for _, equity in _snapshots(app, bob)] == [Decimal("250.00")]


def test_samples_older_than_the_retention_are_pruned(tmp_path: Path) -> None:
    app = make_app(tmp_path, EQUITY_SAMPLE_RETENTION_DAYS="30")
    alice = _funded(app, "alice", "100.00")
    now = utcnow().replace(microsecond=0)
    with app.app_context():
        for days in (45, 31, 29, 1):
            assert portfolio.sample_equity(now - timedelta(days=days)) == 1
        # relative to each sample's time: the sample 1 day ago pruned only the 45-day-old one
        assert len(_snapshots(app, alice)) == 3
        assert portfolio.sample_equity(now) == 1
    times = [time for time, _ in _snapshots(app, alice)]
    assert times == [now - timedelta(days=29), now - timedelta(days=1), now]

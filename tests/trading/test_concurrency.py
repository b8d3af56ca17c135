"""Many threads hammer one account through the HTTP API; the books must still balance.

Runs on SQLite by default and on PostgreSQL with TEST_DATABASE_URL. Each thread has its own
test client (the full WSGI stack, sessions and connections of its own) and fires a mix of
market buys and sells, resting limit orders, cancels, withdrawals and repeated
client_order_ids.
"""

from __future__ import annotations

import random
import threading
from collections import Counter
from decimal import Decimal

from flask import Flask
from sqlalchemy import func, select

from tests.helpers import api_login, create_user
from tests.trading.helpers import Api, fund, set_sim
from tradedeck.extensions import db
from tradedeck.trading import ledger
from tradedeck.trading.models import Account, CashTransaction, Order, Position, Trade

THREADS = 16
ROUNDS = 12


def _worker(app: Flask, token: str, seed: int, errors: list[str], seen: list[int]) -> None:
    rng = random.Random(seed)
    api = Api(app.test_client(), token)
    for round_no in range(ROUNDS):
        choice = rng.random()
        coid = f"t{seed % 4}-r{round_no}"  # threads share ids in fours: races on idempotency
        if choice < 0.35:
            body = {
                "symbol": "ACME",
                "side": "buy",
                "quantity": str(rng.randint(1, 30)),
                "client_order_id": coid,
            }
            response = api.post("/api/v1/orders", body)
        elif choice < 0.6:
            response = api.post(
                "/api/v1/trade/sell", {"symbol": "ACME", "quantity": str(rng.randint(1, 20))}
            )
        elif choice < 0.75:
            body = {
                "symbol": "ACME",
                "side": "buy",
                "type": "limit",
                "quantity": "10",
                "limit_price": "95.00",
                "time_in_force": "gtc",
            }
            response = api.post("/api/v1/orders", body)
            if response.status_code == 201:
                cancel = api.delete(f"/api/v1/orders/{response.get_json()['order']['id']}")
                if cancel.status_code not in (200, 409):
                    errors.append(f"cancel {cancel.status_code}")
        else:
            response = api.post("/api/v1/cash/withdraw", {"amount": str(rng.randint(50, 900))})
        if response.status_code >= 500 or response.status_code in (401, 403, 429):
            errors.append(f"{response.status_code} {response.get_json()}")
        elif response.status_code in (200, 201) and "order" in (response.get_json() or {}):
            seen.append(response.get_json()["order"]["id"])


def test_concurrent_orders_and_withdrawals_keep_the_books(tapp: Flask) -> None:
    user = create_user(tapp)
    fund(tapp, user.id, "20000.00")
    set_sim(tapp, "open")
    token = api_login(tapp.test_client())
    errors: list[str] = []
    seen: list[int] = []
    threads = [
        threading.Thread(target=_worker, args=(tapp, token, n, errors, seen))
        for n in range(THREADS)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(t.is_alive() for t in threads)
    assert errors == []
    with tapp.app_context():
        account = db.session.scalars(select(Account)).one()
        assert account.cash >= 0
        assert account.cash == ledger.ledger_sum(account.id)
        balances = db.session.scalars(
            select(CashTransaction.balance_after)
            .where(CashTransaction.account_id == account.id)
            .order_by(CashTransaction.id)
        ).all()
        amounts = db.session.scalars(
            select(CashTransaction.amount)
            .where(CashTransaction.account_id == account.id)
            .order_by(CashTransaction.id)
        ).all()
        running = Decimal(0)
        for amount, after in zip(amounts, balances, strict=True):
            running += amount
            assert after == running >= 0  # no lost update: each row builds on the previous
        held = db.session.scalar(select(Position.quantity)) or Decimal(0)
        signed = db.session.scalar(
            select(func.coalesce(func.sum(Trade.quantity), 0)).where(Trade.side == "buy")
        ) - db.session.scalar(
            select(func.coalesce(func.sum(Trade.quantity), 0)).where(Trade.side == "sell")
        )
        assert held == signed >= 0
        coids = db.session.scalars(
            select(Order.client_order_id).where(Order.client_order_id.is_not(None))
        ).all()
        assert len(coids) == len(set(coids)) > 0
        fills = Counter(db.session.scalars(select(Trade.order_id)).all())
        assert all(count == 1 for count in fills.values())
        assert (
            db.session.scalar(
                select(func.count()).select_from(Order).where(Order.status.in_(ledger.WORKING))
            )
            == 0
        )
    assert len(seen) > THREADS

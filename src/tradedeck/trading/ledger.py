"""Cash ledger: every movement is a row, and the account's cash is their running sum.

Available cash is cash minus what working buy orders reserve; withdrawals may not touch it.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal
from typing import Any

from flask import current_app
from sqlalchemy import func, select

from tradedeck.core.errors import DomainError
from tradedeck.core.money import MONEY_PLACES, parse_decimal, to_json
from tradedeck.core.orders import OrderStatus
from tradedeck.extensions import db
from tradedeck.trading.locking import lock_account
from tradedeck.trading.models import Account, CashTransaction, Order

WORKING = (OrderStatus.QUEUED.value, OrderStatus.OPEN.value)


def money_ceiling() -> Decimal:
    """MONEY_CEILING: no balance, notional or position value may pass it (the columns' range
    lies beyond it, so nothing overflows in the database)."""
    ceiling: Decimal = current_app.config["TRADEDECK"].money_ceiling
    return ceiling


def check_ceiling(value: Decimal, what: str, field: str) -> None:
    """400 `limit_exceeded` on `field` when `value` (e.g. the cash after a deposit) passes it."""
    ceiling = money_ceiling()
    if abs(value) > ceiling:
        raise DomainError(
            f"{what} of {to_json(value, 2)} would exceed the ceiling of {to_json(ceiling, 2)}",
            field=field,
            code="limit_exceeded",
        )


def post(
    account: Account, kind: str, amount: Decimal, order_id: int | None = None, note: str = ""
) -> CashTransaction:
    """Move cash (caller holds the account lock); the balance may never go negative."""
    balance = account.cash + amount
    if balance < 0:
        raise DomainError(
            "insufficient cash for this movement", field="amount", code="insufficient_funds"
        )
    check_ceiling(balance, "the cash balance", "amount")
    account.cash = balance
    row = CashTransaction(
        account_id=account.id,
        type=kind,
        amount=amount,
        balance_after=balance,
        order_id=order_id,
        note=note,
    )
    db.session.add(row)
    return row


def entry_rows(
    account_id: int,
    cash: Decimal,
    entries: Iterable[tuple[str, Decimal, str]],
    now: datetime,
) -> tuple[list[dict[str, Any]], Decimal]:
    """`post` without the ORM, for the order path: the ledger rows of `entries` (kind, signed
    amount, note) starting from the locked `cash`, and the balance after them. No
    intermediate balance may go negative."""
    rows = []
    for kind, amount, note in entries:
        cash += amount
        if cash < 0:
            raise DomainError(
                "insufficient cash for this movement", field="amount", code="insufficient_funds"
            )
        check_ceiling(cash, "the cash balance", "quantity")
        rows.append(
            {
                "account_id": account_id,
                "type": kind,
                "amount": amount,
                "balance_after": cash,
                "note": note,
                "created_at": now,
                "updated_at": now,
            }
        )
    return rows, cash


def reserved_cash(account_id: int, exclude_order_ids: Iterable[int] = ()) -> Decimal:
    """Cash held back by the account's working buy orders."""
    statement = select(func.coalesce(func.sum(Order.reserved_cash), 0)).where(
        Order.account_id == account_id, Order.status.in_(WORKING)
    )
    excluded = list(exclude_order_ids)
    if excluded:
        statement = statement.where(Order.id.not_in(excluded))
    return Decimal(db.session.scalar(statement) or 0)


def available_cash(account: Account) -> Decimal:
    return account.cash - reserved_cash(account.id)


def find_account(user_id: int) -> Account | None:
    return db.session.scalars(select(Account).where(Account.user_id == user_id)).first()


def _amount(raw: object, limit: Decimal, verb: str) -> Decimal:
    amount = parse_decimal(raw, field="amount", max_places=MONEY_PLACES, positive=True)
    if amount > limit:
        raise DomainError(
            f"a single {verb} may not exceed {to_json(limit, 2)}",
            field="amount",
            code="limit_exceeded",
        )
    return amount


def deposit(user_id: int, raw_amount: object) -> CashTransaction:
    amount = _amount(raw_amount, current_app.config["TRADEDECK"].deposit_limit, "deposit")
    account = lock_account(user_id)
    try:
        row = post(account, "deposit", amount, note="Deposit")
    except DomainError:
        db.session.rollback()
        raise
    db.session.commit()
    return row


def withdraw(user_id: int, raw_amount: object) -> CashTransaction:
    """Refused beyond available cash: money reserved by open buys stays put."""
    amount = _amount(raw_amount, current_app.config["TRADEDECK"].withdraw_limit, "withdrawal")
    account = lock_account(user_id)
    available = available_cash(account)
    if amount > available:
        db.session.rollback()
        raise DomainError(
            f"withdrawal of {to_json(amount, 2)} exceeds the available {to_json(available, 2)}",
            field="amount",
            code="insufficient_funds",
        )
    row = post(account, "withdrawal", -amount, note="Withdrawal")
    db.session.commit()
    return row


def transactions(account_id: int, limit: int | None = 200) -> list[CashTransaction]:
    statement = (
        select(CashTransaction)
        .where(CashTransaction.account_id == account_id)
        .order_by(CashTransaction.id.desc())
    )
    if limit:
        statement = statement.limit(limit)
    return list(db.session.scalars(statement))


def ledger_sum(account_id: int) -> Decimal:
    total = db.session.scalar(
        select(func.coalesce(func.sum(CashTransaction.amount), 0)).where(
            CashTransaction.account_id == account_id
        )
    )
    return Decimal(total or 0)

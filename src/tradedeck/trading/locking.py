"""The one way into a money-moving transaction: lock the account row first.

Every change to cash, positions or order state runs between `lock_account()` and the commit.
PostgreSQL: `SELECT ... FOR UPDATE` on the account row, so concurrent requests for one account
queue behind each other while other accounts proceed. SQLite: `BEGIN IMMEDIATE` takes the
database write lock before the first read, so read-check-write is atomic (SQLite serializes
writers anyway; a deferred transaction would read stale balances and lose updates).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import Row, bindparam, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from tradedeck.accounts.models import User
from tradedeck.api.auth import CallerState
from tradedeck.database import utcnow
from tradedeck.extensions import db
from tradedeck.trading.models import Account


def is_sqlite() -> bool:
    return db.session.get_bind().dialect.name == "sqlite"


def begin_write() -> None:
    """Make the session's transaction one that may write money.

    SQLite: end whatever was open and take the write lock with `BEGIN IMMEDIATE`.
    PostgreSQL: keep the open transaction (flushing pending changes). At READ COMMITTED
    every statement sees what was committed before it started, and the row lock that
    follows waits for the previous holder's commit, so a COMMIT, a pool checkout, its
    pre-ping and a BEGIN (four round trips per order) would buy nothing.
    """
    if is_sqlite():
        db.session.commit()
        db.session.connection().exec_driver_sql("BEGIN IMMEDIATE")
    else:
        db.session.flush()


def lock_account(user_id: int) -> Account:
    """Start a transaction holding the user's account row (created on first use)."""
    begin_write()
    account = _select_locked(user_id)
    if account is None:
        _create(user_id)
        account = _select_locked(user_id)
        assert account is not None
    return account


@dataclass(frozen=True, slots=True)
class LockedAccount:
    id: int
    cash: Decimal


def lock_account_row(
    user_id: int, check_caller: Callable[[CallerState | None], None] | None = None
) -> LockedAccount:
    """`lock_account` without the ORM: the order path needs only id and cash, and a Core
    row is cheaper than an identity-mapped `Account` it would update with Core anyway.

    The same statement reads the user's state for `check_caller` (`api.auth.caller_check`:
    a JWT caller not yet checked against its user row), which runs before anything else."""
    begin_write()
    row = _select_locked_row(user_id)
    if row is None:
        if check_caller is not None:
            state = db.session.connection().execute(_USER_STATE, {"user_id": user_id}).first()
            check_caller(None if state is None else CallerState(*state))
        _create(user_id)
        row = _select_locked_row(user_id)
        assert row is not None
    elif check_caller is not None:
        check_caller(CallerState(row.active, row.token_version, row.must_change_password))
    return LockedAccount(row.id, row.cash)


def _create(user_id: int) -> None:
    insert = sqlite_insert if is_sqlite() else pg_insert
    now = utcnow()
    db.session.execute(
        insert(Account)
        .values(user_id=user_id, currency="USD", cash=0, created_at=now, updated_at=now)
        .on_conflict_do_nothing(index_elements=["user_id"])
    )


_USERS = User.__table__
_USER_COLUMNS = (_USERS.c.active, _USERS.c.token_version, _USERS.c.must_change_password)
_LOCK_ROW = (
    select(Account.__table__.c.id, Account.__table__.c.cash, *_USER_COLUMNS)
    .join(_USERS, _USERS.c.id == Account.__table__.c.user_id)
    .where(Account.__table__.c.user_id == bindparam("user_id"))
    .with_for_update(of=Account.__table__)
)
"""Built once: constructing the statement per order cost as much as running it."""
_USER_STATE = select(*_USER_COLUMNS).where(_USERS.c.id == bindparam("user_id"))


def _select_locked_row(user_id: int) -> Row[tuple[int, Decimal, bool, int, bool]] | None:
    return db.session.connection().execute(_LOCK_ROW, {"user_id": user_id}).first()


def _select_locked(user_id: int) -> Account | None:
    statement = (
        select(Account)
        .where(Account.user_id == user_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return db.session.scalars(statement).first()

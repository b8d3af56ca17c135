"""Journal rules: portfolios, manual trades (seed 003's checks), notes, paper fills, analytics."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from flask import Flask
from sqlalchemy import func, select

from tests.helpers import create_user, recorded_statements
from tradedeck.core.errors import DomainError
from tradedeck.database import ID_MAX
from tradedeck.extensions import db
from tradedeck.journal import analytics, services
from tradedeck.journal.models import JournalEntry, JournalTag

MONDAY = datetime(2026, 11, 2, 10, 30, tzinfo=UTC)


def trade(**changes):
    data = {
        "symbol": "ACME",
        "side": "long",
        "quantity": "10",
        "entry_price": "100",
        "entry_at": MONDAY.isoformat(),
        "exit_price": "110",
        "exit_at": (MONDAY + timedelta(hours=5)).isoformat(),
        "stop_price": "95",
        "setup": "breakout",
        "tags": "Trend, a+",
    }
    data.update(changes)
    return data


def test_manual_trade_derives_pnl_r_and_grouping_facts(app: Flask, user):
    with app.app_context():
        entry = services.log_trade(user.id, trade(tags="trend, news"))
        assert entry.pnl == Decimal(100)
        assert entry.r_multiple == pytest.approx(2.0)
        assert (entry.entry_weekday, entry.entry_hour) == (0, 10)
        assert entry.holding_seconds == 5 * 3600 and entry.exit_day == date(2026, 11, 2)
        assert [t.tag for t in entry.tags] == ["news", "trend"]
        short = services.log_trade(
            user.id, trade(side="short", stop_price="105", exit_price="90", tags="")
        )
        assert short.pnl == Decimal(100)
        open_trade = services.log_trade(user.id, trade(exit_price="", exit_at="", stop_price=""))
        assert open_trade.pnl is None and open_trade.r_multiple is None


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"symbol": "AB"}, "symbol"),
        ({"symbol": "A" * 21}, "symbol"),
        ({"entry_price": "0"}, "entry_price"),
        ({"entry_price": "-3"}, "entry_price"),
        ({"entry_price": "abc"}, "entry_price"),
        ({"quantity": "0"}, "quantity"),
        ({"quantity": ""}, "quantity"),
        ({"side": "up"}, "side"),
        ({"entry_at": "soon"}, "entry_at"),
        ({"exit_at": ""}, "exit_at"),
        ({"exit_at": (MONDAY - timedelta(days=1)).isoformat()}, "exit_at"),
        ({"stop_price": "101"}, "stop_price"),
        ({"rating": "6"}, "rating"),
        ({"tags": "ok, <script>"}, "tags"),
        ({"portfolio_id": "999"}, "portfolio_id"),
        ({"notes": "x" * 2001}, "notes"),
    ],
)
def test_bad_trades_name_the_field(app: Flask, user, changes, field):
    with app.app_context(), pytest.raises(DomainError) as error:
        services.log_trade(user.id, trade(**changes))
    assert error.value.field == field


@pytest.mark.parametrize(
    ("balance", "ok"),
    [("0", False), ("-1", False), ("1000000000", False), ("0.01", True), ("999999999.99", True)],
)
def test_portfolio_balance_bounds(app: Flask, user, balance, ok):
    with app.app_context():
        if ok:
            assert services.create_portfolio(user.id, {"name": "Main", "initial_balance": balance})
        else:
            with pytest.raises(DomainError) as error:
                services.create_portfolio(user.id, {"name": "Main", "initial_balance": balance})
            assert error.value.field == "initial_balance"


def test_portfolio_names_are_unique_per_user_and_private(app: Flask, user):
    other = create_user(app, "bob")
    with app.app_context():
        mine = services.create_portfolio(user.id, {"name": "Swing", "initial_balance": "5000"})
        with pytest.raises(DomainError) as error:
            services.create_portfolio(user.id, {"name": "Swing", "initial_balance": "1"})
        assert error.value.status == 409
        assert services.create_portfolio(other.id, {"name": "Swing", "initial_balance": "1"})
        with pytest.raises(DomainError) as error:
            services.log_trade(other.id, trade(portfolio_id=str(mine.id)))
        assert error.value.field == "portfolio_id"
        entry = services.log_trade(user.id, trade(portfolio_id=str(mine.id)))
        with pytest.raises(DomainError) as error:
            services.entry_of(other.id, entry.id)
        assert error.value.status == 404


def test_analytics_are_sql_aggregates_by_every_dimension(app: Flask, user):
    with app.app_context():
        services.log_trade(user.id, trade())  # +100, 2R, Mon 10h, 5 h
        services.log_trade(
            user.id,
            trade(
                exit_price="90",
                setup="fade",
                tags="trend",
                entry_at=(MONDAY + timedelta(days=1, hours=4)).isoformat(),
                exit_at=(MONDAY + timedelta(days=3)).isoformat(),
            ),
        )  # -100, -2R, Tue 14h, 1.8 days
        services.log_trade(user.id, trade(symbol="BETA", exit_price="", exit_at=""))  # open
        groups = analytics.performance(user.id)
        by_setup = {r.key: r for r in groups["setup"]}
        assert by_setup["breakout"].trades == 1 and by_setup["breakout"].win_rate == 100
        assert by_setup["fade"].pnl == Decimal(-100)
        (acme,) = groups["symbol"]
        assert (acme.key, acme.trades, acme.wins) == ("ACME", 2, 1)
        assert acme.expectancy == 0 and acme.profit_factor == pytest.approx(1.0)
        assert acme.avg_r == pytest.approx(0.0)
        tags = {r.key: r.trades for r in groups["tag"]}
        assert tags == {"a+": 1, "trend": 2}
        assert [r.key for r in groups["weekday"]] == ["Mon", "Tue"]
        assert [r.key for r in groups["hour"]] == [10, 14]
        assert {r.key for r in groups["holding"]} == {"< 1 day", "< 1 week"}
        days = analytics.calendar(user.id)
        assert days == {date(2026, 11, 2): Decimal(100), date(2026, 11, 5): Decimal(-100)}


def test_analytics_issue_one_grouped_query_per_breakdown_whatever_the_rows(app: Flask, user):
    def queries() -> list[str]:
        with recorded_statements(app) as seen, app.app_context():
            analytics.performance(user.id)
            analytics.calendar(user.id)
        return seen

    with app.app_context():
        services.log_trade(user.id, trade())
    few = queries()
    with app.app_context():
        for day in range(20):
            start = MONDAY + timedelta(days=day)
            services.log_trade(
                user.id,
                trade(entry_at=start.isoformat(), exit_at=(start + timedelta(hours=2)).isoformat()),
            )
    many = queries()
    assert len(few) == len(many) == 7  # six breakdowns and the calendar
    assert all("GROUP BY" in statement for statement in many)


def test_a_portfolio_balance_is_its_initial_balance_plus_realised_pnl_in_one_query(
    app: Flask, user
):
    with app.app_context():
        swing = services.create_portfolio(user.id, {"name": "Swing", "initial_balance": "1000"})
        empty = services.create_portfolio(user.id, {"name": "Empty", "initial_balance": "50.5"})
        other = create_user(app, "bob")
        theirs = services.create_portfolio(other.id, {"name": "Bob", "initial_balance": "9"})
        pid = str(swing.id)
        services.log_trade(user.id, trade(portfolio_id=pid))  # +100
        services.log_trade(user.id, trade(portfolio_id=pid, exit_price="97.5"))  # -25
        services.log_trade(user.id, trade(portfolio_id=pid, exit_price="", exit_at=""))  # open
        services.log_trade(user.id, trade())  # no portfolio: counted nowhere
        ids = (swing.id, empty.id, theirs.id)
    with recorded_statements(app) as seen, app.app_context():
        standings = analytics.standings(user.id)
    assert len(seen) == 1 and "GROUP BY" in seen[0]
    assert list(standings) == [ids[1], ids[0]]  # by name, only the user's
    mine = standings[ids[0]]
    assert (mine.closed, mine.open, mine.realised) == (2, 1, Decimal(75))
    assert mine.balance == Decimal(1075)
    assert standings[ids[1]].balance == Decimal("50.5") and standings[ids[1]].closed == 0
    with app.app_context():
        assert list(analytics.standings(user.id, ids[0])) == [ids[0]]
        assert analytics.standings(user.id, ids[2]) == {}


def test_deleting_an_entry_takes_its_tags_and_nothing_else(app: Flask, user):
    other = create_user(app, "bob")
    with app.app_context():
        gone = services.log_trade(user.id, trade(tags="trend, news")).id
        kept = services.log_trade(user.id, trade(tags="trend")).id
        theirs = services.log_trade(other.id, trade(tags="news")).id
        for owner, entry_id in [
            (other.id, gone),
            (user.id, theirs),
            (user.id, 0),
            (user.id, ID_MAX + 1),
        ]:
            with pytest.raises(services.EntryNotFound) as error:
                services.delete_entry(owner, entry_id)
            assert (error.value.status, error.value.field) == (404, "id")
        services.delete_entry(user.id, gone)
        db.session.expire_all()
        assert db.session.get(JournalEntry, gone) is None
        tags = db.session.execute(select(JournalTag.entry_id, JournalTag.tag)).all()
        assert sorted(tags) == [(kept, "trend"), (theirs, "news")]
        with pytest.raises(services.EntryNotFound):
            services.delete_entry(user.id, gone)
        assert db.session.scalar(select(func.count()).select_from(JournalEntry)) == 2

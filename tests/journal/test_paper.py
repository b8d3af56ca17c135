"""Every paper fill gets a journal entry, written in the fill's own transaction."""

from dataclasses import replace
from decimal import Decimal

from flask import Flask
from sqlalchemy import func, select

from tests.helpers import api_login, create_user, web_login
from tests.trading.helpers import Api, add_market, fund, set_price
from tradedeck.extensions import db
from tradedeck.journal import paper
from tradedeck.journal.models import JournalEntry
from tradedeck.trading import execution, ledger
from tradedeck.trading.fill_companions import COMPANIONS_KEY
from tradedeck.trading.models import Account, Order, Position, Trade


def test_paper_fills_become_journal_entries(app: Flask):
    add_market(app)
    user = create_user(app, "trader")
    fund(app, user.id, "100000")
    client = app.test_client()
    headers = {"Authorization": f"Bearer {api_login(client, 'trader')}"}
    for side in ("buy", "sell"):
        response = client.post(
            f"/api/v1/trade/{side}", json={"symbol": "BTC/USDT", "quantity": "0.1"}, headers=headers
        )
        assert response.status_code in (200, 201), response.get_json()
    with app.app_context():
        mine = select(JournalEntry).where(JournalEntry.user_id == user.id)
        entries = list(db.session.scalars(mine.order_by(JournalEntry.id)))
        assert [(e.source, e.side, e.symbol) for e in entries] == [
            ("paper", "buy", "BTC/USDT"),
            ("paper", "sell", "BTC/USDT"),
        ]
        assert entries[0].pnl is None and entries[1].pnl is not None
        assert entries[1].exit_day == entries[1].entry_at.date()
        assert all(e.trade_id for e in entries)
    entry_url = f"/api/v1/journal/entries/{entries[1].id}"
    refused = client.patch(entry_url, json={"entry_price": "1"}, headers=headers)
    assert refused.status_code == 409 and refused.get_json()["error"]["field"] == "entry_price"
    noted = client.patch(entry_url, json={"notes": "took profit"}, headers=headers)
    assert noted.status_code == 200 and noted.get_json()["entry"]["notes"] == "took profit"
    web_login(client, "trader")
    page = client.get(f"/journal/{entries[1].id}").get_data(as_text=True)
    assert 'id="paper-note"' in page and 'id="trade-fields"' not in page


def test_a_fill_by_the_worker_gets_its_entry_too(app: Flask):
    market = add_market(app)
    user = create_user(app, "trader")
    fund(app, user.id, "100000")
    api = Api(app.test_client(), api_login(app.test_client(), "trader"))
    body = {"symbol": "BTC/USDT", "side": "buy", "type": "limit", "quantity": "0.5"}
    placed = api.post("/api/v1/orders", body | {"limit_price": "49000.00"})
    assert placed.status_code == 201 and placed.get_json()["order"]["status"] == "open"
    set_price(app, market["BTC/USDT"], "48900.00")
    with app.app_context():
        assert execution.process_orders() == 1
        trade = db.session.scalars(select(Trade)).one()
        entry = db.session.scalars(select(JournalEntry)).one()
        assert (entry.trade_id, entry.user_id, entry.source) == (trade.id, user.id, "paper")
        assert (entry.symbol, entry.side, entry.quantity) == ("BTC/USDT", "buy", Decimal("0.5"))
        assert entry.entry_price == trade.price and entry.entry_at == trade.executed_at


def test_no_fill_without_its_entry(app: Flask):
    """The entry is part of the fill: if it cannot be written, nothing of the fill is."""
    add_market(app)
    user = create_user(app, "trader")
    fund(app, user.id, "100000")
    client = app.test_client()
    api = Api(client, api_login(client, "trader"))
    (companion,) = app.extensions[COMPANIONS_KEY]
    unwritable = replace(companion, values=lambda fill: paper.entry_values(fill) | {"side": None})
    app.extensions[COMPANIONS_KEY] = [unwritable]  # side is NOT NULL: the INSERT fails
    try:
        failed = api.post("/api/v1/trade/buy", {"symbol": "BTC/USDT", "quantity": "0.1"})
        assert failed.status_code == 500
    finally:
        app.extensions[COMPANIONS_KEY] = [companion]
    with app.app_context():
        db.session.remove()
        assert db.session.scalar(select(func.count()).select_from(Trade)) == 0
        assert db.session.scalar(select(func.count()).select_from(JournalEntry)) == 0
        account = db.session.scalars(select(Account)).one()
        assert account.cash == Decimal("100000") == ledger.ledger_sum(account.id)
    retried = api.post("/api/v1/trade/buy", {"symbol": "BTC/USDT", "quantity": "0.1"})
    assert retried.status_code in (200, 201), retried.get_json()
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(JournalEntry)) == 1


def test_deleting_a_paper_entry_leaves_the_trading_books_and_later_fills_alone(app: Flask):
    """The journal entry goes; its fill, order, position and ledger stay, and the next fill of
    the same position gets an entry of its own (the deleted one is not written back)."""
    add_market(app)
    user = create_user(app, "trader")
    fund(app, user.id, "100000")
    api = Api(app.test_client(), api_login(app.test_client(), "trader"))
    bought = api.post("/api/v1/trade/buy", {"symbol": "BTC/USDT", "quantity": "0.2"})
    assert bought.status_code in (200, 201), bought.get_json()
    with app.app_context():
        entry = db.session.scalars(select(JournalEntry)).one()
        books = [
            db.session.scalar(select(func.count()).select_from(model))
            for model in (Trade, Order, Position)
        ]
        cash = db.session.scalars(select(Account)).one().cash
    browser = app.test_client()
    web_login(browser, "trader")
    confirm = browser.get(f"/journal/{entry.id}?confirm=delete").get_data(as_text=True)
    assert 'id="delete-paper-note"' in confirm and "stays in your orders" in confirm
    assert api.delete(f"/api/v1/journal/entries/{entry.id}").status_code == 204
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(JournalEntry)) == 0
        assert books == [
            db.session.scalar(select(func.count()).select_from(model))
            for model in (Trade, Order, Position)
        ]
        account = db.session.scalars(select(Account)).one()
        assert account.cash == cash == ledger.ledger_sum(account.id)
    sold = api.post("/api/v1/trade/sell", {"symbol": "BTC/USDT", "quantity": "0.1"})
    assert sold.status_code in (200, 201), sold.get_json()
    with app.app_context():
        (left,) = db.session.scalars(select(JournalEntry)).all()
        sale = db.session.scalars(select(Trade).order_by(Trade.id.desc())).first()
        assert (left.side, left.trade_id, left.source) == ("sell", sale.id, "paper")
        assert left.pnl is not None

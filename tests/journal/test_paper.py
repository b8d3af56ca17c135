"""Every paper fill gets a journal entry (through `trading.order_filled`)."""

from flask import Flask
from sqlalchemy import select

from tests.helpers import api_login, create_user, web_login
from tests.trading.helpers import add_market, fund
from tradedeck.extensions import db
from tradedeck.journal.models import JournalEntry


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

"""Trading pages render for a signed-in user, with empty states, forms, htmx preview and CSV."""

from __future__ import annotations

import csv
import io
import json
import re
from html import unescape

from flask import Flask
from flask.testing import FlaskClient

from tests.helpers import create_user, csrf_token, web_login
from tests.trading.helpers import fund, set_sim


def _login(app: Flask) -> FlaskClient:
    create_user(app)
    client = app.test_client()
    assert web_login(client).status_code == 302
    return client


def test_pages_show_empty_states(tapp: Flask) -> None:
    client = _login(tapp)
    for path, text in [
        ("/orders", "No orders yet"),
        ("/portfolio", "No positions yet"),
        ("/trades", "No trades yet"),
        ("/cash", "No transactions yet"),
    ]:
        response = client.get(path)
        assert response.status_code == 200, path
        assert text in response.get_data(as_text=True), path
    stocks = client.get("/stocks?q=zzz").get_data(as_text=True)
    assert "No instruments match" in stocks


def test_pages_need_login(tapp: Flask) -> None:
    response = tapp.test_client().get("/portfolio")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_trade_from_the_ticket_and_see_it_everywhere(tapp: Flask) -> None:
    client = _login(tapp)
    set_sim(tapp, "open")
    acme = tapp.config["MARKET"]["ACME"]
    token = csrf_token(client, "/cash")
    response = client.post(
        "/cash/deposit", data={"deposit-amount": "5000", "csrf_token": token}, follow_redirects=True
    )
    assert "Deposited 5000.00" in response.get_data(as_text=True)
    page = client.get(f"/stocks/{acme}").get_data(as_text=True)
    htmx = {"X-CSRFToken": csrf_token(client, f"/stocks/{acme}"), "HX-Request": "true"}
    assert "ACME" in page and "100.00" in page and "+2.00" in page
    preview = client.post(
        f"/stocks/{acme}/preview",
        data={"side": "buy", "type": "market", "quantity": "10"},
        headers=htmx,
    )
    text = preview.get_data(as_text=True)
    assert "1000.00" in text and "1001.00" in text  # notional and cost incl. 10 bps fee
    bad = client.post(
        f"/stocks/{acme}/preview",
        data={"side": "buy", "type": "limit", "quantity": "1", "limit_price": "1.001"},
        headers=htmx,
    )
    assert "tick size" in bad.get_data(as_text=True)
    token = csrf_token(client, f"/stocks/{acme}")
    order = {
        "side": "buy",
        "type": "market",
        "quantity": "10",
        "time_in_force": "day",
        "csrf_token": token,
    }
    done = client.post(f"/stocks/{acme}/order", data=order, follow_redirects=True)
    assert "Buy 10 ACME filled at 100.00" in done.get_data(as_text=True)
    refused = client.post(
        f"/stocks/{acme}/order", data={**order, "quantity": "1000"}, follow_redirects=True
    )
    assert "Order not placed" in refused.get_data(as_text=True)
    assert "insufficient buying power" in refused.get_data(as_text=True)
    portfolio = client.get("/portfolio").get_data(as_text=True)
    assert 'id="positions-table"' in portfolio and "Average-cost method" in portfolio
    assert "<path" in portfolio  # allocation donut
    orders = client.get("/orders?status=filled").get_data(as_text=True)
    assert "filled" in orders and "ACME" in orders
    rows = list(csv.reader(io.StringIO(client.get("/trades.csv").get_data(as_text=True))))
    assert rows[0][:4] == ["id", "executed_at", "order_id", "symbol"]
    assert rows[1][3:8] == ["ACME", "buy", "10", "100.00", "1000.00"]
    cash_rows = list(csv.reader(io.StringIO(client.get("/cash.csv").get_data(as_text=True))))
    assert [r[2] for r in cash_rows[1:]] == ["fee", "buy", "deposit"]


def test_cancel_from_orders_page_and_withdraw_errors(tapp: Flask) -> None:
    client = _login(tapp)
    with tapp.app_context():
        from sqlalchemy import select

        from tradedeck.accounts.models import User
        from tradedeck.extensions import db

        user_id = db.session.scalars(select(User.id)).one()
    fund(tapp, user_id, "1000")
    set_sim(tapp, "closed")
    acme = tapp.config["MARKET"]["ACME"]
    token = csrf_token(client, f"/stocks/{acme}")
    queued = client.post(
        f"/stocks/{acme}/order",
        follow_redirects=True,
        data={
            "side": "buy",
            "type": "market",
            "quantity": "1",
            "time_in_force": "day",
            "csrf_token": token,
        },
    )
    assert "queued: the market is closed" in queued.get_data(as_text=True)
    page = client.get("/orders?status=open,queued").get_data(as_text=True)
    assert "Cancel" in page
    order_id = page.split("/orders/")[1].split("/cancel")[0]
    cancelled = client.post(
        f"/orders/{order_id}/cancel", data={"csrf_token": token}, follow_redirects=True
    )
    assert f"Order #{order_id} cancelled." in cancelled.get_data(as_text=True)
    refused = client.post(
        "/cash/withdraw",
        data={"withdraw-amount": "5000", "csrf_token": token},
        follow_redirects=True,
    )
    assert "Withdraw refused" in refused.get_data(as_text=True)
    assert "exceeds the available 1000.00" in refused.get_data(as_text=True)


def _chart_configs(html: str) -> list[dict]:
    """The `data-chart-config` options the pages hand to the shared chart component."""
    return [json.loads(unescape(c)) for c in re.findall(r"data-chart-config='([^']*)'", html)]


def test_pages_mount_the_shared_chart_component(tapp: Flask) -> None:
    client = _login(tapp)
    acme = tapp.config["MARKET"]["ACME"]
    stocks = client.get("/stocks").get_data(as_text=True)
    assert "js/chart/page.js" in stocks and "sparkline" not in stocks
    minis = _chart_configs(stocks)
    assert minis and {m["symbol"] for m in minis} >= {"ACME"}
    assert all(m["mode"] == "mini" and m["lazy"] and m["interval"] == "1h" for m in minis)
    assert len({m["id"] for m in minis}) == len(minis)

    page = client.get(f"/stocks/{acme}").get_data(as_text=True)
    assert "js/chart/page.js" in page and "js/trading/instrument.js" in page
    [chart] = _chart_configs(page)
    assert chart["symbol"] == "ACME" and chart["venue"] == "SIM" and chart["interval"] == "15m"
    assert chart["features"] == {"picker": False}
    assert {k for k, o in chart["overlays"].items() if o["on"]} == {"sma", "ema"}
    assert "/chart?symbol=ACME&amp;venue=SIM&amp;interval=15m" in page
    assert client.get(f"/stocks/{acme}/candles.json").status_code == 404  # the old chart feed

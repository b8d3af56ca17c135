"""CSV exports: formula-looking text is neutralised, numbers stay numbers, rows are capped."""

from __future__ import annotations

import csv
import io

from flask import Flask
from flask.testing import FlaskClient

from tests.helpers import create_user, web_login
from tests.trading.helpers import fund, set_sim
from tradedeck.extensions import db
from tradedeck.market.models import Instrument
from tradedeck.trading import ledger, orders
from tradedeck.trading.csv_export import safe_cell


def test_safe_cell_neutralises_formulas_and_keeps_numbers() -> None:
    for formula in ("=1+1", "+SUM(A1)", "-2+3", "@cmd", "\tx", "\rx", '=HYPERLINK("x")'):
        assert safe_cell(formula) == "'" + formula
    for kept in ("-12.50", "-3", "1e5", "-1.5E-3", "ACME", "", 42, None):
        assert safe_cell(kept) == kept


def _rows(client: FlaskClient, path: str) -> tuple[list[list[str]], dict[str, str]]:
    response = client.get(path)
    assert response.status_code == 200
    return list(csv.reader(io.StringIO(response.get_data(as_text=True)))), dict(response.headers)


def test_exports_neutralise_text_and_cap_rows(tapp: Flask) -> None:
    user = create_user(tapp)
    client = tapp.test_client()
    assert web_login(client).status_code == 302
    for amount in ("100", "200", "300"):
        fund(tapp, user.id, amount)
    set_sim(tapp, "open")
    with tapp.app_context():
        ledger.withdraw(user.id, "50")
        orders.place_order(user.id, orders.OrderRequest(symbol="ACME", side="buy", quantity="1"))
        acme = db.session.get(Instrument, tapp.config["MARKET"]["ACME"])
        acme.symbol = "=CMD|' /C calc'!A0"  # as if a hostile name reached the catalogue
        db.session.commit()
    trades, headers = _rows(client, "/trades.csv")
    assert trades[1][3] == "'=CMD|' /C calc'!A0" and "X-Export-Truncated" not in headers
    cash, _ = _rows(client, "/cash.csv")
    assert "-50.00" in [row[3] for row in cash]  # a withdrawal stays a number
    config = tapp.config["TRADEDECK"]
    tapp.config["TRADEDECK"] = config.model_copy(update=dict(export_max_rows=2))
    capped, headers = _rows(client, "/cash.csv")
    assert len(capped) == 3 and headers["X-Export-Truncated"] == "true"
    assert [row[0] for row in capped[1:]] == [row[0] for row in cash[1:3]]  # the newest

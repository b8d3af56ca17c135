from tests.market.helpers import add_sim, closed_port_url


def test_saved_tickers_grouped_searchable_and_empty(app, member):
    empty = member.get("/saved-tickers").get_data(as_text=True)
    assert "The catalogue is empty" in empty
    add_sim(app, "ACME", "100.00", days=1.5)
    add_sim(app, "WAYNE", "200.00", days=1.5)
    page = member.get("/saved-tickers").get_data(as_text=True)
    assert "Simulated market" in page and "ACME" in page and "WAYNE" in page and "100.00" in page
    fragment = member.get(
        "/saved-tickers?q=way", headers={"HX-Request": "true", "HX-Target": "ticker-results"}
    ).get_data(as_text=True)
    assert "WAYNE" in fragment and "ACME" not in fragment and "<html" not in fragment
    assert "No ticker matches" in member.get("/saved-tickers?q=zzz").get_data(as_text=True)
    has_chart = "charts.chart" in app.view_functions
    assert ('href="/chart?symbol=ACME&amp;venue=SIM"' in page) == has_chart


def test_fetch_tickers_is_admin_only(member):
    assert member.get("/fetch-tickers").status_code == 403


def _form_token(client) -> str:
    html = client.get("/fetch-tickers").get_data(as_text=True)
    marker = 'name="csrf_token" type="hidden" value="'
    start = html.index(marker) + len(marker)
    return html[start : html.index('"', start)]


def test_fetch_tickers_pulls_symbols_and_reports_offline(app, admin_client):
    token = _form_token(admin_client)
    done = admin_client.post(
        "/fetch-tickers", data={"venue": "binance", "csrf_token": token}, follow_redirects=True
    )
    text = done.get_data(as_text=True)
    assert "Saved 3 symbols from BINANCE (3 new, 0 updated)" in text and "BTC/USDT" in text

    app.config["TRADEDECK"] = app.config["TRADEDECK"].model_copy(
        update=dict(binance_url=closed_port_url())
    )
    failed = admin_client.post("/fetch-tickers", data={"venue": "binance", "csrf_token": token})
    assert failed.status_code == 200
    assert "Could not fetch symbols from binance: Cannot reach BINANCE" in failed.get_data(
        as_text=True
    )

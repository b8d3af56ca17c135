"""Journal pages: log a trade, create a portfolio, edit notes, performance; errors by field."""

from flask import Flask
from flask.testing import FlaskClient

from tests.helpers import create_user, csrf_token, web_login


def post(client: FlaskClient, path: str, **data):
    return client.post(path, data={**data, "csrf_token": csrf_token(client, "/journal")})


TRADE = {
    "symbol": "acme",
    "side": "long",
    "quantity": "5",
    "entry_price": "20",
    "entry_at": "2026-11-02T10:00",
    "exit_price": "24",
    "exit_at": "2026-11-03T15:00",
    "stop_price": "18",
    "setup": "breakout",
    "tags": "trend",
    "rating": "4",
}


def test_log_trade_and_see_it_in_the_list_and_performance(logged_in: FlaskClient):
    html = logged_in.get("/journal").get_data(as_text=True)
    assert "No entries yet" in html and 'id="trade-form"' in html
    response = post(logged_in, "/journal/trades", **TRADE)
    assert response.status_code == 302
    html = logged_in.get("/journal").get_data(as_text=True)
    assert "ACME" in html and "20.00" in html and "★★★★" in html
    perf = logged_in.get("/journal/performance").get_data(as_text=True)
    assert 'id="by-setup"' in perf and "breakout" in perf and 'id="pnl-calendar"' in perf
    assert 'data-day="2026-11-03"' in perf and "pnl-up-3" in perf


def test_bad_trade_re_renders_with_the_field_marked(logged_in: FlaskClient):
    response = post(logged_in, "/journal/trades", **{**TRADE, "symbol": "AB"})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert 'data-error-for="symbol"' in html and "3 to 20 characters" in html
    response = post(logged_in, "/journal/trades", **{**TRADE, "entry_price": "0"})
    assert 'data-error-for="entry_price"' in response.get_data(as_text=True)


def test_portfolios(logged_in: FlaskClient):
    response = post(logged_in, "/journal/portfolios", name="Swing", initial_balance="2500")
    assert response.status_code == 302
    html = logged_in.get(response.headers["Location"]).get_data(as_text=True)
    assert "Swing" in html and "2,500.00" in html
    response = post(logged_in, "/journal/portfolios", name="Big", initial_balance="1000000000")
    assert response.status_code == 400
    assert 'data-error-for="initial_balance"' in response.get_data(as_text=True)
    response = post(logged_in, "/journal/portfolios", name="Swing", initial_balance="1")
    assert response.status_code == 409


def test_edit_notes_and_privacy(app: Flask, logged_in: FlaskClient):
    post(logged_in, "/journal/trades", **TRADE)
    page = logged_in.get("/journal/1").get_data(as_text=True)
    assert 'value="trend"' in page
    notes = {"setup": "pullback", "tags": "a, b", "notes": "late entry"}
    response = post(logged_in, "/journal/1", **{**TRADE, **notes})
    assert response.status_code == 302
    assert "pullback" in logged_in.get("/journal").get_data(as_text=True)
    response = post(logged_in, "/journal/1", **{**TRADE, "rating": "9"})
    assert response.status_code == 400
    create_user(app, "bob")
    other = app.test_client()
    web_login(other, "bob")
    assert other.get("/journal/1").status_code == 404
    assert other.get(f"/journal/{2**70}").status_code == 404
    assert "ACME" not in other.get("/journal").get_data(as_text=True)


def test_needs_login(client: FlaskClient):
    assert client.get("/journal").status_code == 302
    assert client.get("/journal/performance").status_code == 302


def test_entry_page_draws_the_stored_candles_around_the_entry(app: Flask, logged_in):
    from datetime import UTC, datetime, timedelta

    from tests.charts.factories import seed_instrument

    seed_instrument(app, "ACME", intervals=("1h",), n=300)
    start = (datetime.now(UTC) - timedelta(days=5)).replace(minute=0, second=0, microsecond=0)
    recent = {
        **TRADE,
        "entry_at": start.strftime("%Y-%m-%dT%H:%M"),
        "exit_at": (start + timedelta(hours=20)).strftime("%Y-%m-%dT%H:%M"),
    }
    post(logged_in, "/journal/trades", **recent)
    html = logged_in.get("/journal/1").get_data(as_text=True)
    assert 'id="entry-chart"' in html
    assert html.count('<rect class="bar-') == 48 + 20 + 12  # 48 h before to 12 h after (exclusive)
    assert 'class="exit-line"' in html
    post(logged_in, "/journal/trades", **{**TRADE, "symbol": "ZZZZ"})
    assert 'id="no-entry-chart"' in logged_in.get("/journal/2").get_data(as_text=True)


def test_a_manual_trade_is_edited_on_its_page_with_the_logging_rules(logged_in: FlaskClient):
    post(logged_in, "/journal/trades", **TRADE)
    page = logged_in.get("/journal/1").get_data(as_text=True)
    assert 'id="trade-fields"' in page and 'value="2026-11-02T10:00"' in page
    assert 'name="exit_price" type="number" value="24"' in page
    response = post(logged_in, "/journal/1", **{**TRADE, "exit_price": "19", "quantity": "10"})
    assert response.status_code == 302
    html = logged_in.get("/journal").get_data(as_text=True)
    assert "-10.00" in html and "-0.50" in html
    for change, field in [
        ({"entry_price": "-1"}, "entry_price"),
        ({"exit_at": "2026-11-01T09:00"}, "exit_at"),
        ({"stop_price": "30"}, "stop_price"),
        ({"exit_price": ""}, "exit_price"),
    ]:
        response = post(logged_in, "/journal/1", **{**TRADE, **change})
        assert response.status_code == 400, change
        assert f'data-error-for="{field}"' in response.get_data(as_text=True)
    assert "-10.00" in logged_in.get("/journal").get_data(as_text=True)


def test_portfolio_page_renames_and_deletes(app: Flask, logged_in: FlaskClient):
    post(logged_in, "/journal/portfolios", name="Swing", initial_balance="2500")
    post(logged_in, "/journal/portfolios", name="Core", initial_balance="1000")
    post(logged_in, "/journal/trades", **{**TRADE, "portfolio_id": "1"})
    page = logged_in.get("/journal/portfolios/1").get_data(as_text=True)
    assert 'value="Swing"' in page and "1 journal entry" in page and 'value="2500.00"' in page
    assert 'id="portfolio-balance">2,520.00<' in page  # 2,500 + (24 - 20) * 5
    response = post(logged_in, "/journal/portfolios/1", name="Swing 2", initial_balance="3000")
    assert response.status_code == 302
    html = logged_in.get(response.headers["Location"]).get_data(as_text=True)
    assert "Swing 2" in html and 'id="portfolio-balance">3,020.00<' in html
    assert 'id="portfolio-realised">20.00<' in html and "3,020.00</span>" in html
    response = post(logged_in, "/journal/portfolios/1", name="Core", initial_balance="3000")
    assert response.status_code == 409 and 'data-error-for="name"' in response.get_data(True)
    response = post(logged_in, "/journal/portfolios/1", name="X", initial_balance="0")
    assert 'data-error-for="initial_balance"' in response.get_data(as_text=True)
    refused = post(logged_in, "/journal/portfolios/1/delete", move_to="")
    assert refused.status_code == 409
    assert 'data-error-for="move_to"' in refused.get_data(as_text=True)
    response = post(logged_in, "/journal/portfolios/1/delete", move_to="2")
    assert response.status_code == 302
    assert logged_in.get("/journal/portfolios/1").status_code == 404
    core = logged_in.get("/journal?portfolio=2").get_data(as_text=True)
    assert "ACME" in core
    create_user(app, "bob")
    other = app.test_client()
    web_login(other, "bob")
    assert other.get("/journal/portfolios/2").status_code == 404
    bob = other.post(
        "/journal/portfolios/2/delete", data={"csrf_token": csrf_token(other, "/journal")}
    )
    assert bob.status_code == 404


def test_delete_an_entry_from_its_page(app: Flask, logged_in: FlaskClient):
    post(logged_in, "/journal/trades", **TRADE)
    post(logged_in, "/journal/trades", **{**TRADE, "symbol": "BETA"})
    page = logged_in.get("/journal/1").get_data(as_text=True)
    assert 'id="delete-entry"' in page and 'data-bs-target="#delete-entry-modal"' in page
    assert 'action="/journal/1/delete"' in page and 'name="csrf_token"' in page
    assert 'class="modal fade" id="delete-entry-modal"' in page  # closed until asked
    # without JavaScript the Delete link loads the page with the confirm open
    confirm = logged_in.get("/journal/1?confirm=delete").get_data(as_text=True)
    assert 'class="modal fade show d-block" id="delete-entry-modal"' in confirm
    assert 'class="modal-backdrop fade show"' in confirm
    response = post(logged_in, "/journal/1/delete")
    assert response.status_code == 302 and response.headers["Location"] == "/journal"
    html = logged_in.get("/journal").get_data(as_text=True)
    assert "Entry deleted." in html and "BETA" in html and "ACME" not in html
    assert logged_in.get("/journal/1").status_code == 404
    assert post(logged_in, "/journal/1/delete").status_code == 404


def test_delete_bad_paths(app: Flask, logged_in: FlaskClient):
    post(logged_in, "/journal/trades", **TRADE)
    assert logged_in.get("/journal/1/delete").status_code == 405
    assert logged_in.post("/journal/1/delete").status_code == 400  # no CSRF token
    bad_token = logged_in.post("/journal/1/delete", data={"csrf_token": "forged"})
    assert bad_token.status_code == 400
    assert post(logged_in, "/journal/999/delete").status_code == 404
    assert post(logged_in, f"/journal/{2**70}/delete").status_code == 404
    create_user(app, "bob")
    other = app.test_client()
    web_login(other, "bob")
    theirs = other.post("/journal/1/delete", data={"csrf_token": csrf_token(other, "/journal")})
    assert theirs.status_code == 404 and "ACME" not in theirs.get_data(as_text=True)
    assert other.get("/journal/1?confirm=delete").status_code == 404
    assert "ACME" in logged_in.get("/journal/1").get_data(as_text=True)


def test_delete_needs_login(client: FlaskClient):
    response = client.post("/journal/1/delete", data={"csrf_token": csrf_token(client)})
    assert response.status_code == 302 and "/login" in response.headers["Location"]

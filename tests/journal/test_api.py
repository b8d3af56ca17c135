"""/api/v1/journal: entries (paging, read, notes and trade edits, log), portfolios CRUD,
performance; bad input is a 4xx naming the field, other users' rows are 404."""

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.helpers import api_login, create_user, csrf_token, web_login

TRADE = {
    "symbol": "acme",
    "side": "long",
    "quantity": "5",
    "entry_price": "20",
    "entry_at": "2026-11-02T10:00:00Z",
    "exit_price": "24",
    "exit_at": "2026-11-03T15:00:00Z",
    "stop_price": "18",
    "setup": "breakout",
    "tags": ["trend", "Gap"],
    "rating": 4,
}


@pytest.fixture
def api(client: FlaskClient, user) -> dict[str, str]:
    return {"Authorization": f"Bearer {api_login(client)}"}


def log(client: FlaskClient, api: dict[str, str], **changes) -> dict:
    response = client.post("/api/v1/journal/entries", json={**TRADE, **changes}, headers=api)
    assert response.status_code == 201, response.get_json()
    return response.get_json()["entry"]


def portfolio(client: FlaskClient, api: dict[str, str], name: str = "Swing") -> dict:
    body = {"name": name, "initial_balance": "2500"}
    response = client.post("/api/v1/journal/portfolios", json=body, headers=api)
    assert response.status_code == 201, response.get_json()
    return response.get_json()["portfolio"]


def test_log_read_and_update_an_entry(client, api):
    entry = log(client, api)
    assert entry["symbol"] == "ACME" and entry["pnl"] == "20.00" and entry["r_multiple"] == 2
    assert entry["tags"] == ["gap", "trend"] and entry["entry_at"] == "2026-11-02T10:00:00+00:00"
    url = f"/api/v1/journal/entries/{entry['id']}"
    assert client.get(url, headers=api).get_json()["entry"] == entry
    response = client.patch(url, json={"notes": "held well", "rating": None}, headers=api)
    changed = response.get_json()["entry"]
    assert changed["notes"] == "held well" and changed["rating"] is None
    assert changed["setup"] == "breakout" and changed["tags"] == ["gap", "trend"]


def test_a_manual_trade_can_be_edited_with_the_logging_rules(client, api):
    entry = log(client, api)
    url = f"/api/v1/journal/entries/{entry['id']}"
    changed = client.patch(url, json={"exit_price": "19", "quantity": "10"}, headers=api)
    body = changed.get_json()["entry"]
    assert body["pnl"] == "-10.00" and body["r_multiple"] == -0.5 and body["setup"] == "breakout"
    reopened = client.patch(url, json={"exit_price": None, "exit_at": None}, headers=api)
    assert reopened.get_json()["entry"]["pnl"] is None
    for change, field in [
        ({"entry_price": "0"}, "entry_price"),
        ({"exit_at": "2026-11-01T00:00:00Z", "exit_price": "21"}, "exit_at"),
        ({"stop_price": "25"}, "stop_price"),
        ({"symbol": "AB"}, "symbol"),
        ({"entry_at": "yesterday"}, "entry_at"),
        ({"portfolio_id": 999}, "portfolio_id"),
    ]:
        response = client.patch(url, json=change, headers=api)
        assert response.status_code == 400 and response.get_json()["error"]["field"] == field
    assert client.get(url, headers=api).get_json()["entry"]["quantity"] == "10"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"symbol": "AB"}, "symbol"),
        ({"quantity": "0"}, "quantity"),
        ({"entry_price": "abc"}, "entry_price"),
        ({"rating": 6}, "rating"),
        ({"tags": ["bad,"] * 11}, "tags"),
        ({"side": "sideways"}, "side"),
        ({"colour": "red"}, "colour"),
        ({"entry_price": 20}, "entry_price"),
    ],
)
def test_bad_trades_name_the_field(client, api, changes, field):
    response = client.post("/api/v1/journal/entries", json={**TRADE, **changes}, headers=api)
    assert response.status_code == 400, response.get_json()
    assert response.get_json()["error"]["field"] == field


def test_entries_page_with_a_cursor_and_filter_by_portfolio(client, api):
    swing = portfolio(client, api)
    ids = [
        log(client, api, entry_at=f"2026-11-0{d}T10:00:00Z", exit_at=None, exit_price=None)
        for d in range(1, 6)
    ]
    held = log(client, api, portfolio_id=swing["id"])["id"]
    first = client.get("/api/v1/journal/entries?limit=4", headers=api)
    assert 'rel="next"' in first.headers["Link"]
    page = first.get_json()
    rest = client.get(f"/api/v1/journal/entries?limit=4&cursor={page['next']}", headers=api)
    seen = [e["id"] for e in page["entries"] + rest.get_json()["entries"]]
    assert len(seen) == 6 and rest.get_json()["next"] is None
    days = [e["id"] for e in ids]
    assert seen == [days[4], days[3], days[2], held, days[1], days[0]]  # same time: newer id first
    only = client.get(f"/api/v1/journal/entries?portfolio_id={swing['id']}", headers=api)
    assert [e["portfolio_id"] for e in only.get_json()["entries"]] == [swing["id"]]
    bad = client.get("/api/v1/journal/entries?cursor=nonsense", headers=api)
    assert bad.status_code == 400 and bad.get_json()["error"]["field"] == "cursor"
    assert client.get("/api/v1/journal/entries?portfolio_id=999", headers=api).status_code == 404


def test_portfolios_crud(client, api):
    swing = portfolio(client, api)
    other = portfolio(client, api, "Long term")
    listing = client.get("/api/v1/journal/portfolios", headers=api).get_json()["portfolios"]
    assert [p["name"] for p in listing] == ["Long term", "Swing"]
    url = f"/api/v1/journal/portfolios/{swing['id']}"
    renamed = client.patch(url, json={"name": "Swing 2"}, headers=api).get_json()["portfolio"]
    assert renamed["name"] == "Swing 2" and renamed["initial_balance"] == "2500.00"
    taken = client.patch(url, json={"name": "Long term"}, headers=api)
    assert taken.status_code == 409 and taken.get_json()["error"]["field"] == "name"
    for body in ({"initial_balance": "1000000000"}, {"initial_balance": "0.001"}):
        response = client.patch(url, json=body, headers=api)
        assert response.get_json()["error"]["field"] == "initial_balance"
    assert client.get(url, headers=api).get_json()["portfolio"]["name"] == "Swing 2"
    entry = log(client, api, portfolio_id=swing["id"])
    held = client.delete(url, headers=api)
    assert held.status_code == 409 and held.get_json()["error"]["code"] == "in_use"
    assert held.get_json()["error"]["field"] == "move_to"
    itself = client.delete(f"{url}?move_to={swing['id']}", headers=api)
    assert itself.status_code == 400 and itself.get_json()["error"]["field"] == "move_to"
    assert client.delete(f"{url}?move_to={other['id']}", headers=api).status_code == 204
    moved = client.get(f"/api/v1/journal/entries/{entry['id']}", headers=api).get_json()
    assert moved["entry"]["portfolio_id"] == other["id"]
    assert client.get(url, headers=api).status_code == 404
    empty = client.delete(f"/api/v1/journal/portfolios/{other['id']}?move_to=1", headers=api)
    assert empty.status_code == 400 and empty.get_json()["error"]["field"] == "move_to"


def test_portfolio_balance_counts_its_closed_trades(client, api):
    swing = portfolio(client, api)
    assert swing["balance"] == "2500.00" and swing["realised_pnl"] == "0.00"
    log(client, api, portfolio_id=swing["id"])  # +20
    log(client, api, portfolio_id=swing["id"], exit_price="19.5")  # -2.50
    log(client, api, portfolio_id=swing["id"], exit_price=None, exit_at=None)
    log(client, api)  # no portfolio
    url = f"/api/v1/journal/portfolios/{swing['id']}"
    body = client.get(url, headers=api).get_json()["portfolio"]
    assert (body["realised_pnl"], body["balance"]) == ("17.50", "2517.50")
    assert (body["closed_trades"], body["open_entries"]) == (2, 1)
    listed = client.get("/api/v1/journal/portfolios", headers=api).get_json()["portfolios"]
    assert listed == [body]
    edited = client.patch(url, json={"initial_balance": "100"}, headers=api).get_json()
    assert edited["portfolio"]["balance"] == "117.50"


def test_performance_as_json(client, api):
    log(client, api)
    log(client, api, exit_price="19", setup="fade", tags=[])
    body = client.get("/api/v1/journal/performance", headers=api).get_json()
    setups = {row["key"]: row for row in body["breakdowns"]["setup"]}
    assert setups["breakout"]["pnl"] == "20.00" and setups["fade"]["win_rate"] == 0
    assert set(body["breakdowns"]) == {"setup", "tag", "symbol", "weekday", "hour", "holding"}
    assert body["breakdowns"]["weekday"][0]["key"] == "Mon"
    assert body["calendar"] == [{"day": "2026-11-03", "pnl": "15.00"}]


def test_everything_is_private_and_needs_a_user(app: Flask, client, api):
    entry = log(client, api)
    swing = portfolio(client, api)
    create_user(app, "bob")
    bob = {"Authorization": f"Bearer {api_login(client, 'bob')}"}
    assert client.get(f"/api/v1/journal/entries/{entry['id']}", headers=bob).status_code == 404
    patch = client.patch(f"/api/v1/journal/entries/{entry['id']}", json={}, headers=bob)
    assert patch.status_code == 404
    url = f"/api/v1/journal/portfolios/{swing['id']}"
    assert client.delete(url, headers=bob).status_code == 404
    assert client.get("/api/v1/journal/entries", headers=bob).get_json()["entries"] == []
    anonymous = app.test_client()
    assert anonymous.get("/api/v1/journal/entries").status_code == 401
    assert anonymous.get("/api/v1/journal/performance").status_code == 401


def test_delete_an_entry(app: Flask, client, api):
    entry = log(client, api)
    kept = log(client, api, symbol="BETA")
    url = f"/api/v1/journal/entries/{entry['id']}"
    create_user(app, "bob")
    bob = {"Authorization": f"Bearer {api_login(client, 'bob')}"}
    theirs = client.delete(url, headers=bob)
    assert theirs.status_code == 404 and theirs.get_json()["error"]["code"] == "not_found"
    assert client.get(url, headers=api).status_code == 200
    deleted = client.delete(url, headers=api)
    assert deleted.status_code == 204 and deleted.get_data() == b""
    assert client.get(url, headers=api).status_code == 404
    assert client.delete(url, headers=api).status_code == 404
    listed = client.get("/api/v1/journal/entries", headers=api).get_json()["entries"]
    assert [e["id"] for e in listed] == [kept["id"]]
    for bad in (0, 2**31, 2**70):  # ids beyond database.ID_MAX: 400 naming the path id
        response = client.delete(f"/api/v1/journal/entries/{bad}", headers=api)
        assert response.status_code == 400 and response.get_json()["error"]["field"] == "entry_id"
    assert client.delete("/api/v1/journal/entries/abc", headers=api).status_code == 404
    assert app.test_client().delete(url).status_code == 401


def test_a_session_delete_needs_the_csrf_header(app: Flask, client, api):
    entry = log(client, api)
    browser = app.test_client()
    web_login(browser)
    url = f"/api/v1/journal/entries/{entry['id']}"
    refused = browser.delete(url)
    assert refused.status_code == 400 and refused.get_json()["error"]["code"] == "csrf_failed"
    token = csrf_token(browser, "/journal")
    assert browser.delete(url, headers={"X-CSRFToken": token}).status_code == 204

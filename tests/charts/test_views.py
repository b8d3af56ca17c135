"""`/chart` (symbol and interval in the query string) and the `/tickDataForm` fragment."""

from __future__ import annotations

import json
from html import unescape

from flask import Flask
from flask.testing import FlaskClient

from tests.charts.factories import seed_instrument
from tests.helpers import csrf_token


def chart_config(html: str) -> dict:
    marker = 'data-chart-config="'
    start = html.index(marker) + len(marker)
    return json.loads(unescape(html[start : html.index('"', start)]))


def test_chart_needs_login(client: FlaskClient) -> None:
    response = client.get("/chart?symbol=ACME")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_seed_url_becomes_component_config(app: Flask, logged_in: FlaskClient) -> None:
    seed_instrument(app, n=10)
    response = logged_in.get(
        "/chart?symbol=ACME&interval=1h&startDate=2024-01-01&endDate=2024-01-31&overlays=swings,rsi"
        "&pattern=12"
    )
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "js/chart/page.js" in html and "<script>" not in html
    config = chart_config(html)
    assert config["symbol"] == "ACME" and config["venue"] == "SIM"
    assert config["interval"] == "1h"
    assert config["start"] == 1704067200 and config["end"] == 1704067200 + 31 * 86400
    assert [k for k, v in config["overlays"].items() if v["on"]] == ["swings", "rsi"]
    assert config["pattern"] == "12"  # validated and fetched by the chart (js/chart/pattern.js)


def test_defaults_come_from_preferences(app: Flask, logged_in: FlaskClient) -> None:
    seed_instrument(app, n=10)
    seed_instrument(app, symbol="ZETA", n=10)
    token = csrf_token(logged_in, "/chart")
    prefs = {"symbol": "ZETA", "venue": "SIM", "interval": "1h", "overlays": {}}
    logged_in.put("/api/v1/charts/preferences", json=prefs, headers={"X-CSRFToken": token})
    config = chart_config(logged_in.get("/chart").get_data(as_text=True))
    assert (config["symbol"], config["interval"], config["start"]) == ("ZETA", "1h", None)
    assert config["pattern"] is None


def test_bad_arguments_name_the_field(app: Flask, logged_in: FlaskClient) -> None:
    seed_instrument(app, n=10)
    for query, field in [
        ("interval=7m", "interval"),
        ("startDate=2024-13-01", "startDate"),
        ("startDate=2024-02-01&endDate=2024-01-01", "endDate"),
        ("overlays=tea", "overlays"),
    ]:
        response = logged_in.get(f"/chart?symbol=ACME&{query}")
        assert response.status_code == 400
        assert field in response.get_data(as_text=True)
    missing = logged_in.get("/chart?symbol=NOPE")
    assert missing.status_code == 404 and "NOPE" in missing.get_data(as_text=True)


def test_empty_catalogue_shows_empty_state(logged_in: FlaskClient) -> None:
    response = logged_in.get("/chart")
    assert response.status_code == 200
    assert "No instruments yet" in response.get_data(as_text=True)


def test_tick_data_form_fragment(app: Flask, logged_in: FlaskClient) -> None:
    seed_instrument(app, n=10)
    response = logged_in.get("/tickDataForm?symbol=ACME&venue=sim&interval=1h")
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in html
    assert 'name="symbol" value="ACME"' in html
    assert 'value="SIM" selected' in html
    assert 'id="tdf-interval-1h" value="1h" checked' in html
    for preset in ("1D", "1W", "1M", "3M", "1Y", "custom"):
        assert f'value="{preset}"' in html
    token = csrf_token(logged_in, "/chart")
    posted = logged_in.post(
        "/tickDataForm", data={"symbol": "ACME"}, headers={"X-CSRFToken": token}
    )
    assert posted.status_code == 200 and 'value="15m" checked' in posted.get_data(as_text=True)

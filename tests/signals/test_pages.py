"""Pages render for a signed-in user, with empty states, and their forms report bad input."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient

from tests.charts.factories import seed_instrument
from tests.helpers import csrf_token


def test_pages_render_with_empty_states(logged_in: FlaskClient) -> None:
    for path, text in (
        ("/watchlists", "No watchlists yet"),
        ("/patterns", "Nothing watched yet"),
        ("/signals", "No signals yet"),
        ("/alerts", "No notifications yet"),
        ("/alerts/channels", "No channels"),
    ):
        response = logged_in.get(path)
        assert response.status_code == 200, path
        assert text in response.get_data(as_text=True), path
    form = logged_in.get("/watchlists").get_data(as_text=True)
    assert 'value="15m" checked' in form and 'value="1m" >' in form


def test_watchlist_form_and_bad_filters(app: Flask, logged_in: FlaskClient) -> None:
    seed_instrument(app, "ACME", intervals=(), n=1)
    token = csrf_token(logged_in, "/watchlists")
    created = logged_in.post(
        "/watchlists",
        data={"csrf_token": token, "name": "Mine", "timeframes": ["1h"], "symbols": "ACME, NOPE"},
        follow_redirects=True,
    )
    assert "Watchlist not created" in created.get_data(as_text=True)  # NOPE is unknown
    created = logged_in.post(
        "/watchlists",
        data={"csrf_token": token, "name": "Mine", "timeframes": ["1h"], "symbols": "ACME"},
        follow_redirects=True,
    )
    assert "Watchlist Mine created" in created.get_data(as_text=True)
    page = logged_in.get("/patterns?interval=2h", follow_redirects=True)
    assert page.status_code == 200 and "Filter interval" in page.get_data(as_text=True)
    assert logged_in.get("/patterns").status_code == 200


def test_delete_buttons_check_csrf_and_ownership(app: Flask, logged_in: FlaskClient) -> None:
    seed_instrument(app, "ACME", intervals=(), n=1)
    token = csrf_token(logged_in, "/watchlists")
    logged_in.post(
        "/watchlists", data={"csrf_token": token, "name": "W", "timeframes": ["1h"], "symbols": ""}
    )
    wid = logged_in.get("/api/v1/watchlists").get_json()["watchlists"][0]["id"]
    refused = logged_in.post(f"/watchlists/{wid}/delete", data={}, follow_redirects=True)
    assert "Watchlist deleted" not in refused.get_data(as_text=True)
    missing = logged_in.post(
        f"/watchlists/{wid + 1}/delete", data={"csrf_token": token}, follow_redirects=True
    )
    assert f"No watchlist {wid + 1}." in missing.get_data(as_text=True)
    done = logged_in.post(
        f"/watchlists/{wid}/delete", data={"csrf_token": token}, follow_redirects=True
    )
    assert "Watchlist deleted." in done.get_data(as_text=True)
    assert logged_in.get("/api/v1/watchlists").get_json() == {"watchlists": []}

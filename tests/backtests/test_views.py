"""The /backtests pages: form, background run with progress polling, results, CSV, compare."""

import csv
import io

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.helpers import create_user, csrf_token, web_login
from tradedeck.backtests import services
from tradedeck.backtests.models import BacktestRun
from tradedeck.extensions import db
from tradedeck.worker.queue import get_huey

from .helpers import form, seed


@pytest.fixture
def page(app: Flask, logged_in: FlaskClient) -> FlaskClient:
    seed(app)
    get_huey(app).immediate = True
    return logged_in


def submit(client: FlaskClient, **changes):
    data = {**form(**changes), "csrf_token": csrf_token(client, "/backtests")}
    return client.post("/backtests", data=data)


def test_index_shows_the_form_and_the_empty_state(page):
    html = page.get("/backtests").get_data(as_text=True)
    assert 'id="backtest-form"' in html and "No backtests yet" in html
    assert 'name="sma_cross.fast"' in html and 'name="fvg_retrace.htf_minutes"' in html
    assert '<option value="ACME">SIM</option>' in html


def test_a_run_from_the_form_shows_results(page):
    response = submit(page)
    assert response.status_code == 302
    html = page.get(response.headers["Location"]).get_data(as_text=True)
    assert 'data-status="done"' in html
    assert 'id="backtest-charts"' in html and 'id="stats-table"' in html
    assert 'data-stat="sharpe"' in html and 'id="trades-table"' in html
    assert "Trades CSV" in html
    listing = page.get("/backtests").get_data(as_text=True)
    assert 'data-run="1"' in listing


def test_bad_input_re_renders_the_form_naming_the_field(app, page):
    response = submit(page, cash="-5")
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'data-error-for="cash"' in html and "cash must be above 0" in html
    response = submit(page, **{"sma_cross.fast": "1"})
    assert response.status_code == 400
    assert "between 2 and 1000" in response.get_data(as_text=True)
    response = page.post("/backtests", data=form())  # no CSRF token
    assert response.status_code == 400
    with app.app_context():
        assert db.session.query(BacktestRun).count() == 0


def test_progress_is_polled_until_the_run_finishes(app, page, user):
    get_huey(app).immediate = False  # no worker: the run stays queued
    run_id = int(submit(page).headers["Location"].rsplit("/", 1)[1])
    html = page.get(f"/backtests/{run_id}").get_data(as_text=True)
    assert 'id="backtest-progress"' in html and "every 1s" in html
    assert 'aria-valuenow="0"' in html
    fragment = page.get(f"/backtests/{run_id}/progress")
    assert "HX-Refresh" not in fragment.headers
    with app.app_context():
        services.execute(run_id)
    fragment = page.get(f"/backtests/{run_id}/progress")
    assert fragment.headers["HX-Refresh"] == "true"
    assert 'aria-valuenow="100"' in fragment.get_data(as_text=True)


def test_trades_csv(page):
    location = submit(page).headers["Location"]
    response = page.get(f"{location}/trades.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows[0][:3] == ["Entry time", "Exit time", "Size"]
    assert len(rows) > 2 and rows[1][0].endswith("+00:00")
    assert rows[1][-1] in ("signal", "stop", "target")


def test_compare_two_runs(page):
    first = submit(page).headers["Location"].rsplit("/", 1)[1]
    second = submit(page, **{"sma_cross.fast": "8"}).headers["Location"].rsplit("/", 1)[1]
    html = page.get(f"/backtests/compare?ids={first}&ids={second}").get_data(as_text=True)
    assert 'id="compare-table"' in html and 'id="compare-chart"' in html
    assert f"#{first} ACME" in html and f"#{second} ACME" in html
    response = page.get(f"/backtests/compare?ids={first}")
    assert response.status_code == 302


def test_other_users_runs_are_not_found_and_delete_needs_csrf(app, page):
    location = submit(page).headers["Location"]
    create_user(app, "bob")
    other = app.test_client()
    web_login(other, "bob")
    assert other.get(location).status_code == 404
    assert other.get(f"{location}/trades.csv").status_code == 404
    assert other.get(f"{location}/progress").status_code == 404
    bob_token = csrf_token(other, "/backtests")
    assert other.post(f"{location}/delete", data={"csrf_token": bob_token}).status_code == 404
    assert page.post(f"{location}/delete").status_code == 400  # no CSRF token
    assert page.get(location).status_code == 200
    token = csrf_token(page, location)
    assert page.post(f"{location}/delete", data={"csrf_token": token}).status_code == 302
    assert page.get(location).status_code == 404


def test_unknown_or_huge_ids_are_404(page):
    assert page.get("/backtests/99").status_code == 404
    assert page.get(f"/backtests/{2**70}").status_code == 404
    assert page.get(f"/backtests/compare?ids=1&ids={2**70}").status_code == 404


def test_pages_need_a_login(client):
    assert client.get("/backtests").status_code == 302

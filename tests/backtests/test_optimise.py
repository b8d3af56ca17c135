"""The optimise page: grid values, the heatmap and walk-forward windows, errors by field."""

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.helpers import csrf_token
from tradedeck.backtests import optimise
from tradedeck.backtests.models import BacktestOptimisation
from tradedeck.backtests.optimise import OPTIMISE_MAX_POINTS, _values, parse_grid
from tradedeck.core.errors import DomainError
from tradedeck.extensions import db
from tradedeck.worker.queue import get_huey

from .helpers import form, seed


@pytest.fixture
def page(app: Flask, logged_in: FlaskClient) -> FlaskClient:
    seed(app)
    get_huey(app).immediate = True  # the job runs inside the request that queues it
    return logged_in


def post(client: FlaskClient, **changes):
    data = {**form(**changes), "csrf_token": csrf_token(client, "/backtests/optimise")}
    return client.post("/backtests/optimise", data=data)


def test_grid_values_lists_and_ranges():
    assert _values("grid.fast", "5, 10,20") == ["5", "10", "20"]
    assert _values("grid.fast", "5-20:5") == [5, 10, 15, 20]
    assert _values("grid.fast", "3-5") == [3, 4, 5]
    for bad in ("5-x", "9-3", "1-1000:1", "1-5:0"):
        with pytest.raises(DomainError) as error:
            _values("grid.fast", bad)
        assert error.value.field == "grid.fast"


def test_blank_grid_fields_keep_the_single_value_and_the_size_is_capped():
    grid = parse_grid("sma_cross", {"grid.fast": "5,8", "sma_cross.slow": "30"})
    assert grid == {"fast": ["5", "8"], "slow": ["30"], "direction": ["both"]}
    with pytest.raises(DomainError) as error:
        parse_grid("sma_cross", {"grid.fast": "2-30", "grid.slow": "2-30"})
    assert error.value.field == "grid" and str(OPTIMISE_MAX_POINTS) in error.value.message


def test_page_shows_heatmap_best_points_and_walk_forward(page):
    response = post(
        page,
        **{"grid.fast": "3-9:3", "grid.slow": "15,25", "metric": "return_pct", "windows": "2"},
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    assert response.headers["Location"] == "/backtests/optimise/1"
    html = page.get(response.headers["Location"]).get_data(as_text=True)
    assert 'data-status="done"' in html and 'id="recent-optimisations"' in html
    assert 'value="3-9:3"' in html  # the form as it was given
    assert 'id="heatmap"' in html and html.count("bt-heat-") >= 6
    assert "Return [%] by fast \u00d7 slow" in html
    assert 'id="best-table"' in html and "fast=3, slow=15" in html
    assert html.count("<tr>", html.index('id="walk-forward-table"')) >= 2


def test_page_errors_name_the_field(page):
    response = post(page, **{"grid.fast": "1-3"})
    assert response.status_code == 400
    assert "between 2 and 1000" in response.get_data(as_text=True)
    response = post(page, metric="start")
    assert response.status_code == 400
    response = post(page, windows="500")
    assert response.status_code == 400
    assert "windows must be between 1 and 50" in response.get_data(as_text=True)
    response = post(page, windows="2", train_pct="95")
    assert 'data-error-for="train_pct"' in response.get_data(as_text=True)
    assert page.get("/backtests/optimise/1").status_code == 404  # nothing was queued


def test_empty_state_on_get(page):
    html = page.get("/backtests/optimise").get_data(as_text=True)
    assert "No grid run yet" in html and 'name="grid.fast"' in html


def test_a_queued_optimisation_shows_progress_until_its_job_ran(app: Flask, page):
    get_huey(app).immediate = False  # no worker: it stays queued
    response = post(page, **{"grid.fast": "3,5", "windows": "2"})
    assert response.status_code == 302
    html = page.get("/backtests/optimise/1").get_data(as_text=True)
    assert 'id="backtest-progress"' in html and "/backtests/optimise/1/progress" in html
    fragment = page.get("/backtests/optimise/1/progress")
    assert "Waiting for a worker" in fragment.get_data(as_text=True)
    assert "HX-Refresh" not in fragment.headers
    with app.app_context():
        optimise.execute(1)
        row = db.session.get(BacktestOptimisation, 1)
        assert (row.status, row.progress) == ("done", 100)
        assert len(row.result["grid"]["points"]) == 2 and len(row.result["windows"]) == 2
    fragment = page.get("/backtests/optimise/1/progress")
    assert fragment.headers["HX-Refresh"] == "true"
    assert 'id="heatmap"' in page.get("/backtests/optimise/1").get_data(as_text=True)


def test_progress_counts_every_backtest_of_the_grid_and_the_windows(monkeypatch):
    seen: list[int] = []

    class Row:
        progress = 5

    def stage(row, progress, message, status="running"):
        row.progress = progress
        seen.append(progress)

    monkeypatch.setattr(optimise, "_stage", stage)
    tick = optimise._Progress(Row(), 6 * (1 + 2))
    for _ in range(18):
        tick()
    assert seen == sorted(seen) and seen[-1] == 95 and len(seen) >= 10


def test_a_failing_job_is_marked_failed_with_its_message(app: Flask, page):
    get_huey(app).immediate = False
    post(page, **{"grid.fast": "3,5"})
    with app.app_context():
        row = db.session.get(BacktestOptimisation, 1)
        row.start_time, row.end_time = 0, 3600  # no candles there
        db.session.commit()
        optimise.execute(1)
        row = db.session.get(BacktestOptimisation, 1)
        assert row.status == "failed" and "candles" in row.message
    assert 'id="optimisation-failed"' in page.get("/backtests/optimise/1").get_data(True)


def test_optimisations_are_private_and_deleted_with_csrf(app: Flask, page):
    from tests.helpers import create_user, web_login

    post(page, **{"grid.fast": "3,5"})
    create_user(app, "bob")
    other = app.test_client()
    web_login(other, "bob")
    assert other.get("/backtests/optimise/1").status_code == 404
    assert other.get("/backtests/optimise/1/progress").status_code == 404
    bobs = {"csrf_token": csrf_token(other, "/backtests/optimise")}
    assert other.post("/backtests/optimise/1/delete", data=bobs).status_code == 404
    assert page.post("/backtests/optimise/1/delete").status_code == 400  # no CSRF: kept
    assert page.get("/backtests/optimise/1").status_code == 200
    token = csrf_token(page, "/backtests/optimise")
    page.post("/backtests/optimise/1/delete", data={"csrf_token": token})
    assert page.get("/backtests/optimise/1").status_code == 404

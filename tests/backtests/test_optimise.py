"""The optimise page: grid values, the heatmap and walk-forward windows, errors by field."""

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.helpers import csrf_token
from tradedeck.backtests.optimise import OPTIMISE_MAX_POINTS, _values, parse_grid
from tradedeck.core.errors import DomainError

from .helpers import form, seed


@pytest.fixture
def page(app: Flask, logged_in: FlaskClient) -> FlaskClient:
    seed(app)
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
    html = response.get_data(as_text=True)
    assert response.status_code == 200, html
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


def test_empty_state_on_get(page):
    html = page.get("/backtests/optimise").get_data(as_text=True)
    assert "No grid run yet" in html and 'name="grid.fast"' in html

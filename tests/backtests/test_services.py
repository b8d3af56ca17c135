"""Run requests are validated field by field; the job stores what the core engine computes."""

import math

import numpy as np
import pytest
from flask import Flask

from tests.helpers import create_user
from tradedeck.backtests import services
from tradedeck.backtests.models import BacktestRun
from tradedeck.core.analytics import to_arrays
from tradedeck.core.backtest import Settings, run
from tradedeck.core.errors import DomainError
from tradedeck.extensions import db
from tradedeck.market import store
from tradedeck.worker.queue import get_huey

from .helpers import form, seed


@pytest.fixture
def seeded(app: Flask, user) -> Flask:
    seed(app)
    get_huey(app).immediate = True  # the job runs inside the call that starts it
    return app


def start(app: Flask, user_id: int, **changes) -> BacktestRun:
    with app.test_request_context():
        request, cash = services.parse_request(form(**changes))
        return services.create_run(user_id, request, cash)


def test_a_run_stores_the_core_engines_results(seeded, user):
    with seeded.app_context():
        created = start(seeded, user.id)
        saved = db.session.get(BacktestRun, created.id)
        assert (saved.status, saved.progress) == ("done", 100)
        candles = store.read_candles(
            saved.instrument_id, "1h", saved.start_time, saved.end_time, 50_000
        )
        arrays = to_arrays({n: getattr(candles, n) for n in candles.__dataclass_fields__})
        expected = run(
            arrays,
            "sma_cross",
            {"fast": 5, "slow": 20},
            Settings(commission=0.001, whole_units=False),
        )
        assert saved.bars == len(arrays) > 100
        assert saved.stats["trades"] == expected.stats["trades"] > 0
        assert saved.stats["return_pct"] == pytest.approx(expected.stats["return_pct"])
        assert len(saved.trades) == len(expected.result.trades)
        assert saved.series["equity"] == pytest.approx(expected.result.equity.tolist())
        assert saved.series["drawdown"][0] == 0
        assert min(saved.series["drawdown"]) == pytest.approx(expected.stats["max_drawdown_pct"])
        assert np.all(np.diff(saved.series["time"]) > 0)


def test_undefined_figures_are_stored_as_null(seeded, user):
    with seeded.app_context():
        created = start(seeded, user.id, **{"sma_cross.fast": "700", "sma_cross.slow": "900"})
        saved = db.session.get(BacktestRun, created.id)
        assert saved.status == "done" and saved.stats["trades"] == 0
        assert saved.stats["win_rate_pct"] is None
        assert not any(isinstance(v, float) and math.isnan(v) for v in saved.stats.values())


def test_an_empty_range_fails_the_run_with_a_message(seeded, user):
    with seeded.app_context():
        created = start(seeded, user.id, start="2001-01-01", end="2001-01-10", interval="1d")
        saved = db.session.get(BacktestRun, created.id)
        assert saved.status == "failed"
        assert "candles in that range" in saved.message


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"symbol": ""}, "symbol"),
        ({"symbol": "NOPE"}, "symbol"),
        ({"interval": "7m"}, "interval"),
        ({"start": "yesterday"}, "start"),
        ({"end": "2001-01-01"}, "end"),
        ({"start": "1990-01-01", "interval": "1m"}, "start"),
        ({"strategy": "magic"}, "strategy"),
        ({"sma_cross.fast": "1"}, "params.fast"),
        ({"sma_cross.direction": "up"}, "params.direction"),
        ({"cash": "0"}, "cash"),
        ({"cash": "1000000000"}, "cash"),
        ({"cash": "12.345"}, "cash"),
        ({"cash": "lots"}, "cash"),
        ({"commission_pct": "20"}, "commission_pct"),
        ({"commission_pct": "NaN"}, "commission_pct"),
        ({"size": "150"}, "size"),
        ({"sizing": "risk"}, "sizing"),
        ({"stop": "percent", "stop_value": "0"}, "stop_value"),
        ({"target": "r"}, "target"),
        ({"fill": "later"}, "fill"),
    ],
)
def test_bad_fields_are_named(seeded, changes, field):
    with seeded.test_request_context(), pytest.raises(DomainError) as error:
        services.parse_request(form(**changes))
    assert error.value.field == field
    assert 400 <= error.value.status < 500


def test_percent_fields_become_engine_fractions(seeded):
    with seeded.test_request_context():
        request, cash = services.parse_request(
            form(
                commission_pct="0.2",
                slippage_pct="0.05",
                sizing="risk",
                size="1",
                stop="percent",
                stop_value="3",
                target="r",
                target_value="2",
            )
        )
    s = request.settings
    assert (s.commission, s.slippage, s.size, s.stop_value, s.target_value) == (
        0.002,
        0.0005,
        0.01,
        0.03,
        2.0,
    )
    assert str(cash) == "10000"


def test_runs_are_private_and_limited(seeded, user):
    other = create_user(seeded, "bob")
    with seeded.app_context():
        mine = start(seeded, user.id)
        with pytest.raises(DomainError) as error:
            services.run_of(other.id, mine.id)
        assert error.value.status == 404
        assert [r.id for r in services.runs_of(other.id)] == []
        config = seeded.config["TRADEDECK"]
        seeded.config["TRADEDECK"] = config.model_copy(update={"backtest_max_runs": 1})
        with pytest.raises(DomainError) as error:
            start(seeded, user.id)
        assert error.value.status == 409 and error.value.code == "too_many_runs"
        seeded.config["TRADEDECK"] = config
        services.delete_run(user.id, mine.id)
        assert services.runs_of(user.id) == []

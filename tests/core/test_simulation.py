import numpy as np
import pytest

from tradedeck.core.simulation import SECONDS_PER_DAY, gbm_step, generate_history, round_to_tick


def _path(seed: int, steps: int = 50) -> np.ndarray:
    rng = np.random.default_rng(seed)
    price = np.full(100, 100.0)
    out = []
    for _ in range(steps):
        price = gbm_step(price, 0.0001, 0.02, 2, rng, max_tick_pct=0.05)
        out.append(price)
    return np.array(out)


def test_same_seed_same_path_and_different_seed_differs():
    assert np.array_equal(_path(7), _path(7))
    assert not np.array_equal(_path(7), _path(8))


def test_clamp_is_respected_even_with_huge_volatility():
    rng = np.random.default_rng(1)
    price = np.full(10_000, 50.0)
    new = gbm_step(price, 0.0, 5.0, SECONDS_PER_DAY, rng, max_tick_pct=0.05)
    ret = new / price - 1
    assert np.all(np.abs(ret) <= 0.05 + 1e-12)
    assert np.isclose(np.abs(ret).max(), 0.05)


def test_tick_rounding_stays_on_grid_and_inside_clamp():
    rng = np.random.default_rng(2)
    price = np.full(5_000, 10.0)
    tick = np.full(5_000, 0.05)
    for _ in range(20):
        new = gbm_step(price, 0.0, 3.0, SECONDS_PER_DAY, rng, max_tick_pct=0.05, tick_size=tick)
        assert np.allclose(new / 0.05, np.round(new / 0.05))
        assert np.all(np.abs(new / price - 1) <= 0.05 + 1e-9)
        price = new


def test_round_to_tick_keeps_price_when_band_holds_no_grid_point():
    prev = np.array([0.011, 100.0])
    new = np.array([0.0112, 100.03])
    out = round_to_tick(new, prev, np.array([0.01, np.nan]), 0.05)
    assert out[0] == pytest.approx(0.011)
    assert out[1] == pytest.approx(100.03)


def test_statistics_match_configured_drift_and_volatility():
    drift = np.array([0.01, -0.005, 0.0])
    vol = np.array([0.02, 0.03, 0.01])
    rng = np.random.default_rng(3)
    steps = 20_000
    price = np.full(3, 100.0)
    log_returns = np.empty((steps, 3))
    for i in range(steps):
        new = gbm_step(price, drift, vol, SECONDS_PER_DAY, rng, max_tick_pct=1.0)
        log_returns[i] = np.log(new / price)
        price = new
    # E[simple return] = drift per day; std of log return = volatility per sqrt(day)
    simple = np.expm1(log_returns)
    assert np.allclose(simple.mean(axis=0), drift, atol=4 * vol / np.sqrt(steps))
    assert np.allclose(log_returns.std(axis=0), vol, rtol=0.03)


def test_sub_day_ticks_scale_volatility_by_sqrt_time():
    rng = np.random.default_rng(4)
    price = np.full(200_000, 100.0)
    new = gbm_step(price, 0.0, 0.02, 2, rng, max_tick_pct=1.0)
    expected = 0.02 * np.sqrt(2 / SECONDS_PER_DAY)
    assert np.log(new / price).std() == pytest.approx(expected, rel=0.01)


def test_history_is_deterministic_and_well_formed():
    end = 1_700_000_000
    a = generate_history(150.0, end, 30, drift=0.0001, volatility=0.02, seed=11, tick_size=0.01)
    b = generate_history(150.0, end, 30, drift=0.0001, volatility=0.02, seed=11, tick_size=0.01)
    c = generate_history(150.0, end, 30, drift=0.0001, volatility=0.02, seed=12, tick_size=0.01)
    assert all(np.array_equal(x, y) for x, y in zip(a.columns(), b.columns(), strict=True))
    assert not np.array_equal(a.close, c.close)
    assert len(a) == 30 * 1440
    assert np.all(np.diff(a.time) == 60)
    assert a.time[-1] == end // 60 * 60 - 60
    assert a.close[-1] == pytest.approx(150.0, abs=0.005)
    assert np.array_equal(a.open[1:], a.close[:-1])
    assert np.all(a.high >= np.maximum(a.open, a.close))
    assert np.all(a.low <= np.minimum(a.open, a.close))
    assert np.all(a.volume > 0)
    # per-candle moves bounded by 30 clamped ticks
    assert np.all(a.close / a.open <= 1.05**30)


def test_history_rejects_tick_interval_not_dividing_a_minute():
    with pytest.raises(ValueError, match="divide 60"):
        generate_history(1.0, 0, 1, drift=0, volatility=0.01, seed=1, tick_seconds=7)

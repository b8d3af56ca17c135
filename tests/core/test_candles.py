import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tradedeck.core.candles import (
    INTERVALS,
    OHLCV,
    FormingCandles,
    IntervalError,
    bucket_start,
    interval_seconds,
    resample,
)

MONDAY = 1_704_067_200  # 2024-01-01 00:00 UTC, a Monday


@st.composite
def minute_candles(draw) -> OHLCV:
    n = draw(st.integers(1, 400))
    start = MONDAY + 60 * draw(st.integers(-20_000, 20_000))
    gaps = draw(st.lists(st.integers(1, 90), min_size=n, max_size=n))
    times = start + 60 * np.cumsum(gaps)
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    o = rng.uniform(10, 20, n)
    c = rng.uniform(10, 20, n)
    h = np.maximum(o, c) + rng.uniform(0, 1, n)
    low = np.minimum(o, c) - rng.uniform(0, 1, n)
    v = rng.integers(0, 1000, n).astype(float)
    return OHLCV.from_columns(times, o, h, low, c, v)


def _equal(a: OHLCV, b: OHLCV) -> bool:
    return len(a) == len(b) and all(
        np.allclose(x, y) for x, y in zip(a.columns(), b.columns(), strict=True)
    )


def test_interval_seconds_and_errors():
    assert interval_seconds("15m") == 900
    assert interval_seconds("1w") == 7 * 86_400
    with pytest.raises(IntervalError, match=r"unknown interval '7m'; expected one of 1m, 5m"):
        interval_seconds("7m")
    with pytest.raises(IntervalError):
        interval_seconds(None)


def test_bucket_alignment_is_utc_epoch_and_weeks_start_monday():
    t = MONDAY + 3 * 86_400 + 5 * 3600 + 17 * 60 + 9  # Thursday 05:17:09
    assert bucket_start(t, "15m") == MONDAY + 3 * 86_400 + 5 * 3600 + 15 * 60
    assert bucket_start(t, "4h") == MONDAY + 3 * 86_400 + 4 * 3600
    assert bucket_start(t, "1d") == MONDAY + 3 * 86_400
    assert bucket_start(t, "1w") == MONDAY
    assert bucket_start(MONDAY - 1, "1w") == MONDAY - 7 * 86_400


def test_resample_small_example():
    c = OHLCV.from_columns(
        [MONDAY, MONDAY + 60, MONDAY + 300],
        [1, 2, 5],
        [3, 4, 6],
        [0.5, 1, 4],
        [2, 3, 5.5],
        [10, 20, 30],
    )
    r = resample(c, "5m")
    assert r.time.tolist() == [MONDAY, MONDAY + 300]
    assert r.open.tolist() == [1, 5]
    assert r.high.tolist() == [4, 6]
    assert r.low.tolist() == [0.5, 4]
    assert r.close.tolist() == [3, 5.5]
    assert r.volume.tolist() == [30, 30]


def test_resample_rejects_unsorted():
    c = OHLCV.from_columns([120, 60], [1, 1], [1, 1], [1, 1], [1, 1], [1, 1])
    with pytest.raises(ValueError, match="sorted"):
        resample(c, "5m")


@settings(max_examples=60, deadline=None)
@given(minute_candles(), st.sampled_from([i for i in INTERVALS if i != "1m"]))
def test_resample_invariants(candles, interval):
    r = resample(candles, interval)
    assert np.isclose(r.volume.sum(), candles.volume.sum())
    assert np.all(r.high >= np.maximum(r.open, r.close))
    assert np.all(r.low <= np.minimum(r.open, r.close))
    assert np.all(np.diff(r.time) > 0)
    assert np.all(r.time % 60 == 0)
    assert np.array_equal(bucket_start(r.time, interval), r.time)


@settings(max_examples=60, deadline=None)
@given(
    minute_candles(),
    st.sampled_from(
        [
            ("5m", "15m"),
            ("5m", "30m"),
            ("15m", "1h"),
            ("1h", "4h"),
            ("4h", "1d"),
            ("1h", "1d"),
            ("1d", "1w"),
        ]
    ),
)
def test_resampling_in_steps_equals_resampling_directly(candles, steps):
    mid, target = steps
    assert _equal(resample(resample(candles, mid), target), resample(candles, target))


@settings(max_examples=40, deadline=None)
@given(minute_candles())
def test_resample_1m_to_1m_is_identity(candles):
    assert _equal(resample(candles, "1m"), candles)


def test_normalized_and_concat_dedupe_keeping_last():
    a = OHLCV.from_columns([60, 120], [1, 2], [1, 2], [1, 2], [1, 2], [1, 2])
    b = OHLCV.from_columns([120, 0], [9, 0], [9, 0], [9, 0], [9, 0], [9, 0])
    c = OHLCV.concat([a, b])
    assert c.time.tolist() == [0, 60, 120]
    assert c.close.tolist() == [0, 1, 9]
    assert c.between(60, 120).time.tolist() == [60]


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(1, 200), st.floats(1, 100), st.floats(0, 10)),
        min_size=1,
        max_size=300,
    ),
    st.integers(0, 3),
)
def test_forming_candles_from_ticks_match_resampled_ticks(ticks, replay):
    """Ticks folded one by one give exactly the resample of the tick series; replays are ignored."""
    times = MONDAY + np.cumsum([t for t, _, _ in ticks])
    prices = np.array([p for _, p, _ in ticks])
    vols = np.array([v for _, _, v in ticks])
    forming = FormingCandles(2, ("1m", "15m", "1h"))
    closed: dict[str, list[OHLCV]] = {"1m": [], "15m": [], "1h": []}
    for i, (t, p, v) in enumerate(zip(times, prices, vols, strict=True)):
        for _ in range(1 + (replay if i % 7 == 0 else 0)):
            for c in forming.apply(
                t, np.array([p, 2 * p]), np.array([v, v]), np.array([True, i % 2 == 0])
            ):
                assert c.instrument.tolist() in ([0], [0, 1], [1])
                if 0 in c.instrument:
                    closed[c.interval].append(c.candles.take(c.instrument == 0))
    tick_series = OHLCV.from_columns(times, prices, prices, prices, prices, vols)
    for interval in ("1m", "15m", "1h"):
        current = forming.current(interval).take(np.array([0]))
        got = OHLCV.concat([*closed[interval], current])
        assert _equal(got, resample(tick_series, interval))


def test_forming_candle_roll_and_restore():
    f = FormingCandles(3, ("1m", "5m"))
    t0 = MONDAY
    assert f.apply(t0, np.array([1.0, 2.0, np.nan]), 1.0) == []
    f.apply(t0 + 30, np.array([1.5, 1.0, 3.0]), 1.0)
    closed = f.apply(t0 + 60, np.array([0.5, 2.5, 3.5]), 1.0)
    assert [c.interval for c in closed] == ["1m"]
    assert closed[0].instrument.tolist() == [0, 1, 2]
    c = closed[0].candles
    assert c.open.tolist() == [1.0, 2.0, 3.0]
    assert c.high.tolist() == [1.5, 2.0, 3.0]
    assert c.low.tolist() == [1.0, 1.0, 3.0]
    assert c.volume.tolist() == [2.0, 2.0, 1.0]
    five = f.current("5m")
    assert five.volume.tolist() == [3.0, 3.0, 2.0]

    again = FormingCandles(3, ("1m", "5m"))
    again.restore("5m", np.arange(3), five, last_time=t0 + 60)
    assert again.apply(t0 + 60, np.array([9.0, 9.0, 9.0]), 5.0) == []
    assert again.current("5m").volume.tolist() == [3.0, 3.0, 2.0]
    again.apply(t0 + 90, np.array([9.0, 9.0, 9.0]), 5.0)
    assert again.current("5m").high.tolist() == [9.0, 9.0, 9.0]
    assert again.current("5m").open.tolist() == [1.0, 2.0, 3.0]
    assert again.current("5m").volume.tolist() == [8.0, 8.0, 7.0]


def test_records_are_chart_ready_dicts() -> None:
    candles = OHLCV(
        np.array([60, 120], dtype=np.int64),
        np.array([1.0, 2.0]),
        np.array([1.5, 2.5]),
        np.array([0.5, 1.5]),
        np.array([1.25, 2.25]),
        np.array([10.0, 0.0]),
    )
    assert candles.records() == [
        {"time": 60, "open": 1.0, "high": 1.5, "low": 0.5, "close": 1.25, "volume": 10.0},
        {"time": 120, "open": 2.0, "high": 2.5, "low": 1.5, "close": 2.25, "volume": 0.0},
    ]
    assert isinstance(candles.records()[0]["time"], int)
    assert OHLCV.empty().records() == []

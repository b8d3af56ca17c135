"""Geometric Brownian motion price paths for the simulated market.

Convention (matches DEFAULT_DRIFT / DEFAULT_VOLATILITY, both per trading day):
`drift` is the expected return per trading day and `volatility` the standard deviation
of the log return over one trading day. A trading day lasts `day_seconds` (default
86,400: the simulated venue trades around the clock until venue hours restrict it), so
a tick of `dt` seconds covers the fraction ``dt / day_seconds`` of a day:

    log return = (drift - volatility² / 2) · f + volatility · √f · Z,   f = dt / day_seconds

Each tick's simple return is then clamped to ±max_tick_pct (the MAX_TICK_PCT setting), so one
tick can never move a price more than that fraction.
"""

from __future__ import annotations

import numpy as np

from tradedeck.core.candles import OHLCV

SECONDS_PER_DAY = 86_400


def _as_array(value: float | np.ndarray, n: int) -> np.ndarray:
    return np.broadcast_to(np.asarray(value, dtype=np.float64), (n,))


def tick_returns(
    n: int,
    drift: float | np.ndarray,
    volatility: float | np.ndarray,
    dt_seconds: float,
    rng: np.random.Generator,
    *,
    max_tick_pct: float,
    day_seconds: float = SECONDS_PER_DAY,
    size: tuple[int, ...] = (),
) -> np.ndarray:
    """Clamped simple returns of one tick, shape ``size + (n,)``."""
    f = dt_seconds / day_seconds
    mu = _as_array(drift, n)
    sigma = _as_array(volatility, n)
    z = rng.standard_normal((*size, n))
    log_ret = (mu - 0.5 * sigma * sigma) * f + sigma * np.sqrt(f) * z
    return np.clip(np.expm1(log_ret), -max_tick_pct, max_tick_pct)


def round_to_tick(
    new: np.ndarray, previous: np.ndarray, tick_size: np.ndarray, max_tick_pct: float
) -> np.ndarray:
    """Round to the tick grid without leaving the clamp band around `previous`.

    A tick size of 0 or NaN means "no grid". When the band holds no grid point (price so
    low that one tick exceeds the clamp) the price stays where it was.
    """
    tick = np.where(np.isfinite(tick_size) & (tick_size > 0), tick_size, np.nan)
    lo = np.ceil(previous * (1 - max_tick_pct) / tick) * tick
    hi = np.floor(previous * (1 + max_tick_pct) / tick) * tick
    rounded = np.clip(np.round(new / tick) * tick, lo, hi)
    rounded = np.where(lo <= hi, rounded, previous)
    return np.where(np.isnan(tick), new, rounded)


def gbm_step(
    price: np.ndarray,
    drift: float | np.ndarray,
    volatility: float | np.ndarray,
    dt_seconds: float,
    rng: np.random.Generator,
    *,
    max_tick_pct: float = 0.05,
    tick_size: np.ndarray | None = None,
    day_seconds: float = SECONDS_PER_DAY,
) -> np.ndarray:
    """Step every instrument's last price by one tick of `dt_seconds` in one vectorised update."""
    price = np.asarray(price, dtype=np.float64)
    ret = tick_returns(
        price.shape[0],
        drift,
        volatility,
        dt_seconds,
        rng,
        max_tick_pct=max_tick_pct,
        day_seconds=day_seconds,
    )
    new = price * (1.0 + ret)
    if tick_size is None:
        return new
    return round_to_tick(new, price, np.asarray(tick_size, dtype=np.float64), max_tick_pct)


def generate_history(
    end_price: float,
    end_time: int,
    days: float,
    *,
    drift: float,
    volatility: float,
    seed: int,
    tick_seconds: int = 2,
    max_tick_pct: float = 0.05,
    tick_size: float | None = None,
    day_seconds: float = SECONDS_PER_DAY,
    mean_volume: float = 1_000.0,
    minute_times: np.ndarray | None = None,
) -> OHLCV:
    """1-minute candles covering `days` before `end_time`, ending at `end_price`.

    Each minute is built from the same clamped GBM ticks the live engine uses
    (`60 / tick_seconds` per candle), so backfilled history looks like live data. GBM is
    scale-invariant, so the path is scaled to finish exactly at `end_price`: the chart
    joins the current price without a jump. Deterministic for a given seed.
    `minute_times` (sorted open times) replaces the unbroken minutes, for a venue that
    trades in sessions: the path walks only through them, so each open gaps from the close.
    """
    if 60 % tick_seconds:
        raise ValueError("tick_seconds must divide 60")
    rng = np.random.default_rng(seed)
    if minute_times is None:
        last_open = end_time // 60 * 60 - 60
        n = round(days * 1440)
        times = last_open - 60 * np.arange(n - 1, -1, -1, dtype=np.int64)
    else:
        times = np.asarray(minute_times, dtype=np.int64)
        n = len(times)
        if not n:
            return OHLCV.empty()
    per_candle = 60 // tick_seconds
    ret = tick_returns(
        1,
        drift,
        volatility,
        tick_seconds,
        rng,
        max_tick_pct=max_tick_pct,
        day_seconds=day_seconds,
        size=(n * per_candle,),
    )[:, 0]
    path = np.cumprod(1.0 + ret).reshape(n, per_candle)
    path *= end_price / path[-1, -1]
    close = path[:, -1]
    open_ = np.r_[path[0, 0] / (1.0 + ret[0]), close[:-1]]
    high = np.maximum(path.max(axis=1), open_)
    low = np.minimum(path.min(axis=1), open_)
    if tick_size:
        open_, high, low, close = (
            np.round(a / tick_size) * tick_size for a in (open_, high, low, close)
        )
    volume = np.round(rng.lognormal(np.log(mean_volume), 0.5, n))
    return OHLCV(times, open_, high, low, close, volume)

"""The bar-by-bar simulation: one position at a time, fills, stops, targets, costs.

Rules (also in the README):
- A signal is read at the close of its bar. By default it fills at the *next* bar's open
  (`fill="open"`); with `fill="close"` it fills at the signal bar's close. Either way nothing
  after the signal bar is used to decide it, so trades cannot look ahead.
- An opposite entry signal closes the position and opens the other side (a reversal); an exit
  signal closes it; an entry in the direction already held is ignored.
- Stops and targets are checked on every bar the position is held, from the bar of the entry
  fill (next-open fills) or the bar after it (close fills). A bar that opens beyond a level
  fills at that open (the worse price). **When one bar touches both the stop and the target,
  the stop is assumed to have come first** (pessimistic: a bar's path is unknown).
- Commission is `fixed + relative * notional` per fill; slippage moves every fill against the
  trader by a fraction of its price (buys higher, sells lower).
- Cash is real cash (a buy pays units * price + commission, a sale receives it, less
  commission); equity at every bar is cash + units * close. A position still open at the end
  stays open: it is in the equity curve and reported apart from the closed trades.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from numba import njit

from tradedeck.core.errors import DomainError

from .signals import Signals

FILLS = ("open", "close")
SIZINGS = ("equity", "units", "risk")
STOPS = ("none", "percent", "atr", "level")
TARGETS = ("none", "percent", "atr", "r")
EXIT_REASONS = ("signal", "stop", "target")

_REASON_SIGNAL, _REASON_STOP, _REASON_TARGET = 0, 1, 2
_SIZE_EQUITY, _SIZE_UNITS, _SIZE_RISK = 0, 1, 2
_FULL = 1.0 - np.finfo(np.float64).eps
"""Default equity fraction: all of it, less one ulp (as backtesting.py's `buy()`)."""


class BacktestError(DomainError):
    """Settings that cannot be simulated (400, naming the setting)."""


@dataclass(frozen=True)
class Settings:
    """How orders are filled, sized, protected and charged.

    `size` means: the fraction of equity per trade (`sizing="equity"`), a number of units
    (`"units"`) or the fraction of equity risked down to the stop (`"risk"`, needs a stop).
    `stop_value` / `target_value` are a fraction of the fill price (`percent`), a multiple of
    ATR at the signal bar (`atr`) or of the stop distance (`target="r"`); `stop="level"` uses
    the strategy's own level (below the zone it traded).
    """

    cash: float = 10_000.0
    commission: float = 0.0
    commission_fixed: float = 0.0
    slippage: float = 0.0
    fill: str = "open"
    sizing: str = "equity"
    size: float = _FULL
    whole_units: bool = True
    stop: str = "none"
    stop_value: float = 0.0
    target: str = "none"
    target_value: float = 0.0
    atr_length: int = 14

    def __post_init__(self) -> None:
        _choice("fill", self.fill, FILLS)
        _choice("sizing", self.sizing, SIZINGS)
        _choice("stop", self.stop, STOPS)
        _choice("target", self.target, TARGETS)
        _range("cash", self.cash, 0.0, 1e12, open_low=True)
        _range("commission", self.commission, 0.0, 0.1)
        _range("commission_fixed", self.commission_fixed, 0.0, 1e9)
        _range("slippage", self.slippage, 0.0, 0.1)
        upper = 1.0 if self.sizing != "units" else 1e12
        _range("size", self.size, 0.0, upper, open_low=True)
        if self.stop in ("percent", "atr"):
            _range("stop_value", self.stop_value, 0.0, 1e6, open_low=True)
        if self.target in ("percent", "atr", "r"):
            _range("target_value", self.target_value, 0.0, 1e6, open_low=True)
        if self.stop == "percent" and self.stop_value >= 1:
            raise BacktestError("a percent stop must be below 1 (100%)", field="stop_value")
        if self.sizing == "risk" and self.stop == "none":
            raise BacktestError("risk sizing needs a stop", field="sizing")
        if self.target == "r" and self.stop == "none":
            raise BacktestError("an R-multiple target needs a stop", field="target")
        if not 1 <= self.atr_length <= 10_000:
            raise BacktestError("atr_length must be between 1 and 10000", field="atr_length")


def _choice(name: str, value: str, allowed: tuple[str, ...]) -> None:
    if value not in allowed:
        raise BacktestError(f"{name} must be one of {', '.join(allowed)}", field=name)


def _range(name: str, value: float, low: float, high: float, *, open_low: bool = False) -> None:
    number = float(value)
    if not np.isfinite(number) or number > high or number < low or (open_low and number == low):
        side = ">" if open_low else ">="
        raise BacktestError(f"{name} must be {side} {low} and <= {high}", field=name)


@dataclass(frozen=True, eq=False)
class Trades:
    """Closed trades as columns; `size` is signed units (negative = short)."""

    size: np.ndarray
    entry_bar: np.ndarray
    exit_bar: np.ndarray
    entry_price: np.ndarray
    exit_price: np.ndarray
    stop: np.ndarray
    target: np.ndarray
    commission: np.ndarray
    reason: np.ndarray

    def __len__(self) -> int:
        return int(self.size.size)

    @property
    def pnl(self) -> np.ndarray:
        """Profit in cash, after both commissions."""
        return self.size * (self.exit_price - self.entry_price) - self.commission

    @property
    def return_pct(self) -> np.ndarray:
        """Return as a fraction of the entry notional, after commissions (backtesting.py's)."""
        notional = np.abs(self.size) * self.entry_price
        gross = np.sign(self.size) * (self.exit_price / self.entry_price - 1)
        return gross - self.commission / notional

    @property
    def r_multiple(self) -> np.ndarray:
        """Profit in units of the initial risk (entry to stop, in cash); NaN without a stop."""
        risk = np.abs(self.size) * np.abs(self.entry_price - self.stop)
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(risk > 0, self.pnl / risk, np.nan)


@dataclass(frozen=True, eq=False)
class Result:
    """Equity, cash and position per bar, the closed trades and any still-open trade."""

    equity: np.ndarray
    cash: np.ndarray
    units: np.ndarray
    trades: Trades
    open_trade: dict[str, float] | None
    warmup: int
    settings: Settings = field(default_factory=Settings)


@njit(cache=True)
def _fill_units(
    equity: float,
    price: float,
    distance: float,
    sizing: int,
    size: float,
    whole: bool,
    rel: float,
    fixed: float,
) -> float:
    """Units to trade, or 0 when the account cannot afford even one."""
    per_unit = price + price * rel
    affordable = (equity - fixed) / per_unit
    if sizing == _SIZE_EQUITY:
        units = (equity * size - fixed) / per_unit
    elif sizing == _SIZE_UNITS:
        units = size
    else:
        units = min(equity * size / distance, affordable)
    if whole:
        units = np.floor(units)
    if units <= 0 or units > affordable * (1.0 + 1e-12):
        return 0.0
    return units


@njit(cache=True)
def _record(
    book: np.ndarray,
    reasons: np.ndarray,
    count: int,
    position: np.ndarray,
    fill: float,
    comm: float,
    bar: int,
    reason: int,
) -> None:
    """Write the closed position as trade `count` (columns of `book`, see `_simulate`)."""
    book[0, count] = position[0]
    book[1, count] = position[2]
    book[2, count] = bar
    book[3, count] = position[1]
    book[4, count] = fill
    book[5, count] = position[4]
    book[6, count] = position[5]
    book[7, count] = comm + position[3]
    reasons[count] = reason


@njit(cache=True)
def _simulate(
    open_: np.ndarray,
    high: np.ndarray,
    low: np.ndarray,
    close: np.ndarray,
    entry: np.ndarray,
    exit_: np.ndarray,
    stop_level: np.ndarray,
    stop_dist: np.ndarray,
    target_dist: np.ndarray,
    costs: np.ndarray,
    sizing: int,
    on_close: bool,
    whole: bool,
):
    """`costs` = [cash, relative commission, fixed commission, slippage, size, stop %,
    target %, target R]. The open position is `position` = [units, entry price, entry bar,
    entry commission, stop, target]; `book` rows are the `Trades` columns."""
    cash, rel, fixed, slip, size, stop_pct, target_pct, target_r = costs
    n = close.size
    equity = np.empty(n)
    cash_out = np.empty(n)
    units_out = np.empty(n)
    book = np.empty((8, n + 1))
    reasons = np.empty(n + 1, np.int64)
    count = 0
    position = np.zeros(6)
    check_from = 0
    for i in range(n):
        for step in range(3):
            act = (step == 0 and not on_close and i > 0) or (step == 2 and on_close)
            if step == 1 and position[0] != 0.0 and i >= check_from:
                long = position[0] > 0
                stop, target = position[4], position[5]
                hit = 0
                price = 0.0
                if not np.isnan(stop) and ((low[i] <= stop) if long else (high[i] >= stop)):
                    hit = _REASON_STOP
                    price = min(open_[i], stop) if long else max(open_[i], stop)
                elif not np.isnan(target) and ((high[i] >= target) if long else (low[i] <= target)):
                    hit = _REASON_TARGET
                    price = max(open_[i], target) if long else min(open_[i], target)
                if hit != 0:
                    fill = price * (1.0 - slip) if long else price * (1.0 + slip)
                    comm = fixed + abs(position[0]) * fill * rel
                    cash += position[0] * fill - comm
                    _record(book, reasons, count, position, fill, comm, i, hit)
                    count += 1
                    position[0] = 0.0
            if not act:
                continue
            s = i if on_close else i - 1
            base = close[i] if on_close else open_[i]
            side = entry[s]
            held = 1 if position[0] > 0 else (-1 if position[0] < 0 else 0)
            if held != 0 and (exit_[s] or (side != 0 and side != held)):
                fill = base * (1.0 - slip) if held > 0 else base * (1.0 + slip)
                comm = fixed + abs(position[0]) * fill * rel
                cash += position[0] * fill - comm
                _record(book, reasons, count, position, fill, comm, i, _REASON_SIGNAL)
                count += 1
                position[0] = 0.0
            if side == 0 or position[0] != 0.0:
                continue
            fill = base * (1.0 + slip) if side > 0 else base * (1.0 - slip)
            level = np.nan
            if not np.isnan(stop_level[s]):
                level = stop_level[s]
            elif not np.isnan(stop_dist[s]):
                level = fill - side * stop_dist[s]
            elif stop_pct > 0:
                level = fill * (1.0 - side * stop_pct)
            if not np.isnan(level) and not (level < fill if side > 0 else level > fill):
                continue  # the fill is already beyond the stop: no trade
            distance = abs(fill - level)
            if sizing == _SIZE_RISK and not distance > 0:
                continue
            qty = _fill_units(cash, fill, distance, sizing, size, whole, rel, fixed)
            if qty <= 0:
                continue
            goal = np.nan
            if not np.isnan(target_dist[s]):
                goal = fill + side * target_dist[s]
            elif target_pct > 0:
                goal = fill * (1.0 + side * target_pct)
            elif target_r > 0 and not np.isnan(distance):
                goal = fill + side * target_r * distance
            commission = fixed + qty * fill * rel
            position[0] = side * qty
            position[1] = fill
            position[2] = i
            position[3] = commission
            position[4] = level
            position[5] = goal
            cash -= position[0] * fill + commission
            check_from = i + 1 if on_close else i
        equity[i] = cash + position[0] * close[i]
        cash_out[i] = cash
        units_out[i] = position[0]
    return equity, cash_out, units_out, book[:, :count], reasons[:count], position


def simulate(
    open_: np.ndarray,
    high: np.ndarray,
    low: np.ndarray,
    close: np.ndarray,
    signals: Signals,
    settings: Settings,
    atr: np.ndarray | None = None,
) -> Result:
    """Run the rules above over one series; `atr` is needed for ATR stops or targets."""
    n = close.size
    nothing = np.full(n, np.nan)
    stop_level = signals.stop_level if settings.stop == "level" else nothing
    needs_atr = settings.stop == "atr" or settings.target == "atr"
    if needs_atr and atr is None:
        raise BacktestError("ATR stops and targets need the ATR series", field="stop")
    stop_dist = atr * settings.stop_value if settings.stop == "atr" else nothing
    target_dist = atr * settings.target_value if settings.target == "atr" else nothing
    costs = np.array(
        [
            settings.cash,
            settings.commission,
            settings.commission_fixed,
            settings.slippage,
            settings.size,
            settings.stop_value if settings.stop == "percent" else 0.0,
            settings.target_value if settings.target == "percent" else 0.0,
            settings.target_value if settings.target == "r" else 0.0,
        ],
        np.float64,
    )
    equity, cash, units, book, reasons, position = _simulate(
        open_,
        high,
        low,
        close,
        signals.entry,
        signals.exit,
        stop_level,
        stop_dist,
        target_dist,
        costs,
        SIZINGS.index(settings.sizing),
        settings.fill == "close",
        bool(settings.whole_units),
    )
    trades = Trades(
        size=book[0],
        entry_bar=book[1].astype(np.int64),
        exit_bar=book[2].astype(np.int64),
        entry_price=book[3],
        exit_price=book[4],
        stop=book[5],
        target=book[6],
        commission=book[7],
        reason=reasons,
    )
    open_trade = None
    if position[0] != 0.0:
        open_trade = {
            "size": float(position[0]),
            "entry_bar": int(position[2]),
            "entry_price": float(position[1]),
            "commission": float(position[3]),
            "stop": float(position[4]),
            "target": float(position[5]),
        }
    return Result(equity, cash, units, trades, open_trade, signals.warmup, settings)

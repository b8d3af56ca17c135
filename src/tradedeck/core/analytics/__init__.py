"""TradeDeck's analytics engine: exact, look-ahead-free indicators and smart-money studies.

Pure NumPy (with compiled loops where the logic is sequential); no Flask, no database.
Definitions: shared/ANALYTICS.md. Every study takes a DataFrame, a mapping of arrays, a list of
candle dicts or `Candles`, validates it, and returns arrays (indicators) or `Events`.
"""

from .analyze import analyze
from .candles import MAX_CANDLES, Candles, to_arrays
from .errors import AnalyticsInputError
from .events import Events
from .fvg import fvg
from .gaps import gaps
from .indicators import Bollinger, Macd, atr, bollinger, ema, macd, rsi, sma
from .liquidity import liquidity
from .order_blocks import order_blocks
from .previous_hl import PreviousHighLow, previous_hl
from .registry import ALIASES, STUDIES
from .structure import structure
from .swings import swings
from .timeframes import on_higher_timeframe, resample

__all__ = [
    "ALIASES",
    "MAX_CANDLES",
    "STUDIES",
    "AnalyticsInputError",
    "Bollinger",
    "Candles",
    "Events",
    "Macd",
    "PreviousHighLow",
    "analyze",
    "atr",
    "bollinger",
    "ema",
    "fvg",
    "gaps",
    "liquidity",
    "macd",
    "on_higher_timeframe",
    "order_blocks",
    "previous_hl",
    "resample",
    "rsi",
    "sma",
    "structure",
    "swings",
    "to_arrays",
]

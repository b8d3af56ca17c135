from datetime import UTC, datetime
from decimal import Decimal

import numpy as np
import pytest

from tradedeck.market.providers.base import InstrumentInfo, MarketDataProvider, ProviderError
from tradedeck.market.providers.simulated import SimInstrument, SimulatedProvider

NOW = datetime(2024, 1, 10, 12, 0, 30, tzinfo=UTC)


def _provider(state=None, seed=1):
    infos = [
        InstrumentInfo("ACME", "Acme Corp", "SIM", "stock", "ACME", "USD", Decimal("0.01")),
        InstrumentInfo("ZED", "Zed Ltd", "SIM", "stock", "ZED", "USD"),
    ]
    insts = [
        SimInstrument(infos[0], Decimal("100.00")),
        SimInstrument(infos[1], Decimal("5"), 0.0, 0.05),
    ]
    return SimulatedProvider(insts, price_state=state, seed=seed, clock=lambda: NOW)


def test_symbols_and_quotes_from_state():
    state = {"ACME": (Decimal("101.25"), NOW)}
    p = _provider(state.get)
    assert isinstance(p, MarketDataProvider)
    assert [i.symbol for i in p.list_symbols()] == ["ACME", "ZED"]
    q = p.batch_quotes(["ACME", "ZED"])
    assert q["ACME"].price == Decimal("101.25")
    assert q["ZED"].price == Decimal("5")
    assert q["ZED"].time == NOW
    with pytest.raises(ProviderError, match="Unknown simulated symbol 'NOPE'"):
        p.latest_quote("NOPE")


def test_history_deterministic_aligned_and_ends_at_current_price():
    start = datetime(2024, 1, 8, tzinfo=UTC)
    a = _provider().fetch_ohlcv("ACME", "15m", start, NOW)
    b = _provider().fetch_ohlcv("ACME", "15m", start, NOW)
    other = _provider(seed=2).fetch_ohlcv("ACME", "15m", start, NOW)
    assert np.array_equal(a.close, b.close)
    assert not np.array_equal(a.close, other.close)
    assert a.time[0] == int(start.timestamp())
    assert np.all(np.diff(a.time) == 900)
    assert a.time[-1] == int(NOW.timestamp()) // 900 * 900
    assert a.close[-1] == pytest.approx(100.0, abs=0.01)
    assert np.allclose(a.close * 100, np.round(a.close * 100))
    assert len(_provider().fetch_ohlcv("ACME", "1h", NOW, start)) == 0

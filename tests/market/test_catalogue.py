from decimal import Decimal

import pytest

from tradedeck.core.errors import DomainError
from tradedeck.extensions import db
from tradedeck.market import catalogue
from tradedeck.market.catalogue import CatalogueError
from tradedeck.market.providers.base import InstrumentInfo


def _info(symbol: str, name: str = "", venue: str = "BINANCE") -> InstrumentInfo:
    return InstrumentInfo(symbol, name or symbol, venue, "crypto", symbol[:3], "USDT",
                          tick_size=Decimal("0.01"), min_qty=Decimal("0.0001"))  # fmt: skip


def test_upsert_creates_then_updates(app):
    with app.app_context():
        venue = catalogue.ensure_venue("binance")
        first = catalogue.upsert_instruments(venue, [_info("BTC/USDT"), _info("ETH/USDT")])
        assert (first.created, first.updated) == (2, 0)
        second = catalogue.upsert_instruments(venue, [_info("BTC/USDT", "Bitcoin")])
        db.session.commit()
        assert (second.created, second.updated) == (0, 1)
        btc = catalogue.get_instrument("BTC/USDT")
        assert (btc.name, btc.venue.code, btc.min_qty) == ("Bitcoin", "BINANCE", Decimal("0.0001"))


def test_search_by_symbol_or_name_with_venue_filter(app):
    with app.app_context():
        catalogue.upsert_instruments(catalogue.ensure_venue("BINANCE"), [_info("BTC/USDT")])
        yahoo = catalogue.ensure_venue("YAHOO")
        catalogue.upsert_instruments(yahoo, [_info("RELIANCE.NS", "Reliance Industries", "YAHOO")])
        db.session.commit()
        assert [i.symbol for i in catalogue.search_instruments("reliance")] == ["RELIANCE.NS"]
        assert [i.symbol for i in catalogue.search_instruments("btc")] == ["BTC/USDT"]
        assert catalogue.search_instruments("btc", venue="YAHOO") == []
        assert catalogue.search_instruments("%") == []
        assert len(catalogue.search_instruments()) == 2


def test_lookup_ambiguous_and_qualified_symbols(app):
    with app.app_context():
        catalogue.upsert_instruments(catalogue.ensure_venue("BINANCE"), [_info("X/USDT")])
        catalogue.upsert_instruments(catalogue.ensure_venue("KRAKEN"), [_info("X/USDT")])
        db.session.commit()
        with pytest.raises(CatalogueError) as ambiguous:
            catalogue.get_instrument("X/USDT")
        assert (ambiguous.value.status, ambiguous.value.field) == (409, "venue")
        assert catalogue.get_instrument("X/USDT", "kraken").venue.code == "KRAKEN"
        assert catalogue.get_instrument("BINANCE:X/USDT").venue.code == "BINANCE"
        with pytest.raises(CatalogueError) as unknown:
            catalogue.get_instrument("NOPE")
        assert unknown.value.code == "unknown_symbol"


def test_exchange_native_symbols_and_any_case_are_aliases(app):
    with app.app_context():
        catalogue.upsert_instruments(catalogue.ensure_venue("BINANCE"), [_info("BTC/USDT")])
        catalogue.upsert_instruments(catalogue.ensure_venue("KRAKEN"), [_info("X/USDT")])
        catalogue.upsert_instruments(catalogue.ensure_venue("BINANCE"), [_info("X/USDT")])
        db.session.commit()
        for alias in ("BTCUSDT", "btcusdt", "btc/usdt", "BINANCE:BTCUSDT", "binance:btcusdt"):
            assert catalogue.get_instrument(alias).symbol == "BTC/USDT", alias
        assert catalogue.get_instrument("BTCUSDT", "binance").venue.code == "BINANCE"
        with pytest.raises(CatalogueError) as elsewhere:
            catalogue.get_instrument("BTCUSDT", "KRAKEN")
        assert (elsewhere.value.status, elsewhere.value.code) == (404, "unknown_symbol")
        with pytest.raises(CatalogueError) as ambiguous:
            catalogue.get_instrument("XUSDT")
        assert ambiguous.value.code == "ambiguous_symbol"
        assert "BINANCE:X/USDT, KRAKEN:X/USDT" in ambiguous.value.message


def test_resolver_errors_are_domain_errors_with_a_status(app):
    """Orders, pages and the CLI answer an unknown or ambiguous symbol as the API does."""
    with app.app_context(), pytest.raises(DomainError) as unknown:
        catalogue.get_instrument("NOPE", field="symbols")
    assert (unknown.value.status, unknown.value.code, unknown.value.field) == (
        404,
        "unknown_symbol",
        "symbols",
    )


def test_a_derivative_symbol_is_not_read_as_venue_qualified():
    assert catalogue.split_qualified("BTC/USDT:USDT") == (None, "BTC/USDT:USDT")
    assert catalogue.split_qualified("binance:BTC/USDT") == ("BINANCE", "BTC/USDT")

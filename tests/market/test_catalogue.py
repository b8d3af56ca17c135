from decimal import Decimal

import pytest

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

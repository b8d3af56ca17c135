from sqlalchemy import func, select

from tradedeck.core.candles import INTERVALS
from tradedeck.demo import seed_demo
from tradedeck.extensions import db
from tradedeck.market import catalogue, store
from tradedeck.market.history import MINUTE_HISTORY_DAYS
from tradedeck.market.models import Candle
from tradedeck.market.seed import DEMO_STOCKS


def test_demo_seeds_venues_stocks_history_and_prices(app):
    with app.app_context():
        assert seed_demo()
        venues = {v.code: v for v in catalogue.list_venues()}
        assert {"SIM", "BINANCE", "NYSE", "NASDAQ", "NSE", "BSE"} <= set(venues)
        assert venues["SIM"].timezone == "America/New_York"
        assert (venues["NSE"].timezone, venues["NSE"].kind) == ("Asia/Kolkata", "yahoo")
        assert not venues["NYSE"].always_open
        sims = catalogue.simulated_instruments()
        assert [i.symbol for i in sims] == [s[0] for s in DEMO_STOCKS]
        acme = sims[0]
        assert store.last_price(acme.id) is not None
        spans = dict(
            db.session.execute(
                select(Candle.interval, func.max(Candle.open_time) - func.min(Candle.open_time))
                .where(Candle.instrument_id == acme.id)
                .group_by(Candle.interval)
            ).all()
        )
        assert set(spans) == set(INTERVALS)
        assert spans["1m"] < MINUTE_HISTORY_DAYS * 86_400
        assert spans["5m"] >= 29 * 86_400

"""Every feature's models in one import, so metadata (create_all, Alembic) sees all tables."""

from tradedeck.accounts.models import AccessKey, ApiKey, User
from tradedeck.market.models import Candle, CandleSpan, Instrument, LastPrice, Tick, Venue
from tradedeck.worker.models import WorkerHeartbeat

__all__ = [
    "AccessKey",
    "ApiKey",
    "Candle",
    "CandleSpan",
    "Instrument",
    "LastPrice",
    "Tick",
    "User",
    "Venue",
    "WorkerHeartbeat",
]

"""Every feature's models in one import, so metadata (create_all, Alembic) sees all tables."""

from tradedeck.accounts.models import AccessKey, ApiKey, User
from tradedeck.alerts import models as alerts_models
from tradedeck.audit.models import AccessLogEntry, AuditEntry
from tradedeck.backtests import models as backtests_models
from tradedeck.charts.models import ChartDrawing
from tradedeck.journal import models as journal_models
from tradedeck.market.models import (
    Candle,
    CandleSpan,
    CandleVersion,
    Instrument,
    LastPrice,
    Tick,
    Venue,
)
from tradedeck.signals import models as signals_models
from tradedeck.trading import models as trading_models
from tradedeck.tradingview import models as tradingview_models
from tradedeck.venues import models as venue_models
from tradedeck.worker.models import WorkerHeartbeat

__all__ = [
    "AccessKey",
    "AccessLogEntry",
    "ApiKey",
    "AuditEntry",
    "Candle",
    "CandleSpan",
    "CandleVersion",
    "ChartDrawing",
    "Instrument",
    "LastPrice",
    "Tick",
    "User",
    "Venue",
    "WorkerHeartbeat",
    "alerts_models",
    "backtests_models",
    "journal_models",
    "signals_models",
    "trading_models",
    "tradingview_models",
    "venue_models",
]

"""stocks move from the YAHOO venue to their exchange's venue

Revision ID: c4e8a1f20b37
Revises: 51cc2669bfbf
Create Date: 2026-12-04 06:30:00.000000

Every instrument of the old YAHOO venue moves, with its id (so its orders, positions, trades,
candles and prices follow), to the venue of the exchange it trades on: `.NS` NSE, `.BO` BSE,
`.L` LSE, `.TO` TSX, `.DE` XETRA; the US symbols Yahoo listed by default by their exchange;
any other symbol to NYSE, which keeps the New York hours the YAHOO venue had (the next
`fetch-symbols yahoo` moves it if Yahoo says otherwise). Chart drawings naming YAHOO follow.
The YAHOO venue is removed when it has nothing left: no instrument (a symbol the exchange
venue already lists stays) and no audit entry. The mapping is copied here, not imported, so
this revision keeps meaning what it meant when it was written.
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "c4e8a1f20b37"
down_revision = "51cc2669bfbf"
branch_labels = None
depends_on = None

# code: (name, timezone, currency)
EXCHANGES = {
    "NYSE": ("New York Stock Exchange", "America/New_York", "USD"),
    "NASDAQ": ("Nasdaq", "America/New_York", "USD"),
    "ARCA": ("NYSE Arca", "America/New_York", "USD"),
    "NSE": ("National Stock Exchange of India", "Asia/Kolkata", "INR"),
    "BSE": ("BSE (Bombay)", "Asia/Kolkata", "INR"),
    "LSE": ("London Stock Exchange", "Europe/London", "GBP"),
    "TSX": ("Toronto Stock Exchange", "America/Toronto", "CAD"),
    "XETRA": ("Xetra", "Europe/Berlin", "EUR"),
}
SUFFIXES = {".NS": "NSE", ".BO": "BSE", ".L": "LSE", ".TO": "TSX", ".DE": "XETRA"}
US_LISTINGS = {
    **dict.fromkeys(("AAPL", "MSFT", "NVDA", "AMZN", "GOOGL", "META", "TSLA", "QQQ"), "NASDAQ"),
    "SPY": "ARCA",
}
DEFAULT = "NYSE"

venues = sa.table(
    "venues",
    sa.column("id", sa.Integer),
    sa.column("code", sa.String),
    sa.column("name", sa.String),
    sa.column("kind", sa.String),
    sa.column("timezone", sa.String),
    sa.column("currency", sa.String),
    sa.column("always_open", sa.Boolean),
)
instruments = sa.table(
    "instruments",
    sa.column("id", sa.Integer),
    sa.column("venue_id", sa.Integer),
    sa.column("symbol", sa.String),
)
drawings = sa.table("chart_drawings", sa.column("venue", sa.String), sa.column("symbol", sa.String))
audit = sa.table("venue_audit_entries", sa.column("venue_id", sa.Integer))
HOURS_TABLES = ("venue_sessions", "venue_holidays", "market_states")


def _exchange_of(symbol: str) -> str:
    upper = symbol.upper()
    suffix = upper[upper.rfind(".") :] if "." in upper else ""
    return SUFFIXES.get(suffix) or US_LISTINGS.get(upper, DEFAULT)


def _venue_id(bind: sa.Connection, code: str) -> int | None:
    return bind.scalar(sa.select(venues.c.id).where(venues.c.code == code))


def _ensure(bind: sa.Connection, code: str) -> int:
    found = _venue_id(bind, code)
    if found is not None:
        return found
    name, timezone, currency = EXCHANGES[code]
    bind.execute(
        venues.insert().values(
            code=code,
            name=name,
            kind="yahoo",
            timezone=timezone,
            currency=currency,
            always_open=False,
        )
    )
    return int(_venue_id(bind, code))


def _move(bind: sa.Connection, old: int, old_code: str, new: int, new_code: str, symbol: str):
    """Move `symbol` from venue `old` to `new` unless `new` lists it already."""
    taken = bind.scalar(
        sa.select(instruments.c.id).where(
            instruments.c.venue_id == new, instruments.c.symbol == symbol
        )
    )
    if taken is not None:
        return
    bind.execute(
        instruments.update()
        .where(instruments.c.venue_id == old, instruments.c.symbol == symbol)
        .values(venue_id=new)
    )
    if sa.inspect(bind).has_table("chart_drawings"):
        bind.execute(
            drawings.update()
            .where(drawings.c.venue == old_code, drawings.c.symbol == symbol)
            .values(venue=new_code)
        )


def upgrade():
    bind = op.get_bind()
    yahoo = _venue_id(bind, "YAHOO")
    if yahoo is None:
        return
    symbols = bind.scalars(sa.select(instruments.c.symbol).where(instruments.c.venue_id == yahoo))
    for symbol in list(symbols):
        code = _exchange_of(symbol)
        _move(bind, yahoo, "YAHOO", _ensure(bind, code), code, symbol)
    left = bind.scalar(sa.select(sa.func.count()).where(instruments.c.venue_id == yahoo))
    audited = bind.scalar(sa.select(sa.func.count()).where(audit.c.venue_id == yahoo))
    if left == 0 and audited == 0:
        for name in HOURS_TABLES:
            bind.execute(sa.text(f"DELETE FROM {name} WHERE venue_id = :id"), {"id": yahoo})
        bind.execute(venues.delete().where(venues.c.id == yahoo))


def downgrade():
    """Stocks of the exchange venues go back to one YAHOO venue (New York time zone)."""
    bind = op.get_bind()
    yahoo = _venue_id(bind, "YAHOO")
    if yahoo is None:
        bind.execute(
            venues.insert().values(
                code="YAHOO",
                name="Yahoo Finance",
                kind="yahoo",
                timezone="America/New_York",
                currency="USD",
                always_open=False,
            )
        )
        yahoo = int(_venue_id(bind, "YAHOO"))
    for code in EXCHANGES:
        venue = _venue_id(bind, code)
        if venue is None:
            continue
        rows = bind.scalars(sa.select(instruments.c.symbol).where(instruments.c.venue_id == venue))
        for symbol in list(rows):
            _move(bind, venue, code, yahoo, "YAHOO", symbol)

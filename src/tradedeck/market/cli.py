"""`tradedeck market …`: fetch symbols, backfill candles, import CSV files, prune ticks.

Every expected failure (bad dates, unknown exchange or symbol, provider offline, bad file)
ends as a one-line `click` error, never a traceback.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import select

from tradedeck.core.candles import INTERVALS, bucket_start, interval_seconds
from tradedeck.extensions import db
from tradedeck.market import catalogue, services, store
from tradedeck.market.catalogue import CatalogueError
from tradedeck.market.models import Instrument
from tradedeck.market.providers.base import ProviderError
from tradedeck.market.providers.csv_import import read_ohlcv_csv
from tradedeck.market.schemas import parse_time
from tradedeck.market.sources import provider_for, shared_provider

CANDLES_PER_CHUNK = 1_000


@click.group("market")
def market_group() -> None:
    """Market data: symbols, candles, CSV import."""


def _date(name: str, value: str) -> int:
    try:
        parsed = parse_time(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint=f"--{name}") from None
    if parsed is None:
        raise click.BadParameter("must not be empty", param_hint=f"--{name}")
    return parsed


@market_group.command("fetch-symbols")
@click.option("--exchange", default="binance", show_default=True, help="ccxt exchange or yahoo.")
@click.option("--symbols", default="", help="Yahoo only: comma-separated symbols to describe.")
@with_appcontext
def fetch_symbols_command(exchange: str, symbols: str) -> None:
    """Pull a venue's symbol list into the catalogue."""
    wanted = [s.strip() for s in symbols.split(",") if s.strip()] or None
    try:
        result = services.fetch_symbols(exchange, wanted)
    except ProviderError as exc:
        raise click.ClickException(exc.message) from exc
    click.echo(
        f"Saved {result.total} symbols from {exchange.upper()} "
        f"({result.created} new, {result.updated} updated)."
    )


def _instrument_for(symbol: str, venue: str) -> Instrument:
    """The catalogue row, or (for a provider symbol not fetched yet) one created from it."""
    try:
        return catalogue.get_instrument(symbol, venue)
    except CatalogueError:
        pass
    provider = provider_for(venue)
    key = catalogue.alias_key(symbol)
    listed = provider.list_symbols()
    info = next((i for i in listed if i.symbol == symbol), None) or next(
        (i for i in listed if catalogue.alias_key(i.symbol) == key), None
    )
    if info is None:
        raise click.ClickException(f"{venue.upper()} does not list symbol {symbol!r}.")
    catalogue.upsert_instruments(catalogue.ensure_venue(provider.venue), [info])
    db.session.commit()
    return catalogue.get_instrument(info.symbol, provider.venue)


@market_group.command("backfill")
@click.argument("symbol")
@click.option("--exchange", default="binance", show_default=True, help="Venue of the symbol.")
@click.option("--interval", type=click.Choice(list(INTERVALS)), default="15m", show_default=True)
@click.option("--start", required=True, help="ISO date/datetime or epoch seconds (UTC).")
@click.option("--end", default=None, help="Exclusive; default now.")
@with_appcontext
def backfill_command(
    symbol: str, exchange: str, interval: str, start: str, end: str | None
) -> None:
    """Fetch and store candles of SYMBOL for a date range (only spans not stored yet)."""
    t0 = _date("start", start)
    t1 = _date("end", end) if end else int(datetime.now(UTC).timestamp())
    if t1 <= t0:
        raise click.BadParameter("must be after --start", param_hint="--end")
    step = interval_seconds(interval) * CANDLES_PER_CHUNK
    try:
        instrument = _instrument_for(symbol, exchange)
        if instrument.venue.kind == "simulated":
            raise click.ClickException("Simulated instruments get their history from the engine.")
        provider = shared_provider(instrument.venue.code)
        chunks = range(int(bucket_start(t0, interval)), t1, step)
        stored = 0
        with click.progressbar(chunks, label=f"{symbol} {interval}", show_pos=True) as bar:
            for lo in bar:
                stored += store.ensure_range(instrument, interval, lo, min(lo + step, t1), provider)
    except ProviderError as exc:
        raise click.ClickException(exc.message) from exc
    click.echo(f"Stored {stored} new {interval} candles of {instrument.symbol}.")


@market_group.command("import-csv")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--symbol", required=True)
@click.option("--venue", default="CSV", show_default=True)
@click.option("--interval", type=click.Choice(list(INTERVALS)), required=True)
@with_appcontext
def import_csv_command(file: Path, symbol: str, venue: str, interval: str) -> None:
    """Load an OHLCV CSV file (time, open, high, low, close[, volume]) into the store."""
    try:
        candles = read_ohlcv_csv(file)
    except ProviderError as exc:
        raise click.ClickException(f"{file.name}: {exc.message}") from exc
    if not len(candles):
        raise click.ClickException(f"{file.name} holds no candles.")
    misaligned = candles.time != bucket_start(candles.time, interval)
    if misaligned.any():
        first = datetime.fromtimestamp(int(candles.time[misaligned.argmax()]), UTC)
        raise click.ClickException(
            f"{first.isoformat()} is not the open time of a {interval} candle; check --interval."
        )
    venue_row = catalogue.ensure_venue(venue)
    instrument = db.session.scalar(
        select(Instrument).where(Instrument.venue_id == venue_row.id, Instrument.symbol == symbol)
    )
    if instrument is None:
        instrument = Instrument(venue_id=venue_row.id, symbol=symbol, name=symbol, base=symbol)
        db.session.add(instrument)
        db.session.flush()
    size = CANDLES_PER_CHUNK
    with click.progressbar(range(0, len(candles), size), label=symbol, show_pos=True) as bar:
        for i in bar:
            store.upsert_candles(instrument.id, interval, candles.take(slice(i, i + size)))
    end = int(candles.time[-1]) + interval_seconds(interval)
    store.record_span(instrument.id, interval, int(candles.time[0]), end)
    db.session.commit()
    click.echo(f"Imported {len(candles)} {interval} candles of {symbol} on {venue_row.code}.")


@market_group.command("prune-ticks")
@with_appcontext
def prune_ticks_command() -> None:
    """Delete ticks older than TICK_RETENTION_DAYS."""
    days = current_app.config["TRADEDECK"].tick_retention_days
    click.echo(f"Deleted {store.prune_ticks(days)} ticks older than {days} days.")

"""`/api/v1` market routes: instruments, candles, prices and the tick stream (SSE)."""

from __future__ import annotations

from flask import Flask, Response, current_app, jsonify
from flask_login import current_user
from flask_openapi3 import APIBlueprint, Tag

from tradedeck.api.errors import ApiError, ErrorBody
from tradedeck.market import catalogue, services
from tradedeck.market.limits import limit_per_user
from tradedeck.market.models import Instrument
from tradedeck.market.schemas import (
    MAX_CANDLES,
    CandleQuery,
    CandleSeries,
    InstrumentEnvelope,
    InstrumentList,
    InstrumentOut,
    InstrumentQuery,
    PriceList,
    PricesBody,
    PricesQuery,
    StreamQuery,
    SymbolPath,
    VenueQuery,
    parse_time,
)
from tradedeck.market.stream import open_feed, snapshot, sse_stream, stream_slots

bp = APIBlueprint(
    "market_api",
    __name__,
    url_prefix="/api/v1",
    abp_tags=[Tag(name="market", description="Instruments, candles, prices, live ticks")],
    abp_responses={
        "400": ErrorBody,
        "401": ErrorBody,
        "404": ErrorBody,
        "409": ErrorBody,
        "429": ErrorBody,
    },
)
SSE_HEARTBEAT_KEY = "MARKET_SSE_HEARTBEAT_SECS"
SSE_MAX_KEY = "MARKET_SSE_MAX_SECS"


@bp.get("/instruments", responses={"200": InstrumentList})
def list_instruments(query: InstrumentQuery) -> Response:
    """Search the catalogue by symbol or name, optionally on one venue."""
    if query.venue and catalogue.get_venue(query.venue) is None:
        raise ApiError(404, "unknown_venue", f"Unknown venue {query.venue!r}.", "venue")
    found = catalogue.search_instruments(query.q, query.venue, query.limit)
    body = InstrumentList(instruments=[InstrumentOut.of(i) for i in found])
    return jsonify(body.model_dump())


@bp.get("/instruments/<path:symbol>", responses={"200": InstrumentEnvelope})
def get_instrument(path: SymbolPath, query: VenueQuery) -> Response:
    """One instrument; symbols with slashes are URL-encoded (`BTC%2FUSDT`)."""
    instrument = catalogue.get_instrument(path.symbol, query.venue)
    return jsonify(InstrumentEnvelope(instrument=InstrumentOut.of(instrument)).model_dump())


@bp.get("/candles", responses={"200": CandleSeries, "502": ErrorBody, "503": ErrorBody})
@limit_per_user("market_data_rate_limit", "candles")
def candles(query: CandleQuery) -> Response:
    """OHLCV for Lightweight Charts: `time` is the candle's open in UTC epoch seconds.

    Without start/end the latest `limit` candles; a range may span at most 10,000 candles,
    of which the latest `limit` are returned. Crypto and stock venues fetch spans not yet
    stored from their provider (502 when it refuses, 503 when it is unreachable).
    """
    instrument = catalogue.get_instrument(query.symbol, query.venue)
    span = services.resolve_window(
        instrument,
        query.interval,
        parse_time(query.start),
        parse_time(query.end),
        query.limit,
        MAX_CANDLES,
    )
    # Encoded JSON; closed candles come from the process's cache (`market.candle_cache`).
    body = services.candles_json(instrument, query.interval, span, query.limit)
    return current_app.response_class(body, mimetype="application/json")


def _quotes(symbols: list[str], venue: str | None) -> Response:
    instruments = [catalogue.get_instrument(s, venue, field="symbols") for s in symbols]
    return jsonify({"prices": services.quotes_for(instruments)})


@bp.get("/prices", responses={"200": PriceList})
@limit_per_user("market_data_rate_limit", "prices")
def prices(query: PricesQuery) -> Response:
    """Latest prices with change vs the previous close (decimal strings)."""
    return _quotes(query.symbols.split(","), query.venue)


@bp.post("/prices", responses={"200": PriceList})
@limit_per_user("market_data_rate_limit", "prices")
def prices_batch(body: PricesBody) -> Response:
    """Same as GET, symbols in a JSON body (for long lists)."""
    return _quotes(body.symbols, body.venue)


@bp.get("/stream")
def stream(query: StreamQuery) -> Response:
    """Server-Sent Events: `tick` (price) and `candle` (forming candle of `interval`) events.

    A snapshot `tick` per symbol comes first, `: heartbeat` comments keep proxies from closing
    the connection, and an `end` event closes it after a few minutes (EventSource reconnects).
    """
    instruments = [
        catalogue.get_instrument(s, query.venue, field="symbols") for s in query.symbols.split(",")
    ]
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    max_secs = float(app.config.get(SSE_MAX_KEY, 300))
    config = app.config["TRADEDECK"]
    release = stream_slots(app).acquire(
        str(getattr(current_user, "id", None)),
        per_user=config.stream_max_per_user,
        per_process=config.stream_max_per_process,
        max_secs=max_secs,
    )
    try:
        response = _open_stream(app, query.interval, instruments, max_secs)
    except BaseException:
        release()
        raise
    # Runs when the server closes the response: the stream ended, failed or the client left.
    response.call_on_close(release)
    return response


def _open_stream(
    app: Flask, interval: str, instruments: list[Instrument], max_secs: float
) -> Response:
    feed = open_feed(app)
    body = sse_stream(
        feed,
        {i.id for i in instruments},
        interval,
        snapshot(services.quotes_for(instruments)),
        heartbeat_secs=float(app.config.get(SSE_HEARTBEAT_KEY, 15)),
        max_secs=max_secs,
    )
    response = Response(body, mimetype="text/event-stream")
    response.call_on_close(feed.close)  # also when the body never started
    response.headers["Cache-Control"] = "no-cache"
    response.headers["X-Accel-Buffering"] = "no"
    return response

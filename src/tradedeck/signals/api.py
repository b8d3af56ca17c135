"""`/api/v1/watchlists`, `/patterns`, `/signals`, and seed 003's `/scan` and `/fetch`."""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import urlencode

from flask import Response, jsonify
from flask_login import current_user
from flask_openapi3 import APIBlueprint, Tag

from tradedeck.api.errors import ErrorBody
from tradedeck.core.candles import interval_seconds
from tradedeck.core.patterns import EXPIRY_BARS
from tradedeck.market.limits import limit_per_user
from tradedeck.signals import scanner, services
from tradedeck.signals.models import Pattern
from tradedeck.signals.schemas import (
    FetchOut,
    PatternDetail,
    PatternList,
    PatternOut,
    PatternPath,
    PatternQuery,
    ScanOut,
    SignalList,
    SignalOut,
    SignalQuery,
    SignalRuleIn,
    SignalRuleList,
    SignalRuleOut,
    SignalRulePath,
    WatchlistIn,
    WatchlistItemIn,
    WatchlistItemOut,
    WatchlistItemPath,
    WatchlistList,
    WatchlistOut,
    WatchlistPatch,
    WatchlistPath,
)

bp = APIBlueprint(
    "signals_api",
    __name__,
    url_prefix="/api/v1",
    abp_tags=[Tag(name="signals", description="Watchlists, scanned patterns and signals")],
    abp_responses={"400": ErrorBody, "401": ErrorBody, "404": ErrorBody},
)
CHART_PATH = "/chart"
CONTEXT_BARS = 80
"""Bars shown around a pattern when its chart link opens."""
OVERLAY_OF = {
    "fvg": "fvg",
    "order_block": "order_blocks",
    "liquidity_sweep": "liquidity",
    "bos": "structure",
    "choch": "structure",
}


def chart_path(p: Pattern) -> str:
    """The chart page on the pattern's instrument and timeframe, around its bars, with the
    overlay that draws it switched on (a path: notifications are made outside requests)."""
    margin = CONTEXT_BARS * interval_seconds(p.interval)
    start = datetime.fromtimestamp(p.bar_time - margin, UTC).date().isoformat()
    end = datetime.fromtimestamp(p.confirmed_time + margin, UTC).date().isoformat()
    query = {
        "symbol": p.instrument.symbol,
        "venue": p.instrument.venue.code,
        "interval": p.interval,
        "overlays": f"{OVERLAY_OF[p.kind]},swings",
        "startDate": start,
        "endDate": end,
        "pattern": p.id,
    }
    return f"{CHART_PATH}?{urlencode(query)}"


def pattern_out(p: Pattern) -> PatternOut:
    return PatternOut.of(p, chart_path(p))


@bp.get("/watchlists", responses={"200": WatchlistList})
def list_watchlists() -> Response:
    found = services.list_watchlists(current_user.id)
    return jsonify(WatchlistList(watchlists=[WatchlistOut.of(w) for w in found]).model_dump())


@bp.post("/watchlists", responses={"201": WatchlistOut, "409": ErrorBody})
def create_watchlist(body: WatchlistIn) -> tuple[Response, int]:
    """A watchlist: its symbols (any venue) are scanned on its timeframes at every close."""
    w = services.create_watchlist(current_user.id, body.name, body.timeframes, body.symbols)
    return jsonify(WatchlistOut.of(w).model_dump()), 201


@bp.get("/watchlists/<int:watchlist_id>", responses={"200": WatchlistOut})
def get_watchlist(path: WatchlistPath) -> Response:
    w = services.get_watchlist(current_user.id, path.watchlist_id)
    return jsonify(WatchlistOut.of(w).model_dump())


@bp.patch("/watchlists/<int:watchlist_id>", responses={"200": WatchlistOut, "409": ErrorBody})
def update_watchlist(path: WatchlistPath, body: WatchlistPatch) -> Response:
    w = services.update_watchlist(current_user.id, path.watchlist_id, body.name, body.timeframes)
    return jsonify(WatchlistOut.of(w).model_dump())


@bp.delete("/watchlists/<int:watchlist_id>", responses={"204": None})
def delete_watchlist(path: WatchlistPath) -> tuple[str, int]:
    services.delete_watchlist(current_user.id, path.watchlist_id)
    return "", 204


@bp.post(
    "/watchlists/<int:watchlist_id>/items",
    responses={"201": WatchlistItemOut, "409": ErrorBody},
)
def add_item(path: WatchlistPath, body: WatchlistItemIn) -> tuple[Response, int]:
    item = services.add_symbol(current_user.id, path.watchlist_id, body.symbol, body.venue)
    return jsonify(WatchlistItemOut.of(item).model_dump()), 201


@bp.delete("/watchlists/<int:watchlist_id>/items/<int:item_id>", responses={"204": None})
def remove_item(path: WatchlistItemPath) -> tuple[str, int]:
    services.remove_item(current_user.id, path.watchlist_id, path.item_id)
    return "", 204


@bp.get("/patterns", responses={"200": PatternList})
def list_patterns(query: PatternQuery) -> Response:
    """Patterns of the caller's watched series, newest confirmation first."""
    f = services.PatternFilter(**query.model_dump())
    found = services.list_patterns(current_user.id, f)
    return jsonify(PatternList(patterns=[pattern_out(p) for p in found]).model_dump())


def expires_time(p: Pattern) -> int | None:
    """When an active pattern times out (the scanner's bar budget); None once resolved."""
    if p.status != "active":
        return None
    return p.confirmed_time + EXPIRY_BARS.get(p.interval, 100) * interval_seconds(p.interval)


@bp.get("/patterns/<int:pattern_id>", responses={"200": PatternDetail})
def get_pattern(path: PatternPath) -> Response:
    """One pattern of the caller's watched series (404 otherwise), with its expiry and the
    best score of the caller's signals on it: what the chart highlights."""
    p = services.get_pattern(current_user.id, path.pattern_id)
    detail = PatternDetail(
        **pattern_out(p).model_dump(),
        label=scanner.kind_label(p.kind),
        expires_time=expires_time(p),
        score=services.pattern_score(current_user.id, p.id),
    )
    return jsonify(detail.model_dump())


@bp.get("/signals", responses={"200": SignalList})
def list_signals(query: SignalQuery) -> Response:
    found = services.list_signals(current_user.id, query.limit)
    return jsonify(SignalList(signals=[SignalOut.of(s) for s in found]).model_dump())


@bp.get("/signals/rules", responses={"200": SignalRuleList})
def list_rules() -> Response:
    rules = services.list_rules(current_user.id)
    return jsonify(SignalRuleList(rules=[SignalRuleOut.of(r) for r in rules]).model_dump())


@bp.post("/signals/rules", responses={"201": SignalRuleOut, "409": ErrorBody})
def create_rule(body: SignalRuleIn) -> tuple[Response, int]:
    """A confluence rule: bias on `higher`, zone on `middle`, trigger on `lower`."""
    rule = services.create_rule(
        current_user.id, body.name, body.higher, body.middle, body.lower, body.min_score
    )
    return jsonify(SignalRuleOut.of(rule).model_dump()), 201


@bp.delete("/signals/rules/<int:rule_id>", responses={"204": None})
def delete_rule(path: SignalRulePath) -> tuple[str, int]:
    services.delete_rule(current_user.id, path.rule_id)
    return "", 204


@bp.post("/scan", responses={"200": ScanOut, "429": ErrorBody})
@limit_per_user("scan_rate_limit", "scan")
def scan() -> Response:
    """Scan the caller's watched series now (SCAN_RATE_LIMIT, seed 003: 1/minute)."""
    result = scanner.scan_user(current_user.id)
    body = ScanOut(
        scanned=result.scanned,
        new_patterns=len(result.new),
        patterns=[pattern_out(p) for p in result.new],
    )
    return jsonify(body.model_dump())


@bp.post("/fetch", responses={"200": FetchOut, "429": ErrorBody})
@limit_per_user("fetch_rate_limit", "fetch")
def fetch() -> Response:
    """Fetch the candles the store lacks for the caller's exchange/Yahoo series
    (FETCH_RATE_LIMIT, seed 003: 5/minute); a failing venue is skipped and logged."""
    return jsonify(FetchOut(stored=scanner.fetch_user(current_user.id)).model_dump())

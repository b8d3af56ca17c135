"""Chart use cases: drawings per user and instrument, and the remembered chart state."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, func, select

from tradedeck.accounts.models import User
from tradedeck.accounts.services import set_preference
from tradedeck.charts.models import ChartDrawing
from tradedeck.charts.schemas import ChartPrefs, DrawingIn, Point
from tradedeck.core.errors import DomainError
from tradedeck.extensions import db
from tradedeck.market.catalogue import get_instrument

PREF_KEY = "chart"
MAX_DRAWINGS = 200
"""Per user and instrument: enough for any analyst, and a bound on what one page loads."""


class DrawingError(DomainError):
    """A drawing that cannot be changed; `status` and `field` shape the API answer."""

    def __init__(self, message: str, status: int, field: str | None = None) -> None:
        code = {404: "not_found", 409: "too_many_drawings"}.get(status, "invalid")
        super().__init__(message, field=field, code=code, status=status)


def list_drawings(user_id: int, symbol: str, venue: str) -> list[ChartDrawing]:
    stmt = select(ChartDrawing).where(
        ChartDrawing.user_id == user_id,
        ChartDrawing.venue == venue.upper(),
        ChartDrawing.symbol == symbol,
    )
    return list(db.session.scalars(stmt.order_by(ChartDrawing.id)))


def create_drawing(user_id: int, data: DrawingIn) -> ChartDrawing:
    """Save a drawing on a catalogue instrument (stored under its canonical symbol and venue)."""
    instrument = get_instrument(data.symbol, data.venue, field="symbol")
    venue, symbol = instrument.venue.code, instrument.symbol
    count = db.session.scalar(
        select(func.count(ChartDrawing.id)).where(
            ChartDrawing.user_id == user_id,
            ChartDrawing.venue == venue,
            ChartDrawing.symbol == symbol,
        )
    )
    if (count or 0) >= MAX_DRAWINGS:
        raise DrawingError(
            f"At most {MAX_DRAWINGS} drawings per instrument; delete some first.", 409, "symbol"
        )
    drawing = ChartDrawing(
        user_id=user_id,
        venue=venue,
        symbol=symbol,
        kind=data.kind,
        points=[p.model_dump() for p in data.points],
    )
    db.session.add(drawing)
    db.session.commit()
    return drawing


def _owned(user_id: int, drawing_id: int) -> ChartDrawing:
    drawing = db.session.get(ChartDrawing, drawing_id)
    if drawing is None or drawing.user_id != user_id:
        raise DrawingError(f"No drawing {drawing_id}.", 404, "drawing_id")
    return drawing


def move_drawing(user_id: int, drawing_id: int, points: list[Point]) -> ChartDrawing:
    drawing = _owned(user_id, drawing_id)
    wanted = 2 if drawing.kind == "trend" else 1
    if len(points) != wanted:
        raise DrawingError(f"A {drawing.kind} drawing takes {wanted} point(s).", 400, "points")
    drawing.points = [p.model_dump() for p in points]
    db.session.commit()
    return drawing


def delete_drawing(user_id: int, drawing_id: int) -> None:
    db.session.delete(_owned(user_id, drawing_id))
    db.session.commit()


def clear_drawings(user_id: int, symbol: str, venue: str) -> int:
    result = db.session.execute(
        delete(ChartDrawing).where(
            ChartDrawing.user_id == user_id,
            ChartDrawing.venue == venue.upper(),
            ChartDrawing.symbol == symbol,
        )
    )
    db.session.commit()
    return result.rowcount or 0


def chart_prefs(user: User) -> ChartPrefs:
    """The stored chart state; a stored value that no longer validates starts over clean."""
    raw: Any = (user.preferences or {}).get(PREF_KEY) or {}
    try:
        return ChartPrefs.model_validate(raw)
    except ValueError:
        return ChartPrefs()


def save_chart_prefs(user: User, prefs: ChartPrefs) -> ChartPrefs:
    """Remember the chart state; a remembered symbol must be a catalogue instrument."""
    if prefs.symbol is not None:
        instrument = get_instrument(prefs.symbol, prefs.venue, field="symbol")
        prefs = prefs.model_copy(
            update={"symbol": instrument.symbol, "venue": instrument.venue.code}
        )
    set_preference(user, PREF_KEY, prefs.model_dump(exclude_none=True))
    return prefs

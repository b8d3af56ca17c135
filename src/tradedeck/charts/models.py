"""Saved chart drawings: each user's trend and horizontal lines, per instrument."""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from tradedeck.database import TimestampMixin
from tradedeck.extensions import db

DRAWING_KINDS = ("trend", "hline")


class ChartDrawing(TimestampMixin, db.Model):
    """One drawing; `points` are `[{time, price}]` so it survives interval changes.

    Times are epoch seconds rather than bar indexes: a line drawn on 15m candles must land
    on the same moment when the user switches to 1h.
    """

    __tablename__ = "chart_drawings"
    __table_args__ = (Index("ix_chart_drawings_owner", "user_id", "venue", "symbol"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    venue: Mapped[str] = mapped_column(String(32))
    symbol: Mapped[str] = mapped_column(String(60))
    kind: Mapped[str] = mapped_column(String(16))
    points: Mapped[list[dict[str, Any]]] = mapped_column(JSON)

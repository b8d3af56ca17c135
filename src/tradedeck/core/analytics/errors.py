"""The one error type the analytics package raises for bad input or parameters."""

from __future__ import annotations

from tradedeck.core.errors import DomainError


class AnalyticsInputError(DomainError):
    """Bad candles or study parameters: a 400 `invalid_input` whose `field` names what was
    wrong (`<study>.<param>`, a candle column, `studies`), answered by the one error handler."""

    def __init__(self, message: str, field: str) -> None:
        super().__init__(message, field=field, code="invalid_input")

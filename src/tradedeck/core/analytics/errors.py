"""The one error type the analytics package raises for bad input or parameters."""

from __future__ import annotations


class AnalyticsInputError(ValueError):
    """Bad candles or study parameters; `field` names what was wrong so an API can say so."""

    def __init__(self, message: str, field: str) -> None:
        super().__init__(message)
        self.field = field

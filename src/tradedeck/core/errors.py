"""The one error type the domain raises for bad input or a forbidden operation."""

from __future__ import annotations


class DomainError(ValueError):
    """A rule was broken; `field` names the offending input so the API can point at it.

    The API layer maps it to HTTP 400 with `{"error": {"code", "message", "field"}}`.
    """

    def __init__(self, message: str, *, field: str | None = None, code: str = "invalid") -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.code = code

    def to_dict(self) -> dict[str, str | None]:
        """The `error` object of the API error body."""
        return {"code": self.code, "message": self.message, "field": self.field}

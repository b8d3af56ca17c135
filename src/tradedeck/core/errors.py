"""The one error type the application raises for bad input or a forbidden operation."""

from __future__ import annotations


class DomainError(ValueError):
    """A rule was broken: `status` (HTTP), `code`, `message`, and `field` naming the input.

    Every error the API answers with is one of these (`api.errors.ApiError` is a subclass for
    web-layer code): one handler turns it into `status` + `{"error": {"code", "message",
    "field"}}` and pages into a flash or the error page, so no route translates errors itself.
    Subclasses set a class-level `status` (e.g. 404) or pass `status=`.
    """

    status: int = 400

    def __init__(
        self,
        message: str,
        *,
        field: str | None = None,
        code: str = "invalid",
        status: int | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.code = code
        if status is not None:
            self.status = status

    def to_dict(self) -> dict[str, str | None]:
        """The `error` object of the API error body."""
        return {"code": self.code, "message": self.message, "field": self.field}

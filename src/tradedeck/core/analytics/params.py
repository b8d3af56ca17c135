"""Study parameters: declared once per study, validated the same way for library and API calls.

Values may arrive as strings (query parameters such as `swings.length=5`), so each kind parses
strings too; anything invalid raises `AnalyticsInputError` with field `<study>.<param>`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .errors import AnalyticsInputError


@dataclass(frozen=True)
class IntParam:
    """A whole number within [minimum, maximum]."""

    default: int
    minimum: int = 1
    maximum: int = 100_000

    def parse(self, field: str, value: Any) -> int:
        number = value
        if isinstance(value, str):
            try:
                number = int(value.strip())
            except ValueError:
                raise AnalyticsInputError(f"{field} must be a whole number", field) from None
        elif isinstance(value, float) and value.is_integer():
            number = int(value)
        if isinstance(number, bool) or not isinstance(number, int):
            raise AnalyticsInputError(f"{field} must be a whole number", field)
        if not self.minimum <= number <= self.maximum:
            raise AnalyticsInputError(
                f"{field} must be between {self.minimum} and {self.maximum}", field
            )
        return number


@dataclass(frozen=True)
class FloatParam:
    """A finite number within [minimum, maximum]."""

    default: float
    minimum: float = 0.0
    maximum: float = math.inf

    def parse(self, field: str, value: Any) -> float:
        if isinstance(value, bool) or not isinstance(value, int | float | str):
            raise AnalyticsInputError(f"{field} must be a number", field)
        try:
            number = float(value)
        except ValueError:
            raise AnalyticsInputError(f"{field} must be a number", field) from None
        if not math.isfinite(number) or not self.minimum <= number <= self.maximum:
            raise AnalyticsInputError(
                f"{field} must be a finite number between {self.minimum} and {self.maximum}",
                field,
            )
        return number


@dataclass(frozen=True)
class ChoiceParam:
    """One of a fixed set of words."""

    default: str
    choices: tuple[str, ...]

    def parse(self, field: str, value: Any) -> str:
        if value not in self.choices:
            raise AnalyticsInputError(f"{field} must be one of {', '.join(self.choices)}", field)
        return str(value)


@dataclass(frozen=True)
class BoolParam:
    """true/false, also spelled as the strings of a query parameter."""

    default: bool

    def parse(self, field: str, value: Any) -> bool:
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.strip().lower() in ("true", "1", "yes"):
            return True
        if isinstance(value, str) and value.strip().lower() in ("false", "0", "no"):
            return False
        raise AnalyticsInputError(f"{field} must be true or false", field)


Param = IntParam | FloatParam | ChoiceParam | BoolParam


def resolve(study: str, declared: Mapping[str, Param], given: Mapping[str, Any]) -> dict[str, Any]:
    """Defaults overlaid with the given values, each parsed; unknown names are an error."""
    for name in given:
        if name not in declared:
            known = ", ".join(declared) or "none"
            raise AnalyticsInputError(
                f"unknown parameter '{name}' for {study} (known: {known})", f"{study}.{name}"
            )
    return {
        name: spec.parse(f"{study}.{name}", given[name]) if name in given else spec.default
        for name, spec in declared.items()
    }

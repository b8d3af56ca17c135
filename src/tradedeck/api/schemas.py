"""Base models shared by the feature APIs."""

from __future__ import annotations

import copy
from functools import cache
from typing import Any

from pydantic import BaseModel


class QueryModel(BaseModel):
    """Base of query-string models.

    flask-openapi3 regenerates a query model's JSON schema on every request to find its list
    fields (about 2.5 ms each time); the schema of a class never changes, so it is built once.
    """

    @classmethod
    def model_json_schema(cls, *args: Any, **kwargs: Any) -> dict[str, Any]:
        return copy.deepcopy(_schema_of(cls, args, tuple(sorted(kwargs.items()))))


@cache
def _schema_of(
    model: type[QueryModel], args: tuple[Any, ...], kwargs: tuple[tuple[str, Any], ...]
) -> dict[str, Any]:
    return BaseModel.model_json_schema.__func__(model, *args, **dict(kwargs))  # type: ignore[attr-defined]

"""Flask JSON through orjson: chart and analytics answers carry tens of thousands of numbers.

The stdlib encoder spends most of an analytics request's time on those numbers; orjson is about
ten times faster. Decimals leave as plain decimal strings (the API's rule for amounts), NumPy
arrays and scalars are encoded natively, NaN becomes null, and datetimes are ISO-8601.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import orjson
from flask import Response
from flask.json.provider import JSONProvider

OPTIONS = orjson.OPT_SERIALIZE_NUMPY | orjson.OPT_NON_STR_KEYS


def _default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, set | frozenset | tuple):
        return list(value)
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def encode(obj: Any) -> bytes:
    """The app's JSON as bytes (orjson.Fragment values, e.g. pre-encoded events, go verbatim)."""
    return orjson.dumps(obj, default=_default, option=OPTIONS)


class OrjsonProvider(JSONProvider):
    def dumps(self, obj: Any, **kwargs: Any) -> str:
        return encode(obj).decode()

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        try:
            return orjson.loads(s)
        except orjson.JSONDecodeError:
            # Python clients send NaN/Infinity literals; parse them so validation can name
            # the offending field instead of rejecting the whole body as malformed.
            return json.loads(s)

    def response(self, *args: Any, **kwargs: Any) -> Response:
        obj = self._prepare_response_obj(args, kwargs)
        return self._app.response_class(encode(obj), mimetype="application/json")

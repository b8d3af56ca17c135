"""Cursor pages for the list endpoints (orders, trades, cash ledger, venue audit).

Rows come newest first by (time, id), so rows sharing a timestamp keep a stable order; the
opaque cursor carries the last row's (time, id) and the next page starts strictly after it,
so no row is seen twice or skipped while newer rows are being added.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from flask import Response, jsonify, request
from pydantic import BaseModel, Field
from sqlalchemy import Select, and_, or_

from tradedeck.core.errors import DomainError
from tradedeck.extensions import db

DEFAULT_LIMIT = 200
MAX_LIMIT = 1000
NEXT = Field(description="Cursor of the next page (also in the Link header); null on the last")


class PageQuery(BaseModel):
    """`cursor` and `limit` of every paged list (the OpenAPI document shows both)."""

    cursor: str | None = Field(
        default=None, max_length=200, description="The `next` of the previous page"
    )
    limit: int = Field(default=DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description="Rows per page")


@dataclass(frozen=True)
class Page:
    rows: list[Any]
    next: str | None


def encode(time: datetime, row_id: int) -> str:
    raw = json.dumps([time.isoformat(), row_id]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode(cursor: str) -> tuple[datetime, int]:
    """(time, id) of a cursor; anything else is a 400 naming `cursor`."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        text, row_id = json.loads(raw)
        time = datetime.fromisoformat(text)
        if time.tzinfo is None or not isinstance(row_id, int) or isinstance(row_id, bool):
            raise ValueError(cursor)
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError):
        raise DomainError("cursor is not one this API gave out", field="cursor") from None
    return time, row_id


def fetch(
    statement: Select[Any], time_col: Any, id_col: Any, cursor: str | None, limit: int
) -> Page:
    """One page of `statement`'s ORM rows, newest first by (time_col, id_col)."""
    if cursor:
        time, row_id = decode(cursor)
        statement = statement.where(or_(time_col < time, and_(time_col == time, id_col < row_id)))
    statement = statement.order_by(time_col.desc(), id_col.desc()).limit(limit + 1)
    rows = list(db.session.scalars(statement))
    if len(rows) <= limit:
        return Page(rows, None)
    last = rows[limit - 1]
    time_name, id_name = time_col.key, id_col.key
    return Page(rows[:limit], encode(getattr(last, time_name), getattr(last, id_name)))


def respond(body: dict[str, Any], page: Page) -> Response:
    """`body` plus `next`, and a `Link: <…>; rel="next"` header when there is a next page."""
    response = jsonify(body | {"next": page.next})
    if page.next is not None:
        args = request.args.to_dict() | {"cursor": page.next}
        response.headers["Link"] = f'<{request.base_url}?{urlencode(args)}>; rel="next"'
    return response

"""CSV downloads that a spreadsheet cannot turn against the user, and that stay bounded.

A cell starting with `=`, `+`, `-`, `@`, a tab or a carriage return is a formula to Excel and
LibreOffice (CSV injection, OWASP). Such text cells get a leading apostrophe; numbers such as
`-12.50` are left as they are, so the amounts stay numbers. An export holds at most
`EXPORT_MAX_ROWS` rows (the newest); the response says when older rows were left out.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator
from typing import Any

from flask import Response, current_app, stream_with_context

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
NUMBER = re.compile(r"-?\d+(\.\d+)?([eE][-+]?\d+)?")
STREAM_BATCH = 500


def safe_cell(value: Any) -> Any:
    """The value, or its text with a leading apostrophe when a spreadsheet would run it."""
    if not isinstance(value, str) or not value.startswith(FORMULA_STARTS):
        return value
    return value if NUMBER.fullmatch(value) else "'" + value


def export_limit() -> int:
    return current_app.config["TRADEDECK"].export_max_rows


def csv_response(
    filename: str, header: list[str], rows: Iterable[list[Any]], truncated: bool
) -> Response:
    """Stream `rows` under `header` as an attachment, a few hundred rows per chunk."""

    def chunks() -> Iterator[str]:
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(header)
        for count, row in enumerate(rows, 1):
            writer.writerow([safe_cell(cell) for cell in row])
            if count % STREAM_BATCH == 0:
                yield buffer.getvalue()
                buffer.seek(0)
                buffer.truncate()
        yield buffer.getvalue()

    headers = {"Content-Disposition": f'attachment; filename="{filename}"'}
    if truncated:
        headers["X-Export-Truncated"] = "true"
    return Response(stream_with_context(chunks()), mimetype="text/csv", headers=headers)

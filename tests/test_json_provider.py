from datetime import UTC, datetime
from decimal import Decimal

import numpy as np
from flask import Flask, jsonify


def test_decimals_numpy_nan_and_datetimes(app: Flask) -> None:
    with app.test_request_context():
        body = jsonify(
            {
                "amount": Decimal("1E+2"),
                "price": Decimal("0.10"),
                "values": np.array([1.5, np.nan]),
                "count": np.int64(3),
                "at": datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC),
            }
        ).get_data(as_text=True)
    assert body == (
        '{"amount":"100","price":"0.10","values":[1.5,null],"count":3,'
        '"at":"2026-01-02T03:04:05+00:00"}'
    )


def test_loads_accepts_nan_literals_so_validation_can_name_the_field(app: Flask) -> None:
    assert np.isnan(app.json.loads('{"x": NaN}')["x"])
    assert app.json.loads(b'{"x": 1}') == {"x": 1}

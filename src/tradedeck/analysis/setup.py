"""`init_analysis(app)`: the analytics API, the root overlay routes
(`/swings`, `/BOS`, `/getGap`) and a JIT warm-up."""

from __future__ import annotations

import numpy as np
from flask_openapi3 import OpenAPI

from tradedeck.analysis import aliases, api
from tradedeck.api.errors import answer_json
from tradedeck.core.analytics import STUDIES
from tradedeck.core.analytics.analyze import analyze_json
from tradedeck.extensions import csrf

WARMUP_BARS = 64


def init_analysis(app: OpenAPI) -> None:
    app.register_api(api.bp)
    csrf.exempt(api.bp)  # checked centrally for session users (api/auth.py)
    app.register_api(aliases.bp)
    csrf.exempt(aliases.bp)  # checked in the blueprint, after authentication
    answer_json(app, aliases.bp.name)
    warm_up()


def warm_up() -> None:
    """Load the compiled (numba, cached on disk) kernels now, not in a user's first request:
    the studies' and the event encoder's (the API's path, `analyze_json`)."""
    steps = np.sin(np.arange(WARMUP_BARS) / 3.0)
    close = 100.0 + steps
    candles = {
        "time": np.arange(WARMUP_BARS) * 60,
        "open": close - steps / 2,
        "high": close + 1.0,
        "low": close - 1.0,
        "close": close,
        "volume": np.ones(WARMUP_BARS),
    }
    analyze_json(candles, list(STUDIES))

"""ANALYTICS.md's replay test: an event, once confirmed, never changes as more bars arrive."""

import numpy as np
import pytest

from tradedeck.core.analytics import fvg, gaps, liquidity, order_blocks, structure, swings

from .builders import random_walk

OUTCOMES = {"filled_index", "mitigated_index", "swept_index", "invalidated_index", "sweep"}
STUDIES = [
    ("swings", lambda c: swings(c, 3)),
    ("structure", lambda c: structure(c, 2)),
    ("structure wick", lambda c: structure(c, 1, "wick")),
    ("gaps", gaps),
    ("fvg", fvg),
    ("fvg joined", lambda c: fvg(c, join_consecutive=True)),
    ("order_blocks", lambda c: order_blocks(c, 2)),
    ("liquidity", lambda c: liquidity(c, 2, 14, 0.3)),
]


def outcome_seen_by(record, prefix):
    """The full-series event as it looked with `prefix` bars: later outcomes are null."""
    seen = dict(record)
    for name in OUTCOMES - {"sweep"}:
        if seen.get(name) is not None and seen[name] >= prefix:
            seen[name] = None
            seen[name.removesuffix("_index") + "_time"] = None
    if "sweep" in seen and seen["swept_index"] is None:
        seen["sweep"] = None
    return seen


@pytest.mark.parametrize(("name", "study"), STUDIES, ids=[s[0] for s in STUDIES])
@pytest.mark.parametrize("seed", [1, 2])
def test_prefixes_agree_with_the_full_series(name, study, seed):
    c = random_walk(seed, 3000, 0.25)
    full = study(c).to_records()
    assert full, "the walk should produce events"
    prefixes = np.random.default_rng(seed).choice(np.arange(1, len(c)), 40, replace=False)
    for prefix in sorted(int(p) for p in prefixes):
        seen = study(c.slice(prefix)).to_records()
        assert all(r["confirmed_index"] < prefix for r in seen)
        expected = [outcome_seen_by(r, prefix) for r in full if r["confirmed_index"] < prefix]
        assert seen == expected, f"{name} differs at prefix {prefix}"

"""The portfolio page's allocation donut: shares and arcs of the positive parts."""

from __future__ import annotations

from decimal import Decimal

from tradedeck.trading.allocation_donut import slices


def test_slices_are_the_positive_parts_largest_first() -> None:
    parts = [("ACME", Decimal("250")), ("Short", Decimal("-50")), ("Cash", Decimal("750"))]
    donut = slices(parts)
    assert [(s.label, s.share) for s in donut] == [("Cash", 0.75), ("ACME", 0.25)]
    assert donut[0].path.startswith("M 0.00 -80.00 A 80.0 80.0 0 1 1")  # 270°: the large arc
    assert donut[1].path.endswith("0.00 -80.00")  # the last slice closes the circle at the top
    assert len({s.color for s in donut}) == 2


def test_nothing_positive_draws_nothing() -> None:
    assert slices([("Cash", Decimal(0)), ("ACME", Decimal("-1"))]) == []

"""The chart's overlay shapes: what the chart's markers, lines and boxes are drawn from."""

from __future__ import annotations

from typing import Any

from tradedeck.core.analytics import Events


def swing_markers(events: Events) -> dict[str, list[dict[str, Any]]]:
    """Arrows: down above a swing high, up below a swing low (Lightweight Charts markers)."""
    return {
        "markers": [
            {
                "time": e["time"],
                "type": e["type"],
                "level": e["level"],
                "confirmed_time": e["confirmed_time"],
                "position": "aboveBar" if e["type"] == "high" else "belowBar",
                "shape": "arrowDown" if e["type"] == "high" else "arrowUp",
            }
            for e in events.to_records()
        ]
    }


def structure_lines(events: Events) -> dict[str, list[dict[str, Any]]]:
    """Horizontal segments from the broken swing to the breaking bar."""
    return {
        "lines": [
            {
                "from_time": e["swing_time"],
                "to_time": e["time"],
                "level": e["level"],
                "direction": e["direction"],
                "kind": e["kind"],
            }
            for e in events.to_records()
        ]
    }


def gap_boxes(events: Events) -> dict[str, list[dict[str, Any]]]:
    """Zones from the gap bar to the bar that fills it (null: still open, draw to the edge)."""
    return {
        "gaps": [
            {
                "from_time": e["time"],
                "to_time": e["filled_time"],
                "top": e["top"],
                "bottom": e["bottom"],
                "direction": e["direction"],
            }
            for e in events.to_records()
        ]
    }

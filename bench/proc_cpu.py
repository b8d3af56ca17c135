"""CPU seconds of processes, read from Linux's /proc: where a benchmark's cores went.

On a 2-core machine the server, the database and the load generator share the cores, so
a throughput figure alone cannot say which of them to make cheaper; the split can.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path

TICKS = os.sysconf("SC_CLK_TCK")


def _stat(pid: int) -> list[str] | None:
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:  # the process ended
        return None
    name_end = text.rindex(")")
    return [text[text.index("(") + 1 : name_end], *text[name_end + 2 :].split()]


def _all_pids() -> list[int]:
    return [int(entry) for entry in os.listdir("/proc") if entry.isdigit()]


def tree(root: int) -> list[int]:
    """`root` and its descendants."""
    parents = {pid: int(stat[2]) for pid in _all_pids() if (stat := _stat(pid))}
    found, frontier = [root], [root]
    while frontier:
        frontier = [pid for pid, parent in parents.items() if parent in frontier]
        found += frontier
    return found


def named(name: str) -> list[int]:
    return [pid for pid in _all_pids() if (stat := _stat(pid)) and stat[0] == name]


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU of the processes still alive."""
    total = 0
    for pid in pids:
        stat = _stat(pid)
        if stat:
            total += int(stat[12]) + int(stat[13])
    return total / TICKS


@dataclass
class Split:
    """CPU seconds of the server, the database and this process between start() and stop()."""

    server_root: int
    database: str = "postgres"

    def start(self) -> None:
        self._server, self._db = tree(self.server_root), named(self.database)
        self._begin = (cpu_seconds(self._server), cpu_seconds(self._db), time.process_time())

    def stop(self, requests: int) -> str:
        end = (cpu_seconds(self._server), cpu_seconds(self._db), time.process_time())
        server, db, client = (
            (b - a) * 1000 / requests for a, b in zip(self._begin, end, strict=True)
        )
        return (
            f"  CPU per request: server {server:.2f} ms, {self.database} {db:.2f} ms, "
            f"client {client:.2f} ms (total {server + db + client:.2f} ms)"
        )

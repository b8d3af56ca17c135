"""A light HTTP load generator for the API benchmarks: asyncio + aiohttp in one thread.

The client shares the machine's two cores with the server it measures, so what it spends per
request is taken from the server. `requests` on 32 threads spent about 1 ms of CPU per call;
one event loop with keep-alive connections spends a fraction of that, which leaves the cores
to gunicorn and the database, as on a real deployment where clients run elsewhere.
"""

from __future__ import annotations

import asyncio
import statistics
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import aiohttp

Call = Callable[[aiohttp.ClientSession, int, int], Awaitable[bool]]


@dataclass(frozen=True)
class Result:
    """Throughput and latency of one measured batch of calls."""

    seconds: float
    latencies: list[float]
    failures: int

    @property
    def rate(self) -> float:
        return len(self.latencies) / self.seconds

    def percentile(self, q: int) -> float:
        """The q-th percentile latency in milliseconds."""
        values = self.latencies
        if len(values) < 2:
            return values[0] * 1000
        return statistics.quantiles(values, n=100)[q - 1] * 1000

    def line(self, label: str) -> str:
        return (
            f"  {label:<24} {self.rate:8.0f} req/s   p50 {self.percentile(50):7.1f} ms   "
            f"p99 {self.percentile(99):7.1f} ms   failures {self.failures}"
        )


async def _run(clients: int, per_client: int, call: Call, warmup: int) -> Result:
    connector = aiohttp.TCPConnector(limit=clients, force_close=False)
    timeout = aiohttp.ClientTimeout(total=60)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:

        async def warm(index: int) -> None:
            for n in range(-warmup, 0):
                await call(session, index, n)

        await asyncio.gather(*(warm(i) for i in range(clients)))
        latencies: list[float] = []
        failures = 0

        async def client(index: int) -> None:
            nonlocal failures
            for n in range(per_client):
                start = time.perf_counter()
                ok = await call(session, index, n)
                latencies.append(time.perf_counter() - start)
                failures += not ok

        start = time.perf_counter()
        await asyncio.gather(*(client(i) for i in range(clients)))
        return Result(time.perf_counter() - start, latencies, failures)


def run(clients: int, per_client: int, call: Call, warmup: int = 1) -> Result:
    """`clients` concurrent clients, each making `per_client` calls one after another after
    `warmup` unmeasured calls (`n` from -warmup to -1); returns rate, latencies, failures."""
    return asyncio.run(_run(clients, per_client, call, warmup))

"""A light HTTP load generator for the API benchmarks: asyncio streams in one thread.

The client shares the machine's two cores with the server it measures, so what it spends per
request is taken from the server. `requests` on 32 threads spent about 1 ms of CPU per call
and aiohttp about 0.45 ms; each client here holds one keep-alive HTTP/1.1 connection and
writes prepared request bytes, reading back only the status, the framing headers and the
body (about a tenth of aiohttp's CPU). That leaves the cores to gunicorn and the database,
as on a real deployment where clients run elsewhere.
"""

from __future__ import annotations

import asyncio
import statistics
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass


class Connection:
    """One keep-alive HTTP/1.1 connection to `host:port`, reopened when the server closes it."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None

    async def request(
        self,
        method: str,
        path: str,
        body: bytes = b"",
        headers: Mapping[str, str] | None = None,
    ) -> tuple[int, bytes]:
        """Send one request and return (status, body)."""
        if self._writer is None or self._reader is None:
            self._reader, self._writer = await asyncio.open_connection(self.host, self.port)
        extra = "".join(f"{name}: {value}\r\n" for name, value in (headers or {}).items())
        head = (
            f"{method} {path} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\n"
            f"Content-Length: {len(body)}\r\n{extra}\r\n"
        )
        self._writer.write(head.encode("latin-1") + body)
        raw = (await self._reader.readuntil(b"\r\n\r\n")).decode("latin-1")
        status_line, _, header_block = raw.partition("\r\n")
        fields = {}
        for line in header_block.split("\r\n"):
            name, _, value = line.partition(":")
            fields[name.strip().lower()] = value.strip()
        if fields.get("transfer-encoding", "").lower() == "chunked":
            data = await self._read_chunked()
        else:
            data = await self._reader.readexactly(int(fields.get("content-length", "0")))
        if fields.get("connection", "").lower() == "close":
            await self.close()
        return int(status_line.split(" ", 2)[1]), data

    async def _read_chunked(self) -> bytes:
        """A chunked body without trailers (gunicorn's streamed responses)."""
        assert self._reader is not None
        parts = []
        while True:
            size = int((await self._reader.readuntil(b"\r\n")).split(b";")[0], 16)
            if size == 0:
                await self._reader.readuntil(b"\r\n")
                return b"".join(parts)
            parts.append((await self._reader.readexactly(size + 2))[:-2])

    async def close(self) -> None:
        if self._writer is not None:
            self._writer.close()
            await self._writer.wait_closed()
        self._reader = self._writer = None


Call = Callable[[Connection, int, int], Awaitable[bool]]


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


async def _run(
    address: tuple[str, int],
    clients: int,
    per_client: int,
    call: Call,
    warmup: int,
    before: Callable[[], None],
) -> Result:
    connections = [Connection(*address) for _ in range(clients)]
    try:

        async def warm(index: int) -> None:
            for n in range(-warmup, 0):
                await call(connections[index], index, n)

        await asyncio.gather(*(warm(i) for i in range(clients)))
        latencies: list[float] = []
        failures = 0
        before()

        async def client(index: int) -> None:
            nonlocal failures
            for n in range(per_client):
                start = time.perf_counter()
                ok = await call(connections[index], index, n)
                latencies.append(time.perf_counter() - start)
                failures += not ok

        start = time.perf_counter()
        await asyncio.gather(*(client(i) for i in range(clients)))
        return Result(time.perf_counter() - start, latencies, failures)
    finally:
        for connection in connections:
            await connection.close()


def run(
    address: tuple[str, int],
    clients: int,
    per_client: int,
    call: Call,
    warmup: int = 1,
    before: Callable[[], None] = lambda: None,
) -> Result:
    """`clients` concurrent clients on `address`, each on its own connection making
    `per_client` calls one after another after `warmup` unmeasured calls (`n` from -warmup
    to -1); `before` runs between the two. Returns rate, latencies, failures."""
    return asyncio.run(_run(address, clients, per_client, call, warmup, before))

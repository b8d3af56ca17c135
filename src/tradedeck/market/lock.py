"""The single-runner lock of the price engine.

Several worker processes may run the service loop (and `tradedeck run` embeds one), but two
engines stepping the same instruments would write conflicting prices and candles. Each
engine therefore ticks only while it holds this lock, retrying every step so another process
takes over within one tick interval when the holder dies:

- PostgreSQL: a session-level advisory lock on a connection the engine keeps open; the
  server frees it the moment that process or connection dies, on any machine.
- SQLite: an exclusive `flock` on `<instance>/price-engine.lock`; SQLite is single-host, so a
  host-local lock suffices, and the kernel frees it when the process dies.
"""

from __future__ import annotations

import fcntl
import logging
import os
import zlib
from pathlib import Path
from typing import Protocol

from sqlalchemy import Connection, Engine, text

log = logging.getLogger(__name__)
ADVISORY_KEY = 0x7D_3C_0001  # "TradeDeck price engine"


class EngineLock(Protocol):
    def acquire(self) -> bool:
        """Take or keep the lock without blocking; True while this process holds it."""
        ...

    def release(self) -> None: ...


class FileLock:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._fd: int | None = None

    def acquire(self) -> bool:
        if self._fd is not None:
            return True
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return False
        self._fd = fd
        return True

    def release(self) -> None:
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None


class AdvisoryLock:
    def __init__(self, engine: Engine, key: int = ADVISORY_KEY) -> None:
        self.engine = engine
        self.key = key
        self._conn: Connection | None = None

    def acquire(self) -> bool:
        if self._conn is not None:
            try:
                self._conn.execute(text("SELECT 1"))
                return True
            except Exception:  # connection lost: so is the lock; try to take it again
                log.warning("price engine lost its advisory lock connection")
                self._drop()
        conn = self.engine.connect()
        held = conn.execute(text("SELECT pg_try_advisory_lock(:key)"), {"key": self.key}).scalar()
        conn.commit()
        if held:
            self._conn = conn
            return True
        conn.close()
        return False

    def _drop(self) -> None:
        if self._conn is not None:
            self._conn.invalidate()
            self._conn = None

    def release(self) -> None:
        if self._conn is not None:
            self._conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": self.key})
            self._conn.commit()
            self._conn.close()
            self._conn = None


def engine_lock(engine: Engine, instance_path: Path) -> EngineLock:
    if engine.dialect.name == "postgresql":
        return AdvisoryLock(engine)
    return FileLock(instance_path / "price-engine.lock")


def named_lock(engine: Engine, instance_path: Path, name: str) -> EngineLock:
    """A cluster-wide lock for one singleton loop task (same mechanics as the engine's).

    The advisory key is derived from the name (CRC-32 under the engine's key space), so every
    process agrees on it without a registry; on SQLite the lock file is named after the task.
    """
    if engine.dialect.name == "postgresql":
        return AdvisoryLock(engine, key=(ADVISORY_KEY << 32) | zlib.crc32(name.encode()))
    return FileLock(instance_path / f"{name}.lock")

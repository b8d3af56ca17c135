"""Starting the background side: embedded (inside `tradedeck run`) or as `tradedeck worker`."""

from __future__ import annotations

import logging
import signal
from dataclasses import dataclass

from flask import Flask
from huey.consumer import Consumer

from tradedeck.worker.loop import ServiceLoop
from tradedeck.worker.queue import get_huey

log = logging.getLogger(__name__)


_CONSUMER_SIGNALS = tuple(
    getattr(signal, name) for name in ("SIGTERM", "SIGINT", "SIGHUP") if hasattr(signal, name)
)


@dataclass
class Background:
    consumer: Consumer
    loop: ServiceLoop

    def stop(self) -> None:
        self.loop.stop()
        self.consumer.stop(graceful=True)


def start_embedded(app: Flask, workers: int = 2) -> Background:
    """Thread workers + scheduler + service loop beside the web server.

    `Consumer.start()` installs SIGTERM/SIGINT/SIGHUP handlers that only set flags its own
    `run()` loop reads; embedded, nothing reads them, so SIGTERM was ignored and Ctrl+C needed
    twice. The web server owns the signals: restore its handlers after starting the consumer.
    """
    consumer = get_huey(app).create_consumer(workers=workers, worker_type="thread", periodic=True)
    saved = {sig: signal.getsignal(sig) for sig in _CONSUMER_SIGNALS}
    try:
        consumer.start()
    finally:
        for sig, handler in saved.items():
            signal.signal(sig, handler)
    loop = ServiceLoop(app)
    loop.start()
    return Background(consumer, loop)


def run_worker(app: Flask, workers: int = 2) -> None:
    """Blocking worker process: the consumer owns the main thread and its signals.

    SIGTERM (systemd, containers) is the graceful signal: running jobs finish, then the
    process exits 0; SIGINT interrupts.
    """
    loop = ServiceLoop(app)
    loop.start()
    consumer = get_huey(app).create_consumer(
        workers=workers, worker_type="thread", periodic=True, graceful_signal="TERM"
    )
    try:
        consumer.run()
    finally:
        loop.stop()

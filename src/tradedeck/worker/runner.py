"""Starting the background side: embedded (inside `tradedeck run`) or as `tradedeck worker`."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from flask import Flask
from huey.consumer import Consumer

from tradedeck.worker.loop import ServiceLoop
from tradedeck.worker.queue import get_huey

log = logging.getLogger(__name__)


@dataclass
class Background:
    consumer: Consumer
    loop: ServiceLoop

    def stop(self) -> None:
        self.loop.stop()
        self.consumer.stop(graceful=True)


def start_embedded(app: Flask, workers: int = 2) -> Background:
    """Thread workers + scheduler + service loop beside the web server (no signal handling)."""
    consumer = get_huey(app).create_consumer(workers=workers, worker_type="thread", periodic=True)
    consumer.start()
    loop = ServiceLoop(app)
    loop.start()
    return Background(consumer, loop)


def run_worker(app: Flask, workers: int = 2) -> None:
    """Blocking worker process: the consumer owns the main thread and its signals."""
    loop = ServiceLoop(app)
    loop.start()
    consumer = get_huey(app).create_consumer(workers=workers, worker_type="thread", periodic=True)
    try:
        consumer.run()
    finally:
        loop.stop()

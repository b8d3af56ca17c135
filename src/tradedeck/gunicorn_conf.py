"""Gunicorn settings for serving TradeDeck: `gunicorn -c python:tradedeck.gunicorn_conf`.

Threaded workers (`gthread`), because the tick stream (`GET /api/v1/stream`) holds its
connection open: a sync worker would be taken whole by one chart. Threads also keep HTTP
connections alive between an API client's calls. Each worker freezes what it allocated while
loading the app (`gc.freeze`), so the collector stops re-scanning ~400,000 long-lived
objects: over 4,000 requests of bench/orders_api.py a worker spent 270 ms collecting, one
full collection stalling a request for about 200 ms; frozen, 35 ms. Command-line flags
override these values; `WEB_CONCURRENCY` and `GUNICORN_THREADS` set workers and threads
from the environment.

Metrics (`tradedeck.metrics`): the workers share `PROMETHEUS_MULTIPROC_DIR` so any of them
answers `/metrics` for all. When it is unset the master creates a private folder before
forking (the workers import prometheus_client after the fork, so they all see it), and a
dead worker's live gauges are dropped in `child_exit`.
bench/orders_api.py and bench/candles_api.py measure with this file.
"""

from __future__ import annotations

import gc
import os
import tempfile
from typing import Any

wsgi_app = "tradedeck.app:create_app()"
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "8"))
keepalive = 5
graceful_timeout = 10


def post_worker_init(_worker: Any) -> None:
    """The app is loaded: what exists now lives as long as the worker (see module docstring)."""
    gc.freeze()


def on_starting(_server: Any) -> None:
    """Master, before the workers exist: make sure they share one metrics folder."""
    if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="tradedeck-metrics-")


def child_exit(_server: Any, worker: Any) -> None:
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)

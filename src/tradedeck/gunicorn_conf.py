"""Gunicorn settings for serving TradeDeck: `gunicorn -c python:tradedeck.gunicorn_conf`.

Threaded workers (`gthread`), because the tick stream (`GET /api/v1/stream`) holds its
connection open: a sync worker would be taken whole by one chart. Threads also keep HTTP
connections alive between an API client's calls. Command-line flags override these values;
`WEB_CONCURRENCY` and `GUNICORN_THREADS` set workers and threads from the environment.
bench/orders_api.py and bench/candles_api.py measure with this file.
"""

from __future__ import annotations

import os

wsgi_app = "tradedeck.app:create_app()"
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
keepalive = 5
graceful_timeout = 10

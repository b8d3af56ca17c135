"""Prometheus metrics: `GET /metrics` in the Prometheus text format.

Several processes serve one deployment (gunicorn workers, `tradedeck worker`, `tradedeck
stream`), so counters use prometheus_client's multiprocess mode when
`PROMETHEUS_MULTIPROC_DIR` is set: every process writes its values to files in that folder
and whichever web process answers a scrape sums them. `tradedeck.gunicorn_conf` creates a
folder when none is set; the systemd units and the compose file give all three services the
same one. Without it (`make run`, one process) the default registry is used.

What the code counts (request latency, fills, stream clients) is recorded where it happens.
What the database already knows for the whole cluster (working orders, job queue, age of the
newest simulated tick) is read at scrape time, so it is right whichever process answers.

`/metrics` is for the monitoring system only: with `METRICS_TOKEN` set it needs
`Authorization: Bearer <token>`; without, only a loopback client that did not come through a
proxy (no `X-Forwarded-For`) may read it.
"""

from __future__ import annotations

import hmac
import os
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

from flask import Blueprint, Flask, Response, current_app, g, request
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import REGISTRY, Collector
from sqlalchemy import func, select

from tradedeck.database import utcnow
from tradedeck.extensions import db

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
LOOPBACK = frozenset({"127.0.0.1", "::1"})


def multiprocess_dir() -> Path | None:
    """The shared metrics folder, created if missing (prometheus_client needs it to exist)."""
    value = os.environ.get(MULTIPROC_ENV)
    if not value:
        return None
    path = Path(value)
    path.mkdir(parents=True, exist_ok=True)
    return path


multiprocess_dir()  # before the metrics below open their files in it

REQUEST_SECONDS = Histogram(
    "tradedeck_http_request_duration_seconds",
    "Time from request start to response, by endpoint (the route's name, not the URL).",
    ["method", "endpoint", "status"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
ORDER_REQUESTS = Counter(
    "tradedeck_order_requests_total",
    "Order placements over HTTP by endpoint and status (API 201 = a new order).",
    ["endpoint", "status"],
)
FILLS = Counter("tradedeck_fills_total", "Order fills (immediate and by the order scan).")
STREAM_CLIENTS = Gauge(
    "tradedeck_stream_clients",
    "Open live streams (SSE), summed over the live processes.",
    ["server"],
    multiprocess_mode="livesum",
)
STREAM_WRITES = Counter(
    "tradedeck_stream_writes_total",
    "SSE writes to stream clients (a snapshot tick, or one published batch's events).",
    ["server"],
)


def mark_process_dead(pid: int | None = None) -> None:
    """Drop the live gauges of a finished process (gunicorn `child_exit`, stream shutdown)."""
    if multiprocess_dir() is not None:
        multiprocess.mark_process_dead(pid or os.getpid())


class ClusterCollector(Collector):
    """Gauges read from the database at scrape time (the same for every process)."""

    def __init__(self, app: Flask) -> None:
        self.app = app

    def collect(self) -> Iterator[GaugeMetricFamily]:
        from tradedeck.market.models import Instrument, LastPrice, Venue
        from tradedeck.trading.ledger import WORKING
        from tradedeck.trading.models import Order
        from tradedeck.worker.queue import get_huey

        working = GaugeMetricFamily(
            "tradedeck_orders_working",
            "Queued and open orders waiting for a fill.",
            labels=["status"],
        )
        counts = dict(
            db.session.execute(
                select(Order.status, func.count())
                .where(Order.status.in_(WORKING))
                .group_by(Order.status)
            ).all()
        )
        for status in WORKING:
            working.add_metric([status], counts.get(status, 0))
        yield working
        yield GaugeMetricFamily(
            "tradedeck_job_queue_depth",
            "Background jobs waiting in the huey queue.",
            value=get_huey(self.app).pending_count(),
        )
        newest: datetime | None = db.session.scalar(
            select(func.max(LastPrice.updated_at))
            .join(Instrument, Instrument.id == LastPrice.instrument_id)
            .join(Venue, Venue.id == Instrument.venue_id)
            .where(Venue.kind == "simulated")
        )
        if newest is not None:
            yield GaugeMetricFamily(
                "tradedeck_engine_tick_lag_seconds",
                "Seconds since the price engine's newest tick (grows while it is stopped or"
                " every simulated venue is closed).",
                value=max(0.0, (utcnow() - newest).total_seconds()),
            )


def exposition(app: Flask) -> bytes:
    """The text Prometheus scrapes: the processes' metrics, then the cluster gauges."""
    if multiprocess_dir() is not None:
        processes = CollectorRegistry()
        multiprocess.MultiProcessCollector(processes)
    else:
        processes = REGISTRY  # one process: its own registry, with process/platform metrics
    cluster = CollectorRegistry()
    cluster.register(ClusterCollector(app))
    return generate_latest(processes) + generate_latest(cluster)


def allowed(token: str | None) -> bool:
    """The scrape is from the monitoring system (see module docstring)."""
    if token:
        given = request.headers.get("Authorization", "")
        return hmac.compare_digest(given.encode(), f"Bearer {token}".encode())
    return request.remote_addr in LOOPBACK and "X-Forwarded-For" not in request.headers


bp = Blueprint("metrics", __name__)


@bp.get("/metrics")
def metrics() -> Response:
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    if not allowed(app.config["TRADEDECK"].metrics_token):
        return Response("Forbidden: /metrics needs METRICS_TOKEN or a local client.\n", 403)
    body = exposition(app)
    return Response(body, 200, {"Content-Type": CONTENT_TYPE_LATEST, "Cache-Control": "no-store"})


def _order_endpoints(app: Flask) -> frozenset[str]:
    """Routes that place an order: POST on a URL ending in /orders or /order (API, form)."""
    return frozenset(
        rule.endpoint
        for rule in app.url_map.iter_rules()
        if "POST" in (rule.methods or ()) and rule.rule.rstrip("/").endswith(("/orders", "/order"))
    )


def install_metrics(app: Flask) -> None:
    """`/metrics`, request latency, placed orders and fills of this app."""
    from tradedeck.trading.execution import order_filled

    app.register_blueprint(bp)
    order_endpoints: frozenset[str] | None = None

    @app.before_request
    def _start() -> None:
        g.metrics_started = time.perf_counter()

    @app.after_request
    def _observe(response: Response) -> Response:
        nonlocal order_endpoints
        started = g.pop("metrics_started", None)
        endpoint = request.endpoint or "unmatched"
        if started is None or endpoint in ("static", "metrics.metrics"):
            return response
        REQUEST_SECONDS.labels(request.method, endpoint, str(response.status_code)).observe(
            time.perf_counter() - started
        )
        if order_endpoints is None:
            order_endpoints = _order_endpoints(app)
        if endpoint in order_endpoints:
            ORDER_REQUESTS.labels(endpoint, str(response.status_code)).inc()
        return response

    order_filled.connect(_count_fill, weak=False)


def _count_fill(_sender: Any, **_: Any) -> None:
    FILLS.inc()

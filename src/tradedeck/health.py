"""`GET /health`: status, version, database (and Redis) reachability, worker heartbeat."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, current_app, jsonify
from sqlalchemy import text

from tradedeck import __version__
from tradedeck.extensions import db
from tradedeck.worker.heartbeat import heartbeat_status

bp = Blueprint("health", __name__)
REDIS_KEY = "tradedeck.health_redis"


def _redis(url: str) -> Any:
    """One client per app (its pool keeps the connection): a probe that opened a new
    connection on every call would measure connection setup, not Redis."""
    client = current_app.extensions.get(REDIS_KEY)
    if client is None:
        import redis

        client = current_app.extensions[REDIS_KEY] = redis.Redis.from_url(url, socket_timeout=2)
    return client


@bp.get("/health")
def health() -> tuple[Response, int]:
    checks: dict[str, Any] = {}
    healthy = True
    try:
        db.session.execute(text("SELECT 1"))
        checks["database"] = {"ok": True, "dialect": db.engine.dialect.name}
    except Exception as exc:  # any driver error means "unreachable" here
        db.session.rollback()
        checks["database"] = {"ok": False, "error": type(exc).__name__}
        healthy = False
    config = current_app.config["TRADEDECK"]
    if config.redis_url:
        try:
            _redis(config.redis_url).ping()
            checks["redis"] = {"ok": True}
        except Exception as exc:  # connection refused, timeout, auth...
            checks["redis"] = {"ok": False, "error": type(exc).__name__}
            healthy = False
    checks["worker"] = heartbeat_status()
    body = {"status": "ok" if healthy else "unavailable", "version": __version__, "checks": checks}
    return jsonify(body), 200 if healthy else 503

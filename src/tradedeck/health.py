"""`GET /health`: status, version, database (and Redis) reachability, worker heartbeat."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, current_app, jsonify
from sqlalchemy import text

from tradedeck import __version__
from tradedeck.extensions import db
from tradedeck.worker.heartbeat import heartbeat_status

bp = Blueprint("health", __name__)


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
            import redis

            redis.Redis.from_url(config.redis_url, socket_timeout=2).ping()
            checks["redis"] = {"ok": True}
        except Exception as exc:  # connection refused, timeout, auth...
            checks["redis"] = {"ok": False, "error": type(exc).__name__}
            healthy = False
    checks["worker"] = heartbeat_status()
    body = {"status": "ok" if healthy else "unavailable", "version": __version__, "checks": checks}
    return jsonify(body), 200 if healthy else 503

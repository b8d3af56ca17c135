"""The huey queue of one app: SQLite file in the instance folder, or Redis when REDIS_URL."""

from __future__ import annotations

from flask import Flask
from huey import Huey, RedisHuey, SqliteHuey, crontab

from tradedeck.config import Config
from tradedeck.worker import heartbeat
from tradedeck.worker.loop import register_loop_task

QUEUE_KEY = "tradedeck.huey"


def make_huey(config: Config, immediate: bool = False) -> Huey:
    if config.redis_url:
        return RedisHuey("tradedeck", url=config.redis_url, immediate=immediate)
    return SqliteHuey(
        "tradedeck", filename=str(config.instance_path / "huey.db"), immediate=immediate
    )


def get_huey(app: Flask) -> Huey:
    return app.extensions[QUEUE_KEY]


def init_queue(app: Flask, config: Config) -> None:
    """Create the queue and register the jobs; tasks run inside this app's context."""
    huey = make_huey(config, immediate=bool(app.config.get("HUEY_IMMEDIATE")))
    app.extensions[QUEUE_KEY] = huey

    @huey.periodic_task(crontab(minute="17"), name="prune_heartbeats")
    def prune_heartbeats() -> int:
        with app.app_context():
            return heartbeat.prune()

    register_loop_task(app, "heartbeat", heartbeat.HEARTBEAT_SECS, heartbeat.beat)

"""The packaged gunicorn settings serve a held-open tick stream and other requests at once, and
workers freeze their start-up objects out of the garbage collector's way."""

import gc
import itertools
import os
import subprocess
import sys
import time
from pathlib import Path

import requests
from flask import Flask
from gunicorn.config import Config

from tests.helpers import api_login, app_overrides, create_user, free_port
from tests.market.helpers import add_sim
from tradedeck import gunicorn_conf
from tradedeck.app import create_app
from tradedeck.market.api import SSE_HEARTBEAT_KEY

GUNICORN = Path(sys.executable).with_name("gunicorn")
ROOT = Path(__file__).resolve().parent.parent


def heartbeat_app(instance: str) -> Flask:
    """The app gunicorn serves here: its stream sends a heartbeat every half second."""
    app = create_app(instance_path=instance)
    app.config[SSE_HEARTBEAT_KEY] = 0.5
    return app


def _serve(tmp_path: Path, port: int) -> subprocess.Popen[bytes]:
    """One worker with two threads, from the packaged settings (env overrides)."""
    env = {
        **os.environ,
        **app_overrides(tmp_path),
        "WEB_CONCURRENCY": "1",
        "GUNICORN_THREADS": "2",
        "GUNICORN_BIND": f"127.0.0.1:{port}",
    }
    app = f"tests.test_gunicorn_conf:heartbeat_app({str(tmp_path / 'instance')!r})"
    command = [str(GUNICORN), "-c", "python:tradedeck.gunicorn_conf", app]
    return subprocess.Popen(command, env=env, cwd=ROOT, stderr=subprocess.DEVNULL)


def _wait_up(base: str, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert server.poll() is None, "gunicorn exited"
        try:
            requests.get(f"{base}/health", timeout=2)
            return
        except requests.RequestException:
            time.sleep(0.2)
    raise AssertionError("gunicorn did not come up")


def test_one_worker_serves_a_stream_and_other_calls_together(app: Flask, tmp_path: Path) -> None:
    create_user(app, "alice")
    add_sim(app, "ACME")
    token = api_login(app.test_client())
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = _serve(tmp_path, port)
    try:
        _wait_up(base, server)
        headers = {"Authorization": f"Bearer {token}"}
        url = f"{base}/api/v1/stream?symbols=ACME"
        with requests.get(url, headers=headers, stream=True, timeout=10) as stream:
            assert stream.status_code == 200
            assert stream.headers["Content-Type"].startswith("text/event-stream")
            events = stream.iter_lines()
            assert next(events) == b"retry: 3000"
            for _ in range(3):  # the one worker answers while the stream holds a thread
                prices = requests.get(
                    f"{base}/api/v1/prices?symbols=ACME", headers=headers, timeout=5
                )
                assert prices.json()["prices"][0]["symbol"] == "ACME"
            assert b": heartbeat" in itertools.islice(events, 20)  # and the stream lives on
    finally:
        server.terminate()
        server.wait(15)


def test_workers_freeze_what_loading_the_app_allocated() -> None:
    assert "post_worker_init" in Config().settings  # the hook's name is one gunicorn calls
    try:
        gunicorn_conf.post_worker_init(None)
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()

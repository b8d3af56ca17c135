"""Serving the app under test for the HTTP benchmarks: gunicorn with `tradedeck.gunicorn_conf`.

Each worker takes at most `connections` connections (`--worker-connections`, clients / 2 for
two workers): kept-alive connections opened in one burst otherwise often all land on the
worker that wins the accept race, and a batch then runs on one core (seen: /health between
450 and 1,650 req/s from one batch to the next).
"""

from __future__ import annotations

import os
import socket
import subprocess
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start(
    instance: Path,
    port: int,
    *,
    workers: int,
    threads: int,
    connections: int,
    env: dict[str, str],
) -> subprocess.Popen[bytes]:
    """gunicorn on 127.0.0.1:`port` serving the app of `instance`, once /health answers."""
    command = [
        str(ROOT / ".venv" / "bin" / "gunicorn"),
        "-c",
        "python:tradedeck.gunicorn_conf",
        "-w",
        str(workers),
        "-b",
        f"127.0.0.1:{port}",
        "--threads",
        str(threads),
        "--worker-connections",
        str(connections),
        "--log-level",
        "warning",
        "--graceful-timeout",
        "3",
        f"tradedeck.app:create_app(instance_path={str(instance)!r})",
    ]
    log = (instance / "gunicorn.log").open("wb")
    process = subprocess.Popen(
        command, env={**os.environ, **env}, cwd=instance, stdout=log, stderr=log
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if requests.get(f"http://127.0.0.1:{port}/health", timeout=10).status_code:
                return process
        except requests.RequestException:
            time.sleep(0.2)
    process.terminate()
    raise RuntimeError("gunicorn did not come up")

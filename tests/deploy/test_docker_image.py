"""deploy/docker: a rehearsal of the image build without Docker (no daemon, no base images here).

It catches "the image misses a file / the install step breaks": every COPY source exists, a
wheel built from exactly what the final stage copies holds the migrations, templates, static
and vendor files and the gunicorn settings and imports from where it is unpacked, and the
entrypoint runs each role's commands, whose arguments the real CLIs accept.
"""

from __future__ import annotations

import fnmatch
import importlib
import os
import shlex
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import click
import pytest

from tests.helpers import tool_missing

ROOT = Path(__file__).resolve().parents[2]
DOCKER = ROOT / "deploy" / "docker"
VENDOR = Path("src/tradedeck/web/static/vendor")
VENDORED = ("bootstrap", "bootstrap-icons", "htmx", "lightweight-charts")
PACKAGED = ("migrations", "web/templates", "web/static")


def copy_lines() -> list[tuple[str | None, list[str], str]]:
    """(from-stage, sources, destination) of every COPY in the Dockerfile, in order."""
    copies = []
    text = (DOCKER / "Dockerfile").read_text().replace("\\\n", " ")
    for line in text.splitlines():
        words = shlex.split(line, comments=True)
        if not words or words[0].upper() != "COPY":
            continue
        stage = next((w.split("=", 1)[1] for w in words[1:] if w.startswith("--from=")), None)
        paths = [w for w in words[1:] if not w.startswith("--")]
        copies.append((stage, paths[:-1], paths[-1]))
    return copies


def test_every_copy_source_exists() -> None:
    copies = copy_lines()
    assert len(copies) >= 5, copies
    for stage, sources, _ in copies:
        for source in sources:
            where = source.replace("/build/", "", 1) if stage else source
            assert (ROOT / where).exists(), f"COPY {source} (stage {stage}): no {where}"


def test_the_build_context_filter_keeps_what_the_image_copies() -> None:
    """Dockerfile.dockerignore drops the venv, node_modules, caches and local vendor files
    (the image's come from the assets stage) but none of the sources a COPY names."""
    patterns = [
        line.strip()
        for line in (DOCKER / "Dockerfile.dockerignore").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    assert {".venv", "node_modules", ".git", ".env", str(VENDOR)} <= set(patterns)
    for stage, sources, _ in copy_lines():
        for source in sources if stage is None else ():
            for pattern in patterns:
                bare = pattern.removeprefix("**/")
                assert not fnmatch.fnmatch(source, pattern), (source, pattern)
                assert not any(fnmatch.fnmatch(part, bare) for part in Path(source).parts), (
                    source,
                    pattern,
                )


def vendor_ready() -> bool:
    return (ROOT / VENDOR / ".copied").exists()


def builder() -> list[str] | None:
    """A Python that can build a wheel offline: setuptools plus bdist_wheel (the venv's own
    setuptools has none before 70.1, Debian's python3 has the `wheel` package)."""
    probe = "import setuptools.build_meta, wheel.bdist_wheel"
    for python in (sys.executable, "/usr/bin/python3"):
        if shutil.which(python) and subprocess.run([python, "-c", probe]).returncode == 0:
            return [python]
    return None


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel `pip install .` builds in the final stage, from only what that stage copies."""
    if not vendor_ready():
        tool_missing("vendor assets missing: run `make vendor` (the assets stage's output)")
    python = builder()
    if python is None:
        tool_missing("no Python with setuptools and wheel to build the package offline")
    context = tmp_path_factory.mktemp("image")
    for stage, sources, destination in copy_lines():
        for source in sources:
            origin = ROOT / (source.replace("/build/", "", 1) if stage else source)
            if destination.startswith("/"):
                continue  # the entrypoint, outside the build tree
            target = context / destination / origin.name if destination.endswith("/") else None
            target = target or context / destination
            if origin.is_dir():
                ignore = shutil.ignore_patterns("__pycache__", "*.egg-info")
                shutil.copytree(origin, target, dirs_exist_ok=True, ignore=ignore)
            else:
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(origin, target)
    assert {p.name for p in context.iterdir()} >= {"pyproject.toml", "README.md", "src"}
    out = context / "dist"
    build = "import sys\nfrom setuptools import build_meta\nbuild_meta.build_wheel(sys.argv[1])"
    done = subprocess.run(
        [*python, "-c", build, str(out)], cwd=context, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr[-3000:]
    (built,) = out.glob("tradedeck-*.whl")
    return built


def test_wheel_holds_what_the_app_reads_at_run_time(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    package = ROOT / "src" / "tradedeck"
    for folder in PACKAGED:
        files = [
            p
            for p in (package / folder).rglob("*")
            if p.is_file() and "__pycache__" not in p.parts and not p.name.startswith(".")
        ]
        assert files, folder
        missing = sorted(
            rel for p in files if (rel := f"tradedeck/{p.relative_to(package)}") not in names
        )
        assert not missing, f"{len(missing)} files of {folder} not in the wheel: {missing[:10]}"
    assert "tradedeck/migrations/env.py" in names
    assert any(n.startswith("tradedeck/migrations/versions/") and n.endswith(".py") for n in names)
    assert "tradedeck/web/templates/base.html" in names
    for vendored in VENDORED:
        assert any(n.startswith(f"tradedeck/web/static/vendor/{vendored}/") for n in names)
    assert "tradedeck/gunicorn_conf.py" in names
    entry_points = next(n for n in names if n.endswith(".dist-info/entry_points.txt"))
    assert "tradedeck = tradedeck.cli:main" in zipfile.ZipFile(wheel).read(entry_points).decode()


def test_unpacked_wheel_imports_the_app(wheel: Path, tmp_path: Path) -> None:
    """The Dockerfile's `python -c "import tradedeck.app"`, from the wheel, not the work tree."""
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    check = (
        "import sys; sys.path.insert(0, sys.argv[1]); import tradedeck, tradedeck.app, "
        "tradedeck.gunicorn_conf as g; assert tradedeck.__file__.startswith(sys.argv[1]), "
        "tradedeck.__file__; assert g.wsgi_app"
    )
    done = subprocess.run(
        [sys.executable, "-c", check, str(site)], capture_output=True, text=True, cwd=tmp_path
    )
    assert done.returncode == 0, done.stderr[-3000:]


ENTRYPOINT = DOCKER / "entrypoint.sh"
STUB = '#!/bin/sh\nprintf "%s\\n" "${0##*/} $*" >> "$STUB_LOG"\n'


def test_entrypoint_syntax_and_mode() -> None:
    assert os.access(ENTRYPOINT, os.X_OK), "entrypoint.sh must be executable (COPY keeps mode)"
    done = subprocess.run(["sh", "-n", str(ENTRYPOINT)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def run_entrypoint(tmp_path: Path, *args: str) -> tuple[subprocess.CompletedProcess, list[str]]:
    """entrypoint.sh under /bin/sh with a PATH of stubs that record their argv."""
    bin_dir, log = tmp_path / "bin", tmp_path / "calls.log"
    bin_dir.mkdir(exist_ok=True)
    log.write_text("")
    for name in ("tradedeck", "gunicorn", "cp"):
        (bin_dir / name).write_text(STUB)
        (bin_dir / name).chmod(0o755)
    env = {"PATH": str(bin_dir), "STUB_LOG": str(log)}
    done = subprocess.run(
        ["/bin/sh", str(ENTRYPOINT), *args], env=env, capture_output=True, text=True, timeout=10
    )
    return done, log.read_text().splitlines()


def accepts(argv: list[str]) -> None:
    """The real `tradedeck` CLI parses `argv` (commands and options exist); nothing runs."""
    from tradedeck.cli import main

    command: click.Command = main
    ctx = click.Context(main)
    rest = list(argv)
    while isinstance(command, click.Group):
        name, sub, rest = command.resolve_command(ctx, rest)
        assert sub is not None, f"tradedeck has no command {name!r} ({argv})"
        command = sub
        ctx = command.make_context(name, list(rest), parent=ctx)
        rest = [*getattr(ctx, "_protected_args", []), *ctx.args]


def gunicorn_accepts(argv: list[str]) -> None:
    """gunicorn parses `argv`, its config module imports, and it names the app to serve."""
    from gunicorn.config import Config

    parsed = Config().parser().parse_args(argv)
    assert parsed.config.startswith("python:"), parsed.config
    settings = importlib.import_module(parsed.config.removeprefix("python:"))
    assert parsed.args or settings.wsgi_app, "gunicorn is given no app"


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("web", ["tradedeck db upgrade", "cp -r", "gunicorn -c python:tradedeck.gunicorn_conf"]),
        ("worker", ["tradedeck worker --workers 2"]),
        ("stream", ["tradedeck stream --host 0.0.0.0 --port 8001"]),
    ],
)
def test_entrypoint_roles(tmp_path: Path, role: str, expected: list[str]) -> None:
    done, calls = run_entrypoint(tmp_path, role)
    assert done.returncode == 0, done.stderr
    assert len(calls) == len(expected), calls
    for call, start in zip(calls, expected, strict=True):
        assert call.startswith(start), calls
        program, *argv = shlex.split(call)
        if program == "tradedeck":
            accepts(argv)
        elif program == "gunicorn":
            gunicorn_accepts(argv)


def test_entrypoint_defaults_to_web_and_passes_other_commands(tmp_path: Path) -> None:
    done, calls = run_entrypoint(tmp_path)
    assert done.returncode == 0 and calls[0] == "tradedeck db upgrade", (done.stderr, calls)
    done, calls = run_entrypoint(tmp_path, "tradedeck", "db", "backup")
    assert done.returncode == 0 and calls == ["tradedeck db backup"], (done.stderr, calls)
    accepts(["db", "backup"])


def test_entrypoint_refuses_an_unknown_role(tmp_path: Path) -> None:
    done, calls = run_entrypoint(tmp_path, "wroker")
    assert done.returncode != 0
    assert calls == []
    assert "wroker" in done.stderr and "web, worker, stream" in done.stderr, done.stderr

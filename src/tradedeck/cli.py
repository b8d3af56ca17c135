"""The `tradedeck` command: run, worker, db, seed-demo, create-admin, access-key."""

from __future__ import annotations

import logging
import signal
import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import FlaskGroup, with_appcontext
from flask_migrate import upgrade
from flask_migrate.cli import db as db_group
from werkzeug.serving import run_simple

from tradedeck.accounts import services
from tradedeck.admin import keys_service as keys
from tradedeck.app import create_app
from tradedeck.backup import BackupError, create_backup, prune_backups, restore_backup
from tradedeck.config import ConfigError
from tradedeck.core.errors import DomainError
from tradedeck.demo import DEMO_ADMIN, DEMO_CUSTOMER, seed_demo
from tradedeck.extensions import db
from tradedeck.worker.runner import run_worker, start_embedded

log = logging.getLogger(__name__)


def _make_app() -> object:
    try:
        return create_app()
    except ConfigError as exc:
        click.echo(f"Error: {exc}", err=True)
        sys.exit(2)


@click.group(cls=FlaskGroup, create_app=_make_app, add_default_commands=False)
def main() -> None:
    """TradeDeck: trading workstation and paper-trading exchange."""


main.add_command(db_group)


@db_group.command("backup")
@click.option("--dir", "directory", type=click.Path(path_type=Path), help="Default: BACKUP_DIR.")
@click.option("--keep", type=click.IntRange(min=1), help="Backups to keep. Default: BACKUP_KEEP.")
@with_appcontext
def db_backup_command(directory: Path | None, keep: int | None) -> None:
    """Back up the database (pg_dump / SQLite online backup), then apply retention."""
    config = current_app.config["TRADEDECK"]
    folder = directory or config.backup_dir
    try:
        path = create_backup(config.database_url, folder)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Backed up to {path}")
    for old in prune_backups(folder, keep or config.backup_keep):
        click.echo(f"Deleted old backup {old.name}")


@db_group.command("restore")
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--replace", is_flag=True, help="Overwrite a database that already has tables.")
@with_appcontext
def db_restore_command(path: Path, replace: bool) -> None:
    """Restore a backup made by `tradedeck db backup` into the configured database.

    Stop the web, worker and stream processes first: they would write during the restore.
    """
    db.engine.dispose()  # the app's own connections must not hold the database during it
    try:
        restore_backup(current_app.config["TRADEDECK"].database_url, path, replace=replace)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Restored {path.name}")


def _raise_keyboard_interrupt(signum: int, frame: object) -> None:
    """SIGTERM (systemd, containers, CI) stops the dev server the same way one Ctrl+C does."""
    raise KeyboardInterrupt


@main.command("run")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--no-worker", is_flag=True, help="Serve the web app only.")
@with_appcontext
def run_command(host: str, port: int, no_worker: bool) -> None:
    """Migrate, seed demo data (development), start the worker and serve the web app."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    config = app.config["TRADEDECK"]
    upgrade()
    if not config.is_production and seed_demo():
        click.echo("Seeded demo data.")
    background = None if no_worker else start_embedded(app)
    url = f"http://{host}:{port}"
    click.echo(f"\nTradeDeck is running at {url}")
    if not config.is_production:
        click.echo(f"  admin:    {DEMO_ADMIN[1]} / {DEMO_ADMIN[2]}")
        click.echo(f"  customer: {DEMO_CUSTOMER[1]} / {DEMO_CUSTOMER[2]}")
    click.echo("Press Ctrl+C to stop.\n")
    signal.signal(signal.SIGTERM, _raise_keyboard_interrupt)
    try:
        run_simple(host, port, app, threaded=True, use_reloader=False)
    finally:
        if background is not None:
            background.stop()


@main.command("worker")
@click.option("--workers", default=2, show_default=True, type=int, help="Job threads.")
@with_appcontext
def worker_command(workers: int) -> None:
    """Run background workers alone (production: run several, on any machine)."""
    run_worker(current_app._get_current_object(), workers=workers)  # type: ignore[attr-defined]


@main.command("stream")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8001, show_default=True, type=int)
@with_appcontext
def stream_command(host: str, port: int) -> None:
    """Serve /api/v1/stream (SSE) from an async server; nginx routes the path to it.

    Needs REDIS_URL: the ticks come from whichever worker runs the price engine. In embedded
    mode (`tradedeck run`, no Redis) the web app serves the stream itself.
    """
    from tradedeck.streaming.server import serve

    app = current_app._get_current_object()  # type: ignore[attr-defined]
    if not app.config["TRADEDECK"].redis_url:
        raise click.ClickException(
            "REDIS_URL is not set: the stream server receives ticks through Redis "
            "(embedded `tradedeck run` serves /api/v1/stream itself)"
        )
    click.echo(f"TradeDeck streams at http://{host}:{port}/api/v1/stream")
    serve(app, host, port, log_level=app.config["TRADEDECK"].log_level.lower())


@main.command("seed-demo")
@with_appcontext
def seed_demo_command() -> None:
    """Seed the demo users and data into an empty development database."""
    if current_app.config["TRADEDECK"].is_production:
        raise click.ClickException("demo data is never seeded in production")
    click.echo("Seeded demo data." if seed_demo() else "Database is not empty; nothing seeded.")


@main.command("create-admin")
@click.option("--username", prompt=True)
@click.option("--email", prompt=True)
@click.password_option()
@with_appcontext
def create_admin_command(username: str, email: str, password: str) -> None:
    """Create an administrator account."""
    try:
        user = services.create_admin(username, email, password)
    except services.AccountError as exc:
        raise click.ClickException(f"{exc.field}: {exc.message}") from exc
    click.echo(f"Created admin {user.username} <{user.email}>.")


@main.group("access-key")
def access_key_group() -> None:
    """One-time registration keys (REGISTRATION_MODE=key)."""


@access_key_group.command("create")
@click.option("--note", default="", help="Who the key is for.")
@click.option(
    "--days", type=click.IntRange(1, keys.MAX_DAYS), default=None, help="Expire after N days."
)
@click.option("--count", type=click.IntRange(1, 1000), default=1, show_default=True)
@with_appcontext
def access_key_create(note: str, days: int | None, count: int) -> None:
    """Create keys and print them once (only their hashes are stored); audited as `cli`."""
    for start in range(0, count, keys.MAX_BATCH):
        try:
            new = keys.create_keys(min(keys.MAX_BATCH, count - start), note, days)
        except DomainError as exc:
            raise click.BadParameter(exc.message, param_hint=f"--{exc.field}") from exc
        for clear in new.clear:
            click.echo(clear)


@access_key_group.command("list")
@click.option("--state", type=click.Choice(keys.STATES), default=None)
@with_appcontext
def access_key_list(state: str | None) -> None:
    """Print the newest 500 keys: id, state, note, used by."""
    for row in keys.list_keys(state or "", 1, 500).rows:
        click.echo(f"{row.key.id}\t{row.state}\t{row.key.note}\t{row.used_by or ''}")


@access_key_group.command("revoke")
@click.argument("key_id", type=int)
@with_appcontext
def access_key_revoke(key_id: int) -> None:
    """Revoke an unused key (audited as `cli`)."""
    try:
        keys.revoke_key(key_id)
    except DomainError as exc:
        raise click.ClickException(exc.message) from exc
    click.echo(f"Access key {key_id} revoked.")

"""`init_audit(app)`: the `tradedeck audit` commands (the pages and API live in `admin`)."""

from __future__ import annotations

import json

import click
from flask import Flask
from flask.cli import with_appcontext

from tradedeck.audit import queries
from tradedeck.core.errors import DomainError
from tradedeck.extensions import db


def init_audit(app: Flask) -> None:
    app.cli.add_command(audit_group)


@click.group("audit")
def audit_group() -> None:
    """Read the audit log of admin actions and the access log (both are append-only)."""


@audit_group.command("list")
@click.option("--actor", default="", help="Actor name or user id.")
@click.option("--action", default="", help="Exact action, or a prefix ending in '.'.")
@click.option("--target", default="", help="Target type, type:id, or text in its label.")
@click.option("--since", default="", help="First UTC day, YYYY-MM-DD.")
@click.option("--until", default="", help="Last UTC day, YYYY-MM-DD.")
@click.option("--limit", type=click.IntRange(1, 10000), default=50, show_default=True)
@with_appcontext
def audit_list(**options: str | int) -> None:
    """Print matching audit entries, newest first, one JSON object per line."""
    limit = int(options.pop("limit"))
    try:
        flt = queries.audit_filter(options)
    except DomainError as exc:
        raise click.BadParameter(exc.message, param_hint=f"--{exc.field}") from exc
    for entry in db.session.scalars(queries.audit_query(flt).limit(limit)):
        click.echo(json.dumps(queries.audit_row(entry), sort_keys=True))

"""`tradedeck aws mirror-users`: copy every user to DynamoDB (fills mirror their user as they
happen; this catches up users who have not traded, e.g. after turning USE_AWS on)."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import select

from tradedeck.accounts.models import User
from tradedeck.extensions import db
from tradedeck.sinks import aws


@click.group("aws")
def aws_group() -> None:
    """Seed 004's AWS mode: SNS and DynamoDB sinks."""


@aws_group.command("mirror-users")
@with_appcontext
def mirror_users_command() -> None:
    """Put every user into DYNAMODB_TABLE_USERS (idempotent: one item per user id)."""
    config = current_app.config["TRADEDECK"]
    if not config.use_aws:
        raise click.ClickException("USE_AWS is off: nothing to mirror to.")
    count = 0
    for user in db.session.scalars(select(User).order_by(User.id)):
        aws.mirror_user(user)
        count += 1
    click.echo(f"Mirrored {count} users to {config.dynamodb_table_users}.")

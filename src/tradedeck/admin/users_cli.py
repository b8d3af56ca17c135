"""`tradedeck user …`: the admin user actions from a shell (audited with actor "cli")."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import with_appcontext
from sqlalchemy import select

from tradedeck.accounts.models import User
from tradedeck.admin import users_service as users
from tradedeck.core.errors import DomainError
from tradedeck.extensions import db


def register_cli(app: Flask) -> None:
    app.cli.add_command(user_group)


@click.group("user")
def user_group() -> None:
    """List users, reset a password, deactivate or reactivate an account, change a role."""


def _find(name: str) -> User:
    user = db.session.scalars(
        select(User).where((User.username_key == name.lower()) | (User.email == name.lower()))
    ).first()
    if user is None:
        raise click.ClickException(f"no user {name!r}")
    return user


def _run(action: object, *args: object) -> object:
    try:
        return action(*args)  # type: ignore[operator]
    except DomainError as exc:
        raise click.ClickException(
            f"{exc.field}: {exc.message}" if exc.field else exc.message
        ) from exc


@user_group.command("list")
@click.option("--q", default="", help="Text in username or email.")
@click.option("--role", default="")
@click.option("--active", default="", type=click.Choice(["", "active", "inactive"]))
@with_appcontext
def list_command(q: str, role: str, active: str) -> None:
    """Print matching users, newest first (at most 500)."""
    flt = _run(users.user_filter, {"q": q, "role": role, "active": active})
    for u in users.list_users(flt, 1, 500).rows:  # type: ignore[arg-type]
        state = "active" if u.active else "inactive"
        click.echo(f"{u.id}\t{u.username}\t{u.email}\t{u.role}\t{state}")


@user_group.command("reset-password")
@click.argument("name")
@with_appcontext
def reset_password_command(name: str) -> None:
    """Print a temporary password that must be changed at the next login."""
    click.echo(_run(users.reset_password, _find(name).id))


def _account_command(name: str, action: object, done: str, help_text: str) -> None:
    """Register `tradedeck user <name> NAME`, running `action(user_id)` and echoing `done`."""

    @user_group.command(name, help=help_text)
    @click.argument("username")
    @with_appcontext
    def command(username: str) -> None:
        user = _run(action, _find(username).id)
        click.echo(f"{user.username} {done}.")  # type: ignore[attr-defined]


_account_command(
    "deactivate",
    users.deactivate,
    "deactivated",
    "Deactivate: sessions, tokens and API keys are revoked at once.",
)
_account_command("reactivate", users.reactivate, "reactivated", "Let the user sign in again.")


@user_group.command("set-role")
@click.argument("name")
@click.argument("role", type=click.Choice(["customer", "admin"]))
@with_appcontext
def set_role_command(name: str, role: str) -> None:
    """Make a user an admin or a customer (the last active admin stays one)."""
    user = _run(users.update_user, _find(name).id, None, role, None)
    click.echo(f"{user.username} is now {role}.")  # type: ignore[attr-defined]

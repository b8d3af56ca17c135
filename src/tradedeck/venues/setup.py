"""`init_venues(app)`: everything the venues feature adds to an app."""

from __future__ import annotations

import click
from flask import Flask
from flask_openapi3 import OpenAPI
from sqlalchemy import select

from tradedeck.accounts.models import User
from tradedeck.demo import register_seeder
from tradedeck.extensions import csrf, db
from tradedeck.market.models import Venue
from tradedeck.venues import api, cli, schedule, views
from tradedeck.web.nav import NavItem, register_nav


def init_venues(app: OpenAPI) -> None:
    app.register_api(api.bp)
    csrf.exempt(api.bp)
    app.register_blueprint(views.bp)
    register_nav(
        app,
        NavItem(
            "venue_admin.index",
            "Venues",
            "calendar-week",
            admin_only=True,
            description="Trading hours, holidays and emergency overrides of each venue.",
        ),
    )
    schedule.install_caches(app)
    register_seeder(app, seed_demo_venues)
    _register_cli(app)


def seed_demo_venues(_customer: User) -> None:
    """Demo: hours and holidays for every scheduled venue, and their state rows."""
    for venue in db.session.scalars(select(Venue)):
        schedule.seed_hours(venue)
    db.session.commit()
    schedule.sync_market_states()


def _register_cli(app: Flask) -> None:
    group = app.cli.commands.get("market")
    if not isinstance(group, click.Group):
        group = click.Group("market", help="Market hours and venue overrides.")
        app.cli.add_command(group)
    for command in (cli.override_command, cli.hours_command, cli.holiday_group, cli.audit_command):
        group.add_command(command)

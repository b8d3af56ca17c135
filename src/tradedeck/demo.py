"""Demo data for development: the admin and customer the README lists, plus whatever features add.

Features register their own idempotent seeders (instruments, history, cash...) with
`register_seeder`; `seed_demo` runs them only on an empty database and never in production.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask, current_app

from tradedeck.accounts import services
from tradedeck.accounts.models import User
from tradedeck.accounts.passwords import hash_password
from tradedeck.extensions import db

SEEDERS_KEY = "tradedeck.seeders"
DEMO_ADMIN = ("admin", "admin@example.com", "admin123")
DEMO_CUSTOMER = ("demo", "demo@example.com", "demo123")


class DemoRefused(RuntimeError):
    """Demo data is never written into a production database."""


def register_seeder(app: Flask, seeder: Callable[[User], None]) -> None:
    """`seeder(demo_customer)` runs after the demo users exist."""
    app.extensions.setdefault(SEEDERS_KEY, []).append(seeder)


def _create_demo_user(username: str, email: str, password: str, role: str) -> User:
    # The demo passwords (admin123, demo123) are shorter than the registration policy allows, so the
    # row is written directly instead of through register_user.
    user = User(
        username=username,
        username_key=username,
        email=email,
        password_hash=hash_password(password),
        role=role,
        preferences={"theme": "dark"},
    )
    db.session.add(user)
    db.session.commit()
    return user


def seed_demo() -> bool:
    """Seed when no user exists yet; returns whether anything was written."""
    config = current_app.config["TRADEDECK"]
    if config.is_production:
        raise DemoRefused("demo data is not seeded when TRADEDECK_ENV=production")
    if services.count_users() > 0:
        return False
    _create_demo_user(*DEMO_ADMIN, role="admin")
    customer = _create_demo_user(*DEMO_CUSTOMER, role="customer")
    for seeder in current_app.extensions.get(SEEDERS_KEY, []):
        seeder(customer)
    return True

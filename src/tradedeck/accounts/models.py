"""Account tables. Secrets (passwords, access keys, API keys) are only ever stored hashed."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask_login import AnonymousUserMixin, UserMixin
from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tradedeck.database import TimestampMixin, UTCDateTime
from tradedeck.extensions import db

ROLES = ("customer", "admin")


class User(UserMixin, TimestampMixin, db.Model):
    """A person using TradeDeck; `username_key`/`email` are lower-cased for unique lookups."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(32))
    username_key: Mapped[str] = mapped_column(String(32), unique=True, index=True)
    email: Mapped[str] = mapped_column(String(254), unique=True, index=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16), default="customer")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    preferences: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    token_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    """Bumped by logout, password change and deactivation: every JWT, session and remember
    cookie carries the version it was issued under and stops working once it differs."""
    must_change_password: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=false()
    )
    """Set by an admin's temporary-password reset: until the user picks a new password, pages
    lead to the change form and the API answers 403 `password_change_required`."""

    api_keys: Mapped[list[ApiKey]] = relationship(
        back_populates="user", cascade="all, delete-orphan", order_by="ApiKey.id"
    )

    def get_id(self) -> str:
        """Session and remember-cookie identity: `id:version`, so revoking rotates both."""
        return f"{self.id}:{self.token_version or 0}"

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users with this
        return self.active

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    @property
    def theme(self) -> str:
        return str((self.preferences or {}).get("theme", "dark"))

    def __repr__(self) -> str:
        return f"<User {self.username} ({self.role})>"


class AccessKey(TimestampMixin, db.Model):
    """A one-time registration key (REGISTRATION_MODE=key); consumed atomically on use."""

    __tablename__ = "access_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True, index=True)
    note: Mapped[str] = mapped_column(String(200), default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    used_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class ApiKey(TimestampMixin, db.Model):
    """A personal API key: `prefix` finds the row, `key_hash` is compared in constant time."""

    __tablename__ = "api_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(64))
    prefix: Mapped[str] = mapped_column(String(16), unique=True, index=True)
    key_hash: Mapped[str] = mapped_column(String(64))
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)

    user: Mapped[User] = relationship(back_populates="api_keys")


class Visitor(AnonymousUserMixin):
    """The signed-out user: has every role check a page may ask (flask-login lets OPTIONS
    through `login_required`, so before-request hooks meet this user on protected routes)."""

    is_admin = False

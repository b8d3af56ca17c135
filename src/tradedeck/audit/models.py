"""Audit and access-log tables.

`audit_entries` is append-only: the ORM refuses to update or delete its rows (see
`services.install_append_only_guard`), and no route offers either. Actor and target are kept
by value (id + name/label as they were), so a row still reads right after the user or the
instrument it names is renamed or gone.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import JSON, Date, ForeignKey, Index, Integer, String, UniqueConstraint, event
from sqlalchemy.orm import Mapped, ORMExecuteState, Session, mapped_column

from tradedeck.database import TimestampMixin
from tradedeck.extensions import db

LOGIN_SUCCESS = "login.success"
LOGIN_FAILURE = "login.failure"
LOGOUT = "logout"
API_KEY_USE = "api_key.use"
ACCESS_EVENTS = (LOGIN_SUCCESS, LOGIN_FAILURE, LOGOUT, API_KEY_USE)


class AuditEntry(TimestampMixin, db.Model):
    """One admin action: who did what to which target, the state before → after, from where."""

    __tablename__ = "audit_entries"
    __table_args__ = (
        Index("ix_audit_entries_target", "target_type", "target_id"),
        Index("ix_audit_entries_created_at", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    actor_id: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)
    """The acting user's id (no foreign key: the row outlives the user)."""
    actor: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(64), index=True)
    target_type: Mapped[str] = mapped_column(String(32))
    target_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    target_label: Mapped[str] = mapped_column(String(200), default="")
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    ip: Mapped[str | None] = mapped_column(String(45), nullable=True)


class AccessLogEntry(TimestampMixin, db.Model):
    """A sign-in (success or failure), a sign-out, or one API key's use on one UTC day.

    API-key rows are summaries: one row per key and day whose `uses` is incremented in place
    and whose `updated_at` is the last use, so a busy key costs one UPDATE per request, not a
    row.
    """

    __tablename__ = "access_log_entries"
    __table_args__ = (
        UniqueConstraint("api_key_id", "day", name="uq_access_log_entries_key_day"),
        Index("ix_access_log_entries_created_at", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event: Mapped[str] = mapped_column(String(24), index=True)
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True, index=True
    )
    username: Mapped[str] = mapped_column(String(254), default="")
    """The name tried (failures of unknown users included) or the user's name at the time."""
    detail: Mapped[str] = mapped_column(String(64), default="")
    ip: Mapped[str | None] = mapped_column(String(45), nullable=True)
    user_agent: Mapped[str] = mapped_column(String(255), default="")
    api_key_id: Mapped[int | None] = mapped_column(
        ForeignKey("api_keys.id", ondelete="CASCADE"), nullable=True
    )
    day: Mapped[date | None] = mapped_column(Date, nullable=True)
    uses: Mapped[int] = mapped_column(Integer, default=1)


class AuditLogError(RuntimeError):
    """Raised when code tries to change or remove an audit row."""


def _refuse_change(_mapper: Any, _connection: Any, target: AuditEntry) -> None:
    raise AuditLogError(f"audit entry {target.id} is append-only: it cannot be changed or deleted")


def _refuse_bulk_change(state: ORMExecuteState) -> None:
    """`update(AuditEntry)` / `delete(AuditEntry)` statements run through the session too."""
    if not (state.is_update or state.is_delete):
        return
    if any(mapper.class_ is AuditEntry for mapper in state.all_mappers):
        raise AuditLogError("audit entries are append-only: bulk update/delete refused")


event.listen(AuditEntry, "before_update", _refuse_change)
event.listen(AuditEntry, "before_delete", _refuse_change)
event.listen(Session, "do_orm_execute", _refuse_bulk_change)

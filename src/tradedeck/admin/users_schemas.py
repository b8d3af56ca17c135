"""Pydantic models of the admin users and access-key API (they also feed the OpenAPI document)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictStr

from tradedeck.accounts.models import User
from tradedeck.admin.keys_service import MAX_BATCH, MAX_DAYS, MAX_NOTE, KeyRow
from tradedeck.database import ID_MAX

"""Ids are 64-bit signed integers: a larger one in a path is a 400, not a database error."""


class UserPath(BaseModel):
    user_id: int = Field(ge=1, le=ID_MAX)


class PageArgs(BaseModel):
    page: int = Field(default=1, ge=1, le=1_000_000)
    per_page: int = Field(default=50, ge=1, le=500)


class UserQuery(PageArgs):
    q: str = Field(default="", max_length=64, description="Text in username or email")
    role: Literal["", "customer", "admin"] = ""
    active: Literal["", "active", "inactive"] = ""
    since: date | None = Field(default=None, description="Registered on or after (UTC day)")
    until: date | None = Field(default=None, description="Registered on or before (UTC day)")


class AdminUserOut(BaseModel):
    id: int
    username: str
    email: str
    role: str
    active: bool
    must_change_password: bool
    created_at: datetime
    last_login_at: datetime | None

    @classmethod
    def of(cls, user: User) -> AdminUserOut:
        return cls(
            id=user.id,
            username=user.username,
            email=user.email,
            role=user.role,
            active=user.active,
            must_change_password=bool(user.must_change_password),
            created_at=user.created_at,
            last_login_at=user.last_login_at,
        )


class PageMeta(BaseModel):
    """Where a list answer is: its page, the page size and how many rows match in all."""

    page: int
    per_page: int
    total: int


class UserPage(PageMeta):
    users: list[AdminUserOut]


class UserDetailOut(BaseModel):
    user: AdminUserOut
    portfolio: dict[str, Any]
    orders: list[dict[str, Any]]
    cash: list[dict[str, Any]]
    api_keys: list[dict[str, Any]]
    logins: list[dict[str, Any]]
    tradingview_username: str | None


class AdminUserEnvelope(BaseModel):
    user: AdminUserOut


class UserPatch(BaseModel):
    """Fields to change; omitted fields stay. `active: false` deactivates (revokes everything)."""

    model_config = ConfigDict(extra="forbid")

    email: StrictStr | None = Field(default=None, max_length=254)
    role: Literal["customer", "admin"] | None = None
    active: StrictBool | None = None


class PasswordResetOut(BaseModel):
    user: AdminUserOut
    temporary_password: str = Field(description="Shown once; must be changed at next login")


class ResetLinkOut(BaseModel):
    user: AdminUserOut
    reset_url: str = Field(description="One-time link (shown once); nothing changes until used")
    expires_at: datetime


class KeyPath(BaseModel):
    key_id: int = Field(ge=1, le=ID_MAX)


class KeyQuery(PageArgs):
    state: Literal["", "unused", "used", "expired", "revoked"] = ""


class KeyCreateBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    count: int = Field(default=1, ge=1, le=MAX_BATCH)
    note: StrictStr = Field(default="", max_length=MAX_NOTE)
    expires_in_days: int | None = Field(default=None, ge=1, le=MAX_DAYS)


class KeyOut(BaseModel):
    id: int
    note: str
    state: str
    created_at: datetime
    created_by: str | None
    expires_at: datetime | None
    used_at: datetime | None
    used_by: str | None
    used_by_id: int | None
    revoked_at: datetime | None

    @classmethod
    def of(cls, row: KeyRow) -> KeyOut:
        key = row.key
        return cls(
            id=key.id,
            note=key.note,
            state=row.state,
            created_at=key.created_at,
            created_by=row.created_by,
            expires_at=key.expires_at,
            used_at=key.used_at,
            used_by=row.used_by,
            used_by_id=row.used_by_id,
            revoked_at=key.revoked_at,
        )


class KeyPage(PageMeta):
    keys: list[KeyOut]


class NewKeysOut(BaseModel):
    keys: list[KeyOut]
    clear_keys: list[str] = Field(description="Shown once; only their hashes are stored")

"""Pydantic request/response models of the auth API (they also feed the OpenAPI document)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, StrictStr

from tradedeck.accounts.models import User


class RegisterBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    username: StrictStr = Field(min_length=1, max_length=64)
    email: StrictStr = Field(min_length=1, max_length=254)
    password: StrictStr = Field(min_length=1, max_length=256)
    access_key: StrictStr | None = None


class LoginBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    username: StrictStr | None = Field(default=None, description="Username or email")
    email: StrictStr | None = None
    password: StrictStr = Field(min_length=1, max_length=256)


class PasswordBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    current_password: StrictStr = Field(min_length=1, max_length=256)
    new_password: StrictStr = Field(min_length=1, max_length=256)


class PreferencesBody(BaseModel):
    """Preferences to change; unknown keys are refused so typos are not stored silently."""

    model_config = ConfigDict(extra="forbid")

    theme: Literal["dark", "light"] | None = None


class UserOut(BaseModel):
    id: int
    username: str
    email: str
    role: str
    created_at: datetime
    preferences: dict[str, object]

    @classmethod
    def of(cls, user: User) -> UserOut:
        return cls(
            id=user.id,
            username=user.username,
            email=user.email,
            role=user.role,
            created_at=user.created_at,
            preferences=user.preferences or {},
        )


class UserEnvelope(BaseModel):
    user: UserOut


class LoginOut(BaseModel):
    user: UserOut
    access_token: str

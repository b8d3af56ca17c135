"""Request and response models of `/api/v1/tradingview` (the session state and an operation's
outcome answer as the services' own models, `session.SessionState` and `services.Outcome`)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

Duration = Literal["7d", "30d", "90d", "1y", "lifetime"]


class CookiesIn(BaseModel):
    sessionid: str = Field(min_length=1, max_length=128)
    sessionid_sign: str = Field(default="", max_length=256)


class SignInIn(BaseModel):
    username: str = Field(min_length=1, max_length=254)
    password: str = Field(min_length=1, max_length=256)


class CodeIn(BaseModel):
    code: str = Field(min_length=6, max_length=6, pattern=r"^\d{6}$")


class ScriptIn(BaseModel):
    pine_id: str = Field(min_length=1, max_length=80)
    name: str = Field(min_length=1, max_length=120)
    description: str = Field(default="", max_length=500)


class ScriptOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    pine_id: str
    name: str
    description: str
    warning: str | None = None


class ScriptList(BaseModel):
    scripts: list[ScriptOut]


class ScriptPath(BaseModel):
    script_id: int = Field(ge=1, le=2**31 - 1)


class Removed(BaseModel):
    removed_grants: int


class LinkIn(BaseModel):
    username: str = Field(min_length=1, max_length=64)


class LinkOut(BaseModel):
    username: str | None


class UserPath(BaseModel):
    user_id: int = Field(ge=1, le=2**31 - 1)


class DriftOut(BaseModel):
    """Per script id: grants missing on TradingView, grantees TradeDeck does not know, and
    grants whose expiry differs."""

    scripts: dict[str, dict[str, list[str]]]


class GrantIn(BaseModel):
    user_id: int = Field(ge=1, le=2**31 - 1)
    script_id: int = Field(ge=1, le=2**31 - 1)
    duration: Duration


class PairIn(BaseModel):
    user_id: int = Field(ge=1, le=2**31 - 1)
    script_id: int = Field(ge=1, le=2**31 - 1)


class GrantOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    user_id: int
    script_id: int
    tv_username: str
    expires_at: datetime | None
    lifetime: bool
    verified_at: datetime | None


class GrantList(BaseModel):
    grants: list[GrantOut]


class JobIn(BaseModel):
    action: Literal["grant", "remove"]
    user_ids: list[int] = Field(min_length=1, max_length=500)
    script_ids: list[int] = Field(min_length=1, max_length=100)
    duration: Duration | Literal[""] = ""


class JobPath(BaseModel):
    job_id: int = Field(ge=1, le=2**31 - 1)


class JobOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    action: str
    duration: str
    status: str
    stopped_reason: str
    report: list[dict[str, Any]]


class OperationOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    created_at: datetime
    actor: str
    action: str
    user_id: int | None
    tv_username: str
    pine_id: str
    result: str
    expires_at: datetime | None
    answer: str


class OperationList(BaseModel):
    operations: list[OperationOut]

"""Request and response models of `/api/v1/tradingview`."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from tradedeck.tradingview.models import AccessGrant, AccessOperation, BulkJob, PineScript
from tradedeck.tradingview.session import SessionState

Duration = Literal["7d", "30d", "90d", "1y", "lifetime"]


class CookiesIn(BaseModel):
    sessionid: str = Field(min_length=1, max_length=128)
    sessionid_sign: str = Field(default="", max_length=256)


class SignInIn(BaseModel):
    username: str = Field(min_length=1, max_length=254)
    password: str = Field(min_length=1, max_length=256)


class CodeIn(BaseModel):
    code: str = Field(min_length=6, max_length=6, pattern=r"^\d{6}$")


class SessionOut(BaseModel):
    """Never the cookies: only whether they are set, by whom and when, and if they work."""

    is_set: bool
    mode: str
    account: str
    set_at: datetime | None
    set_by: str
    valid: bool
    probed_at: datetime | None
    problem: str
    awaiting_code: bool
    cooldown_until: datetime | None

    @classmethod
    def of(cls, state: SessionState) -> SessionOut:
        return cls(**state.__dict__)


class ScriptIn(BaseModel):
    pine_id: str = Field(min_length=1, max_length=80)
    name: str = Field(min_length=1, max_length=120)
    description: str = Field(default="", max_length=500)


class ScriptOut(BaseModel):
    id: int
    pine_id: str
    name: str
    description: str
    warning: str | None = None

    @classmethod
    def of(cls, script: PineScript, warning: str | None = None) -> ScriptOut:
        return cls(
            id=script.id,
            pine_id=script.pine_id,
            name=script.name,
            description=script.description,
            warning=warning,
        )


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


class GrantIn(BaseModel):
    user_id: int = Field(ge=1, le=2**31 - 1)
    script_id: int = Field(ge=1, le=2**31 - 1)
    duration: Duration


class PairIn(BaseModel):
    user_id: int = Field(ge=1, le=2**31 - 1)
    script_id: int = Field(ge=1, le=2**31 - 1)


class OutcomeOut(BaseModel):
    action: str
    result: str
    user_id: int
    script_id: int
    tv_username: str
    pine_id: str
    expires_at: datetime | None
    lifetime: bool
    answer: str


class GrantOut(BaseModel):
    user_id: int
    script_id: int
    tv_username: str
    expires_at: datetime | None
    lifetime: bool
    verified_at: datetime | None

    @classmethod
    def of(cls, grant: AccessGrant) -> GrantOut:
        return cls(
            user_id=grant.user_id,
            script_id=grant.script_id,
            tv_username=grant.tv_username,
            expires_at=grant.expires_at,
            lifetime=grant.lifetime,
            verified_at=grant.verified_at,
        )


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
    id: int
    action: str
    duration: str
    status: str
    stopped_reason: str
    report: list[dict[str, Any]]

    @classmethod
    def of(cls, job: BulkJob) -> JobOut:
        return cls(
            id=job.id,
            action=job.action,
            duration=job.duration,
            status=job.status,
            stopped_reason=job.stopped_reason,
            report=job.report or [],
        )


class OperationOut(BaseModel):
    id: int
    at: datetime
    actor: str
    action: str
    user_id: int | None
    tv_username: str
    pine_id: str
    result: str
    expires_at: datetime | None
    answer: str

    @classmethod
    def of(cls, op: AccessOperation) -> OperationOut:
        return cls(
            id=op.id,
            at=op.created_at,
            actor=op.actor,
            action=op.action,
            user_id=op.user_id,
            tv_username=op.tv_username,
            pine_id=op.pine_id,
            result=op.result,
            expires_at=op.expires_at,
            answer=op.answer,
        )


class OperationList(BaseModel):
    operations: list[OperationOut]

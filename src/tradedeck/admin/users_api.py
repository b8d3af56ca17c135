"""`/api/v1/admin/users`: list, detail, edit, temporary-password reset, deactivate/reactivate.

Admins only (`admin_only`; cookie callers send X-CSRFToken on writes, checked centrally).
Every write is audited in its own transaction by `users_service`.
"""

from __future__ import annotations

from flask import Response, jsonify, url_for
from flask_openapi3 import APIBlueprint, Tag

from tradedeck.admin import users_service as users
from tradedeck.admin.common import page_meta
from tradedeck.admin.users_schemas import (
    AdminUserEnvelope,
    AdminUserOut,
    PasswordResetOut,
    ResetLinkOut,
    UserDetailOut,
    UserPage,
    UserPatch,
    UserPath,
    UserQuery,
)
from tradedeck.api.auth import admin_only
from tradedeck.api.errors import ErrorBody
from tradedeck.audit.queries import access_row
from tradedeck.trading import serialize

bp = APIBlueprint(
    "admin_users_api",
    __name__,
    url_prefix="/api/v1/admin/users",
    abp_tags=[Tag(name="admin: users", description="Accounts, password resets, deactivation")],
    abp_responses={"400": ErrorBody, "401": ErrorBody, "403": ErrorBody, "404": ErrorBody},
)


def _user(user: object) -> Response:
    return jsonify(AdminUserEnvelope(user=AdminUserOut.of(user)).model_dump(mode="json"))  # type: ignore[arg-type]


@bp.get("", responses={"200": UserPage})
@admin_only
def list_users(query: UserQuery) -> Response:
    """Users matching the search and filters, newest registration first."""
    flt = users.user_filter({k: "" if v is None else str(v) for k, v in query.model_dump().items()})
    found = users.list_users(flt, query.page, query.per_page)
    page = UserPage(users=[AdminUserOut.of(u) for u in found.rows], **page_meta(found))
    return jsonify(page.model_dump(mode="json"))


@bp.get("/<int:user_id>", responses={"200": UserDetailOut})
@admin_only
def get_user(path: UserPath) -> Response:
    """Account, portfolio, latest orders and cash movements, API keys, login history."""
    d = users.detail(path.user_id)
    out = UserDetailOut(
        user=AdminUserOut.of(d.user),
        portfolio=serialize.portfolio(d.portfolio),
        orders=[serialize.order(o) for o in d.orders],
        cash=[serialize.cash_transaction(c) for c in d.cash],
        api_keys=[
            {
                "id": k.id,
                "name": k.name,
                "prefix": k.prefix,
                "created_at": serialize.iso(k.created_at),
                "last_used_at": serialize.iso(k.last_used_at),
                "revoked_at": serialize.iso(k.revoked_at),
            }
            for k in d.api_keys
        ],
        logins=[access_row(e) for e in d.logins],
        tradingview_username=d.fact("tradingview-username"),
    )
    return jsonify(out.model_dump(mode="json"))


@bp.patch("/<int:user_id>", responses={"200": AdminUserEnvelope, "409": ErrorBody})
@admin_only
def patch_user(path: UserPath, body: UserPatch) -> Response:
    """Change email, role, active; 409 `last_admin` when it would leave no active admin."""
    return _user(users.update_user(path.user_id, body.email, body.role, body.active))


@bp.post("/<int:user_id>/deactivate", responses={"200": AdminUserEnvelope, "409": ErrorBody})
@admin_only
def deactivate_user(path: UserPath) -> Response:
    """Deactivate: every session, token and API key of the user is revoked at once."""
    return _user(users.deactivate(path.user_id))


@bp.post("/<int:user_id>/reactivate", responses={"200": AdminUserEnvelope, "409": ErrorBody})
@admin_only
def reactivate_user(path: UserPath) -> Response:
    """Let a deactivated user sign in again (revoked API keys stay revoked)."""
    return _user(users.reactivate(path.user_id))


@bp.post("/<int:user_id>/reset-password", responses={"200": PasswordResetOut, "409": ErrorBody})
@admin_only
def reset_password(path: UserPath) -> Response:
    """Set a temporary password (returned once) that must be changed at the next login."""
    temporary = users.reset_password(path.user_id)
    user = users.get_user(path.user_id)
    out = PasswordResetOut(user=AdminUserOut.of(user), temporary_password=temporary)
    return jsonify(out.model_dump(mode="json"))


@bp.post("/<int:user_id>/reset-link", responses={"200": ResetLinkOut, "409": ErrorBody})
@admin_only
def reset_link(path: UserPath) -> Response:
    """A one-time password-reset link (valid 24 hours) to hand to the user."""
    link = users.reset_link(path.user_id)
    out = ResetLinkOut(
        user=AdminUserOut.of(users.get_user(path.user_id)),
        reset_url=url_for("accounts.reset_password", token=link.token, _external=True),
        expires_at=link.expires_at,
    )
    return jsonify(out.model_dump(mode="json"))

"""`/api/v1/admin/access-keys`: list by state, create one or many, revoke (admins only)."""

from __future__ import annotations

from flask import Response, jsonify
from flask_login import current_user
from flask_openapi3 import APIBlueprint, Tag

from tradedeck.admin import keys_service as keys
from tradedeck.admin.common import page_meta
from tradedeck.admin.users_schemas import (
    KeyCreateBody,
    KeyOut,
    KeyPage,
    KeyPath,
    KeyQuery,
    NewKeysOut,
)
from tradedeck.api.auth import admin_only
from tradedeck.api.errors import ErrorBody

bp = APIBlueprint(
    "admin_keys_api",
    __name__,
    url_prefix="/api/v1/admin/access-keys",
    abp_tags=[Tag(name="admin: access keys", description="One-time registration keys")],
    abp_responses={"400": ErrorBody, "401": ErrorBody, "403": ErrorBody, "404": ErrorBody},
)


@bp.get("", responses={"200": KeyPage})
@admin_only
def list_keys(query: KeyQuery) -> Response:
    """Keys newest first, optionally one state: unused, used, expired or revoked."""
    found = keys.list_keys(query.state, query.page, query.per_page)
    page = KeyPage(keys=[KeyOut.of(row) for row in found.rows], **page_meta(found))
    return jsonify(page.model_dump(mode="json"))


@bp.post("", responses={"201": NewKeysOut})
@admin_only
def create_keys(body: KeyCreateBody) -> tuple[Response, int]:
    """Create `count` single-use keys; the clear keys are in this answer only."""
    new = keys.create_keys(body.count, body.note, body.expires_in_days, current_user)
    rows = [keys.KeyRow(k, "unused", current_user.username, None, None) for k in new.rows]
    out = NewKeysOut(keys=[KeyOut.of(r) for r in rows], clear_keys=new.clear)
    return jsonify(out.model_dump(mode="json")), 201


@bp.post("/<int:key_id>/revoke", responses={"200": KeyOut, "409": ErrorBody})
@admin_only
def revoke_key(path: KeyPath) -> Response:
    """Revoke an unused (or expired) key; 409 when it is already used or revoked."""
    key = keys.revoke_key(path.key_id)
    row = keys.KeyRow(key, keys.state_of(key), None, None, key.used_by_id)
    return jsonify(KeyOut.of(row).model_dump(mode="json"))

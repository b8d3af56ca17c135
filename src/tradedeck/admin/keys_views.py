"""Admin page for one-time registration keys: `/admin/keys` lists them by state (unused, used,
expired, revoked) with who created and who used each, creates one or many, revokes unused ones.

New keys are shown once, on the response to the create form; only their hashes are stored.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms import IntegerField, StringField, SubmitField
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from tradedeck.admin import keys_service as keys
from tradedeck.admin.common import attach_error, form_problem, guard, page_number
from tradedeck.core.errors import DomainError

bp = guard(Blueprint("admin_keys", __name__, url_prefix="/admin/keys"))


class KeyCreateForm(FlaskForm):
    count = IntegerField(
        "How many",
        default=1,
        validators=[
            InputRequired("Say how many keys to create."),
            NumberRange(1, keys.MAX_BATCH, f"Between 1 and {keys.MAX_BATCH}."),
        ],
    )
    note = StringField("Note (who they are for)", validators=[Length(max=keys.MAX_NOTE)])
    expires_in_days = IntegerField(
        "Expires after (days)",
        validators=[Optional(), NumberRange(1, keys.MAX_DAYS, f"Between 1 and {keys.MAX_DAYS}.")],
    )
    submit = SubmitField("Create keys")


class RevokeForm(FlaskForm):
    submit = SubmitField("Revoke")


def _render(form: KeyCreateForm | None = None, new: keys.NewKeys | None = None) -> str:
    state = request.args.get("state", "")
    error, found = None, None
    try:
        found = keys.list_keys(state, page_number(request.args.get("page")))
    except DomainError as exc:
        error = exc
    return render_template(
        "admin/keys.html",
        found=found,
        error=error,
        state=state,
        states=keys.STATES,
        form=form or KeyCreateForm(formdata=None),
        revoke_form=RevokeForm(),
        new=new,
        key_mode=current_app.config["TRADEDECK"].registration_mode == "key",
        args=request.args,
    )


@bp.get("")
def index() -> str:
    return _render()


@bp.post("")
def create() -> Any:
    form = KeyCreateForm()
    if not form.validate_on_submit():
        flash(f"No key created — {form_problem(form)}.", "danger")
        return _render(form)
    try:
        new = keys.create_keys(
            form.count.data or 0, form.note.data or "", form.expires_in_days.data, current_user
        )
    except DomainError as exc:
        attach_error(form, exc)
        flash(f"No key created — {exc.message}", "danger")
        return _render(form)
    count = len(new.clear)
    flash(
        f"Created {count} key{'s' if count > 1 else ''}. Copy them now: they are not shown again.",
        "success",
    )
    return _render(new=new)


@bp.post("/<int:key_id>/revoke")
def revoke(key_id: int) -> Response:
    if not RevokeForm().validate_on_submit():
        flash("The form expired. Please try again.", "danger")
    else:
        try:
            keys.revoke_key(key_id)
        except DomainError as exc:
            flash(exc.message, "danger")
        else:
            flash(f"Access key {key_id} revoked: it can no longer register anyone.", "success")
    return redirect(url_for("admin_keys.index", **request.args))

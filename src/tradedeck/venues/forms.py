"""Forms of the venue admin pages: weekly hours, holidays, override and confirm buttons."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import HiddenField, StringField, SubmitField
from wtforms.validators import DataRequired, Length

from tradedeck.core.calendar import WEEKDAYS
from tradedeck.venues import admin


class HoursForm(FlaskForm):
    """One text input per weekday: `09:30-16:00`, `09:00-11:30, 12:30-15:00` or empty."""

    mon = StringField("Monday", validators=[Length(max=120)])
    tue = StringField("Tuesday", validators=[Length(max=120)])
    wed = StringField("Wednesday", validators=[Length(max=120)])
    thu = StringField("Thursday", validators=[Length(max=120)])
    fri = StringField("Friday", validators=[Length(max=120)])
    sat = StringField("Saturday", validators=[Length(max=120)])
    sun = StringField("Sunday", validators=[Length(max=120)])
    submit = SubmitField("Save hours")

    def day_fields(self) -> list[tuple[int, StringField]]:
        return [(i, getattr(self, day)) for i, day in enumerate(WEEKDAYS)]


class HolidayEditForm(FlaskForm):
    """A holiday row's edit form: its date is in the URL and stays."""

    name = StringField(
        "Name",
        validators=[
            DataRequired("Give the holiday a name."),
            Length(max=admin.MAX_HOLIDAY_NAME),
        ],
    )
    early_close = StringField("Early close", validators=[Length(max=5)])
    submit = SubmitField("Save")


class HolidayForm(HolidayEditForm):
    """The add form: the edit form's fields plus the date."""

    date = StringField("Date", validators=[DataRequired("Pick a date.")])
    early_close = StringField("Early close (optional)", validators=[Length(max=5)])
    submit = SubmitField("Add holiday")


class ActionForm(FlaskForm):
    """A button that only needs the CSRF token (reset hours, remove a holiday)."""

    submit = SubmitField("Confirm")


class OverrideForm(FlaskForm):
    state = HiddenField(validators=[DataRequired()])
    submit = SubmitField("Apply")

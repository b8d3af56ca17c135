from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tradedeck.core.calendar import (
    Holiday,
    Override,
    SessionWindow,
    VenueSchedule,
    WeeklySession,
    is_open,
    next_close,
    next_open,
    observed_holidays,
    sessions_between,
)
from tradedeck.core.errors import DomainError

NY = "America/New_York"
TICK = timedelta(microseconds=1)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def nyse(years=(2021, 2026), **kwargs) -> VenueSchedule:
    holidays = {h.date for h in observed_holidays(*years)}
    return VenueSchedule.weekdays(NY, holidays=holidays, **kwargs)


def test_open_inclusive_close_exclusive_in_winter_and_summer():
    s = nyse()
    # 2024-01-10 is EST (UTC-5): 09:30 -> 14:30Z, 16:00 -> 21:00Z
    assert not is_open(s, utc(2024, 1, 10, 14, 30) - TICK)
    assert is_open(s, utc(2024, 1, 10, 14, 30))
    assert is_open(s, utc(2024, 1, 10, 21, 0) - TICK)
    assert not is_open(s, utc(2024, 1, 10, 21, 0))
    # 2024-07-10 is EDT (UTC-4): 09:30 -> 13:30Z
    assert not is_open(s, utc(2024, 7, 10, 13, 30) - TICK)
    assert is_open(s, utc(2024, 7, 10, 13, 30))
    assert not is_open(s, utc(2024, 7, 10, 20, 0))


def test_boundaries_across_march_dst_change():
    s = nyse()
    # Friday 2024-03-08 EST, DST starts Sunday 2024-03-10, Monday 2024-03-11 EDT
    assert next_close(s, utc(2024, 3, 8, 15)) == utc(2024, 3, 8, 21)
    assert next_open(s, utc(2024, 3, 8, 21)) == utc(2024, 3, 11, 13, 30)
    assert not is_open(s, utc(2024, 3, 11, 13, 30) - TICK)
    assert is_open(s, utc(2024, 3, 11, 13, 30))
    assert next_close(s, utc(2024, 3, 11, 13, 30)) == utc(2024, 3, 11, 20)


def test_boundaries_across_november_dst_change():
    s = nyse()
    # Friday 2024-11-01 EDT, DST ends Sunday 2024-11-03, Monday 2024-11-04 EST
    assert next_open(s, utc(2024, 11, 1, 20)) == utc(2024, 11, 4, 14, 30)
    assert not is_open(s, utc(2024, 11, 4, 13, 30))
    assert is_open(s, utc(2024, 11, 4, 14, 30))
    assert next_close(s, utc(2024, 11, 4, 15)) == utc(2024, 11, 4, 21)


def test_session_inside_the_dst_hour_uses_local_wall_clock():
    # A Sunday 01:30-03:30 session on the fall-back night lasts three real hours.
    s = VenueSchedule(NY, (WeeklySession(6, time(1, 30), time(3, 30)),))
    [window] = sessions_between(s, utc(2024, 11, 3), utc(2024, 11, 4))
    assert window.close - window.open == timedelta(hours=3)


def test_observed_holidays_follow_nyse_rules():
    days = {h.date: h.name for h in observed_holidays(2021, 2026)}
    assert days[date(2024, 1, 1)] == "New Year's Day"
    assert days[date(2024, 7, 4)] == "Independence Day"
    assert days[date(2024, 12, 25)] == "Christmas Day"
    assert days[date(2021, 7, 5)] == "Independence Day (observed)"  # Sunday -> Monday
    assert days[date(2021, 12, 24)] == "Christmas Day (observed)"  # Saturday -> Friday
    assert days[date(2023, 1, 2)] == "New Year's Day (observed)"  # Sunday -> Monday
    assert days[date(2026, 7, 3)] == "Independence Day (observed)"  # Saturday -> Friday
    # New Year's Day 2022 was a Saturday: not observed, the market was open 2021-12-31
    assert date(2021, 12, 31) not in days
    assert date(2022, 1, 1) not in days
    assert all(day.weekday() < 5 for day in days)
    assert len(days) == 17
    assert isinstance(observed_holidays(2024, 2024)[0], Holiday)


def test_holiday_is_closed_regardless_of_hours():
    s = nyse()
    assert not is_open(s, utc(2024, 12, 25, 15))
    assert not is_open(s, utc(2021, 7, 5, 15))
    assert is_open(s, utc(2021, 12, 31, 15))
    assert is_open(VenueSchedule.weekdays(NY), utc(2024, 12, 25, 15))


def test_next_open_skips_weekend_and_holidays():
    s = nyse()
    # Fri 2022-12-23 close -> Sat, Sun, Mon 26 (Christmas observed) -> Tue 27 09:30 EST
    assert next_open(s, utc(2022, 12, 23, 21)) == utc(2022, 12, 27, 14, 30)
    # Thu 2021-12-23 after close -> Fri 24 holiday -> Mon 27
    assert next_open(s, utc(2021, 12, 23, 22)) == utc(2021, 12, 27, 14, 30)
    assert next_close(s, utc(2021, 12, 23, 22)) == utc(2021, 12, 27, 21)
    # While open, next_open is the next session's open
    assert next_open(s, utc(2024, 1, 10, 15)) == utc(2024, 1, 11, 14, 30)
    # Exactly at the open the venue is open, so the next opening is the following day
    assert next_open(s, utc(2024, 1, 10, 14, 30)) == utc(2024, 1, 11, 14, 30)
    assert next_open(s, utc(2024, 1, 10, 14, 30) - TICK) == utc(2024, 1, 10, 14, 30)


def test_override_forces_state_and_suspends_schedule():
    closed = nyse(override=Override.CLOSED)
    assert not is_open(closed, utc(2024, 1, 10, 15))
    assert next_open(closed, utc(2024, 1, 10, 15)) is None
    assert next_close(closed, utc(2024, 1, 10, 15)) is None
    opened = nyse(override=Override.OPEN)
    assert is_open(opened, utc(2024, 1, 13, 3))  # a Saturday night
    assert is_open(opened, utc(2024, 12, 25, 15))  # a holiday
    assert next_close(opened, utc(2024, 1, 13, 3)) is None
    # the listing still shows the schedule
    assert len(sessions_between(closed, utc(2024, 1, 8), utc(2024, 1, 13))) == 5
    assert not is_open(VenueSchedule.always_open(Override.CLOSED), utc(2024, 1, 1))


def test_always_open_venue():
    s = VenueSchedule.always_open()
    for at in (utc(2024, 12, 25, 0), utc(2024, 3, 10, 7), utc(2024, 1, 6, 23, 59, 59)):
        assert is_open(s, at)
        assert next_close(s, at) is None
        assert next_open(s, at) is None
    assert sessions_between(s, utc(2024, 1, 1), utc(2024, 1, 2)) == [
        SessionWindow(utc(2024, 1, 1), utc(2024, 1, 2))
    ]


def test_sessions_between_lists_whole_sessions_in_utc():
    s = nyse()
    # Week of 2024-03-04 .. 2024-03-15 spans the DST start
    windows = sessions_between(s, utc(2024, 3, 4), utc(2024, 3, 16))
    assert len(windows) == 10
    assert windows[0] == SessionWindow(utc(2024, 3, 4, 14, 30), utc(2024, 3, 4, 21))
    assert windows[-1] == SessionWindow(utc(2024, 3, 15, 13, 30), utc(2024, 3, 15, 20))
    # a range starting mid-session includes the running session whole
    assert sessions_between(s, utc(2024, 3, 4, 16), utc(2024, 3, 4, 17)) == [windows[0]]
    assert sessions_between(s, utc(2024, 12, 24, 21), utc(2024, 12, 26, 14)) == []
    assert sessions_between(s, utc(2024, 3, 5), utc(2024, 3, 4)) == []


def test_multiple_sessions_per_day_and_overnight_merging():
    lunch = VenueSchedule(
        "Asia/Tokyo",
        (WeeklySession(0, time(9), time(11, 30)), WeeklySession(0, time(12, 30), time(15))),
    )
    monday = utc(2024, 1, 8)  # Monday 09:00 JST == 00:00Z
    assert is_open(lunch, monday)
    assert not is_open(lunch, monday + timedelta(hours=3))  # 12:00 JST lunch
    assert next_open(lunch, monday + timedelta(hours=3)) == monday + timedelta(hours=3, minutes=30)
    assert next_close(lunch, monday) == monday + timedelta(hours=2, minutes=30)

    overnight = VenueSchedule(
        "UTC", (WeeklySession(0, time(20), None), WeeklySession(1, time(0), time(2)))
    )
    assert next_close(overnight, utc(2024, 1, 8, 21)) == utc(2024, 1, 9, 2)
    assert is_open(overnight, utc(2024, 1, 9, 1))
    assert next_open(overnight, utc(2024, 1, 8, 23)) == utc(2024, 1, 15, 20)
    assert sessions_between(overnight, utc(2024, 1, 9, 1), utc(2024, 1, 9, 3)) == [
        SessionWindow(utc(2024, 1, 8, 20), utc(2024, 1, 9, 2))
    ]


def test_empty_schedule_never_opens():
    s = VenueSchedule("UTC")
    assert not is_open(s, utc(2024, 1, 8, 12))
    assert next_open(s, utc(2024, 1, 8, 12)) is None
    assert next_close(s, utc(2024, 1, 8, 12)) is None


def test_schedule_validation():
    with pytest.raises(DomainError) as err:
        VenueSchedule("Mars/Olympus")
    assert err.value.field == "timezone"
    with pytest.raises(DomainError, match="overlap"):
        VenueSchedule(
            "UTC", (WeeklySession(0, time(9), time(12)), WeeklySession(0, time(11), time(13)))
        )
    with pytest.raises(DomainError):
        WeeklySession(7, time(9), time(10))
    with pytest.raises(DomainError):
        WeeklySession(0, time(10), time(9))
    with pytest.raises(ValueError, match="aware"):
        is_open(nyse(), datetime(2024, 1, 10, 15))


def test_non_utc_aware_input_is_accepted():
    s = nyse()
    local = datetime(2024, 1, 10, 9, 30, tzinfo=ZoneInfo(NY))
    assert is_open(s, local)
    assert next_close(s, local) == utc(2024, 1, 10, 21)
    assert next_close(s, local).tzinfo is UTC


instants = st.datetimes(
    min_value=datetime(2021, 1, 1), max_value=datetime(2026, 12, 1), timezones=st.just(UTC)
)


@given(instants)
def test_next_boundaries_agree_with_is_open(at):
    s = nyse()
    close = next_close(s, at)
    opening = next_open(s, at)
    assert close is not None and opening is not None
    assert close > at and opening > at
    assert not is_open(s, close) and is_open(s, close - TICK)
    assert is_open(s, opening) and not is_open(s, opening - TICK)
    if is_open(s, at):
        assert close < opening
    else:
        assert opening < close


def test_early_close_cuts_the_day_short_in_local_time():
    # Christmas Eve 2024 (Tuesday, EST) closes at 13:00 New York time = 18:00 UTC.
    s = VenueSchedule(
        NY,
        tuple(WeeklySession(d, time(9, 30), time(16)) for d in range(5)),
        early_closes={date(2024, 12, 24): time(13)},
    )
    assert is_open(s, utc(2024, 12, 24, 18) - TICK)
    assert not is_open(s, utc(2024, 12, 24, 18))
    assert next_close(s, utc(2024, 12, 24, 15)) == utc(2024, 12, 24, 18)
    assert next_open(s, utc(2024, 12, 24, 19)) == utc(2024, 12, 25, 14, 30)
    assert sessions_between(s, utc(2024, 12, 24), utc(2024, 12, 25)) == [
        SessionWindow(utc(2024, 12, 24, 14, 30), utc(2024, 12, 24, 18))
    ]
    # a session that would open after the early close does not run that day
    late = VenueSchedule(
        "UTC",
        (WeeklySession(1, time(9), time(11)), WeeklySession(1, time(14), None)),
        early_closes={date(2024, 12, 24): time(12)},
    )
    assert not is_open(late, utc(2024, 12, 24, 15))
    assert next_open(late, utc(2024, 12, 24, 11)) == utc(2024, 12, 31, 9)

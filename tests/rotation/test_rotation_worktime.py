"""Working-time arithmetic: hours, weekends, holidays, Tết, and the inverse used by the what-if."""

from datetime import date, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from leadpool.rotation import worktime as w

VN = w.VN
CAL = w.default_calendar(days_off=[date(2026, 9, 1), date(2026, 9, 2), *[date(2027, 2, 5) + timedelta(days=i) for i in range(6)]])


def at(y, mo, d, h, mi=0):
    return datetime(y, mo, d, h, mi, tzinfo=VN)


def test_minutes_inside_working_hours():
    assert w.add_working_minutes(CAL, at(2026, 11, 23, 9), 30) == at(2026, 11, 23, 9, 30)


def test_minutes_carry_over_the_night():
    assert w.add_working_minutes(CAL, at(2026, 11, 23, 17, 20), 30) == at(2026, 11, 24, 8, 20)


def test_minutes_from_the_evening_start_next_morning():
    assert w.add_working_minutes(CAL, at(2026, 11, 23, 21), 30) == at(2026, 11, 24, 8, 30)


def test_saturday_morning_then_sunday_off():
    assert w.add_working_minutes(CAL, at(2026, 11, 28, 11, 50), 30) == at(2026, 11, 30, 8, 20)


def test_across_national_day_holiday():
    # Monday 31/8 17:20 → 1/9 and 2/9 are days off → Thursday 3/9 08:20
    assert w.add_working_minutes(CAL, at(2026, 8, 31, 17, 20), 30) == at(2026, 9, 3, 8, 20)


def test_across_tet():
    assert w.add_working_minutes(CAL, at(2027, 2, 4, 17, 0), 60) == at(2027, 2, 11, 8, 30)


def test_days_keep_time_of_day_and_skip_days_off():
    assert w.add_working_days(CAL, at(2026, 11, 23, 10), 3) == at(2026, 11, 26, 10)
    # Friday 10:00 + 3 working days: Saturday (morning), Monday, Tuesday
    assert w.add_working_days(CAL, at(2026, 11, 27, 10), 3) == at(2026, 12, 1, 10)
    # 7 days over the National Day days off
    assert w.add_working_days(CAL, at(2026, 8, 28, 9), 7) == at(2026, 9, 8, 9)


def test_days_from_outside_hours_start_at_next_working_moment():
    assert w.add_working_days(CAL, at(2026, 11, 29, 20), 3) == w.add_working_days(CAL, at(2026, 11, 30, 8), 3) == at(2026, 12, 3, 8)


def test_half_days_count_in_working_minutes():
    assert w.add_working_days(CAL, at(2026, 11, 23, 8), 1.5) == at(2026, 11, 24, 8) + timedelta(minutes=285)


def test_working_minutes_between():
    assert w.working_minutes_between(CAL, at(2026, 11, 23, 17), at(2026, 11, 24, 8, 30)) == 60
    assert w.working_minutes_between(CAL, at(2026, 11, 24, 8, 30), at(2026, 11, 23, 17)) == -60


def test_is_working():
    assert w.is_working(CAL, at(2026, 11, 23, 9))
    assert not w.is_working(CAL, at(2026, 11, 29, 9))  # Sunday
    assert not w.is_working(CAL, at(2026, 9, 2, 9))  # National Day


def test_make_up_working_day():
    cal = w.Calendar(periods=CAL.periods, extra_days=frozenset({date(2026, 11, 29)}))
    assert w.add_working_minutes(cal, at(2026, 11, 29, 9), 30) == at(2026, 11, 29, 9, 30)


starts = st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2027, 12, 1)).map(lambda d: d.replace(tzinfo=VN))


@settings(max_examples=60, deadline=None)
@given(start=starts, minutes=st.integers(min_value=0, max_value=5000))
def test_minutes_round_trip(start, minutes):
    end = w.add_working_minutes(CAL, start, minutes)
    assert end >= start
    assert abs(w.working_minutes_between(CAL, start, end) - minutes) < 1e-6


@settings(max_examples=40, deadline=None)
@given(deadline=starts, days=st.sampled_from([1, 1.5, 3, 3.5, 7]))
def test_latest_start_is_the_boundary(deadline, days):
    s = w.latest_start(CAL, deadline, days)
    assert w.add_working_days(CAL, s, days) <= deadline
    assert w.add_working_days(CAL, s + timedelta(milliseconds=1), days) > deadline or w.add_working_days(
        CAL, s + timedelta(minutes=1), days
    ) > deadline

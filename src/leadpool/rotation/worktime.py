"""Working-time arithmetic over a company calendar (pure: no database, no clock)."""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

VN = ZoneInfo("Asia/Ho_Chi_Minh")
# Beyond this many days without a working minute the calendar is broken, not merely long.
SEARCH_DAYS = 800

Period = tuple[time, time]


@dataclass(frozen=True)
class Calendar:
    """Working periods per weekday (0 = Monday), days off, and extra working days (make-up Saturdays)."""

    periods: dict[int, tuple[Period, ...]]
    days_off: frozenset[date] = frozenset()
    extra_days: frozenset[date] = frozenset()
    tz: ZoneInfo = field(default=VN)

    def periods_on(self, day: date) -> tuple[Period, ...]:
        if day in self.days_off:
            return ()
        regular = self.periods.get(day.weekday(), ())
        if not regular and day in self.extra_days:
            return self.periods.get(0, ()) or next((p for p in self.periods.values() if p), ())
        return regular

    def is_working_day(self, day: date) -> bool:
        return bool(self.periods_on(day))

    @property
    def standard_day_minutes(self) -> float:
        """The length of the longest regular working day: what a fraction of a hold day is measured in."""
        lengths = [sum(_minutes(a, b) for a, b in ps) for ps in self.periods.values() if ps]
        return max(lengths) if lengths else 0.0


def default_calendar(days_off: Iterable[date] = ()) -> Calendar:
    """Monday–Friday 08:00–17:30, Saturday morning 08:00–12:00, Sunday off."""
    day = ((time(8, 0), time(17, 30)),)
    return Calendar(
        periods={0: day, 1: day, 2: day, 3: day, 4: day, 5: ((time(8, 0), time(12, 0)),)},
        days_off=frozenset(days_off),
    )


def _minutes(a: time, b: time) -> float:
    return (b.hour * 60 + b.minute + b.second / 60) - (a.hour * 60 + a.minute + a.second / 60)


def _local(cal: Calendar, at: datetime) -> datetime:
    if at.tzinfo is None:
        raise ValueError("working-time arithmetic needs aware datetimes")
    return at.astimezone(cal.tz)


def _spans(cal: Calendar, day: date) -> list[tuple[datetime, datetime]]:
    return [
        (datetime.combine(day, a, tzinfo=cal.tz), datetime.combine(day, b, tzinfo=cal.tz))
        for a, b in sorted(cal.periods_on(day))
    ]


def is_working(cal: Calendar, at: datetime) -> bool:
    local = _local(cal, at)
    return any(a <= local < b for a, b in _spans(cal, local.date()))


def next_working_instant(cal: Calendar, at: datetime) -> datetime:
    """`at` itself when it is working time, otherwise the start of the next working period."""
    local = _local(cal, at)
    for offset in range(SEARCH_DAYS):
        day = local.date() + timedelta(days=offset)
        for a, b in _spans(cal, day):
            if local < b:
                return max(a, local)
    raise ValueError("the calendar has no working time ahead")


def add_working_minutes(cal: Calendar, start: datetime, minutes: float) -> datetime:
    """The moment `minutes` of working time after `start` (time outside working hours does not count)."""
    if minutes < 0:
        raise ValueError("minutes must not be negative")
    local = _local(cal, start)
    remaining = timedelta(minutes=minutes)
    for offset in range(SEARCH_DAYS):
        day = local.date() + timedelta(days=offset)
        for a, b in _spans(cal, day):
            begin = max(a, local)
            if begin >= b:
                continue
            available = b - begin
            if remaining <= available:
                if remaining == timedelta(0):
                    return begin
                return begin + remaining
            remaining -= available
    raise ValueError("the calendar has no working time ahead")


def working_minutes_between(cal: Calendar, start: datetime, end: datetime) -> float:
    """Working minutes in [start, end); negative when end is before start."""
    if end < start:
        return -working_minutes_between(cal, end, start)
    a_local, b_local = _local(cal, start), _local(cal, end)
    total = timedelta(0)
    day = a_local.date()
    while day <= b_local.date():
        for a, b in _spans(cal, day):
            lo, hi = max(a, a_local), min(b, b_local)
            if hi > lo:
                total += hi - lo
        day += timedelta(days=1)
    return total.total_seconds() / 60


def add_working_days(cal: Calendar, start: datetime, days: float) -> datetime:
    """The same time of day `days` working days later; a fraction of a day counts in working minutes.

    A start outside working time begins at the next working moment, so a customer handed over on
    Sunday evening has the same hold as one handed over first thing on Monday.
    """
    if days < 0:
        raise ValueError("days must not be negative")
    begin = next_working_instant(cal, start)
    whole = int(days)
    fraction = days - whole
    day = begin.date()
    steps = 0
    while whole > 0:
        day += timedelta(days=1)
        steps += 1
        if steps > SEARCH_DAYS:
            raise ValueError("the calendar has no working time ahead")
        if cal.is_working_day(day):
            whole -= 1
    result = _place(cal, day, begin.timetz().replace(tzinfo=None)) if day != begin.date() else begin
    if fraction:
        result = add_working_minutes(cal, result, fraction * cal.standard_day_minutes)
    return result


def _place(cal: Calendar, day: date, tod: time) -> datetime:
    """The time of day `tod` on a working `day`, pulled into the day's working periods."""
    spans = _spans(cal, day)
    wanted = datetime.combine(day, tod, tzinfo=cal.tz)
    for a, b in spans:
        if wanted < a:
            return a
        if wanted <= b:
            return wanted
    return spans[-1][1]


def latest_start(cal: Calendar, deadline: datetime, days: float) -> datetime:
    """The latest start whose hold of `days` working days has ended by `deadline`.

    add_working_days never decreases as its start moves later, so a bisection finds the boundary;
    the what-if preview turns this into one comparison per status in SQL.
    """
    lo = deadline - timedelta(days=days * 7 + 60)
    hi = deadline
    if add_working_days(cal, hi, days) <= deadline:
        return hi
    if add_working_days(cal, lo, days) > deadline:
        return lo - timedelta(microseconds=1)
    while (hi - lo) > timedelta(microseconds=1):
        mid = lo + (hi - lo) / 2
        if add_working_days(cal, mid, days) <= deadline:
            lo = mid
        else:
            hi = mid
    return lo

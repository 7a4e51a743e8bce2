"""Loading the rule set in force and the company calendar from the database."""

from collections import defaultdict

from . import worktime
from .models import CalendarDay, RuleSet, WorkingPeriod
from .rules import Rules


def current_rules() -> Rules:
    row = RuleSet.current()
    return row.to_rules() if row else Rules()


def calendar() -> worktime.Calendar:
    periods: dict[int, list] = defaultdict(list)
    for weekday, start, end in WorkingPeriod.objects.values_list("weekday", "start", "end"):
        periods[weekday].append((start, end))
    base = worktime.default_calendar() if not periods else None
    days_off, extra = set(), set()
    for day, kind in CalendarDay.objects.values_list("day", "kind"):
        (extra if kind == CalendarDay.Kind.WORKING else days_off).add(day)
    return worktime.Calendar(
        periods=base.periods if base else {k: tuple(sorted(v)) for k, v in periods.items()},
        days_off=frozenset(days_off),
        extra_days=frozenset(extra),
    )

"""Loading the rule set in force and the company calendar from the database."""

from collections import defaultdict

from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from . import worktime
from .models import CalendarDay, RuleSet, WorkingPeriod
from .rules import Rules

# Every captured lead needs the rules and the calendar (to rank and to set its first-call deadline);
# they change a few times a year, so a short cache spares each capture three queries. Saving any of
# them drops the cached copy at once in this process; other processes see the change within the TTL.
CACHE_SECONDS = 60
_RULES_KEY = "rotation:config:rules"
_CALENDAR_KEY = "rotation:config:calendar"


def current_rules() -> Rules:
    rules = cache.get(_RULES_KEY)
    if rules is None:
        row = RuleSet.current()
        rules = row.to_rules() if row else Rules()
        cache.set(_RULES_KEY, rules, CACHE_SECONDS)
    return rules


def calendar() -> worktime.Calendar:
    cal = cache.get(_CALENDAR_KEY)
    if cal is None:
        cal = _load_calendar()
        cache.set(_CALENDAR_KEY, cal, CACHE_SECONDS)
    return cal


def _load_calendar() -> worktime.Calendar:
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


def forget() -> None:
    """Drop the cached rules and calendar (after a change that bypassed model saves, e.g. a bulk update)."""
    cache.delete_many([_RULES_KEY, _CALENDAR_KEY])


@receiver(post_save, sender=RuleSet, dispatch_uid="rotation_config_ruleset_saved")
@receiver(post_delete, sender=RuleSet, dispatch_uid="rotation_config_ruleset_deleted")
@receiver(post_save, sender=WorkingPeriod, dispatch_uid="rotation_config_period_saved")
@receiver(post_delete, sender=WorkingPeriod, dispatch_uid="rotation_config_period_deleted")
@receiver(post_save, sender=CalendarDay, dispatch_uid="rotation_config_day_saved")
@receiver(post_delete, sender=CalendarDay, dispatch_uid="rotation_config_day_deleted")
def _changed(**kwargs) -> None:
    forget()
    # Again once committed, in case another request cached the old rows meanwhile.
    transaction.on_commit(forget)

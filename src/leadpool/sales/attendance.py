"""Daily attendance: a one-tap check-in (only people on duty receive customers) and the team's record."""

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone

from leadpool import events
from leadpool.accounts.models import Attendance


def check_in(user, at=None) -> Attendance:
    """Record today's check-in once. The first check-in of the day tells rotation the person is on duty."""
    at = at or timezone.now()
    day = timezone.localdate(at)
    with transaction.atomic():
        row, created = Attendance.objects.get_or_create(user=user, day=day, defaults={"checked_in_at": at})
        if created:
            events.emit("checked_in", user=user)
    return row


def check_out(user, at=None) -> Attendance | None:
    at = at or timezone.now()
    row = Attendance.objects.filter(user=user, day=timezone.localdate(at)).first()
    if row is not None and row.checked_out_at is None:
        row.checked_out_at = at
        row.save(update_fields=["checked_out_at"])
    return row


def today(user) -> Attendance | None:
    return Attendance.objects.filter(user=user, day=timezone.localdate()).first()


@dataclass
class MemberDays:
    user: object
    days: list  # (day, Attendance or None), one per day of the window, oldest first
    present: int = 0
    today: Attendance | None = None
    figures: dict = field(default_factory=dict)


def window(days: int = 7, end: date | None = None) -> list[date]:
    end = end or timezone.localdate()
    return [end - timedelta(days=n) for n in range(days - 1, -1, -1)]


def team_record(users, days: list[date]) -> list[MemberDays]:
    """Who checked in on which day, for a list of people: one query."""
    users = list(users)
    rows = Attendance.objects.filter(user__in=users, day__gte=days[0], day__lte=days[-1])
    by_key = {(row.user_id, row.day): row for row in rows}
    record = []
    for user in users:
        cells = [(day, by_key.get((user.pk, day))) for day in days]
        present = sum(1 for _day, row in cells if row)
        record.append(MemberDays(user=user, days=cells, present=present, today=cells[-1][1]))
    return record

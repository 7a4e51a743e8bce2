"""Monthly targets (KPI) and progress against them, for a salesperson or a team. Read live: always current."""

from dataclasses import dataclass, field
from datetime import date

from django.db import transaction
from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from leadpool.accounts.models import Membership, Team, User
from leadpool.audit import log as audit
from leadpool.sales.models import Activity, StatusChange

from .models import Target
from .summaries import day_bounds, local_today

KPI_FIELDS = (
    ("calls", _("Cuộc gọi")),
    ("appointments", _("Hẹn gặp")),
    ("deposits", _("Cọc")),
    ("bookings", _("Booking")),
)


def month_start(day: date | None = None) -> date:
    day = day or local_today()
    return day.replace(day=1)


def month_end(month: date) -> date:
    nxt = date(month.year + (month.month == 12), month.month % 12 + 1, 1)
    return date.fromordinal(nxt.toordinal() - 1)


@dataclass
class KpiItem:
    key: str
    label: str
    target: int
    actual: int

    @property
    def percent(self) -> int | None:
        return None if not self.target else round(100 * self.actual / self.target)

    @property
    def bar(self) -> int:
        return min(100, self.percent or 0)


@dataclass
class Kpi:
    month: date
    subject: str
    has_target: bool
    items: list[KpiItem] = field(default_factory=list)
    team: Team | None = None
    user: User | None = None


def actuals(user_ids: list[int], month: date) -> dict[str, int]:
    """Calls logged (not flagged) and moves into appointment, deposit and booking made by these people."""
    lo, hi = day_bounds(month, month_end(month))
    calls = Activity.objects.filter(
        author_id__in=user_ids, kind=Activity.Kind.CALL, flagged="", occurred_at__gte=lo, occurred_at__lt=hi
    ).count()
    moves = StatusChange.objects.filter(by_id__in=user_ids, at__gte=lo, at__lt=hi).aggregate(
        appointments=Count("pk", filter=Q(to_status__key="appointment")),
        deposits=Count("pk", filter=Q(to_status__key="deposit")),
        bookings=Count("pk", filter=Q(to_status__key="booking")),
    )
    return {"calls": calls, **{k: v or 0 for k, v in moves.items()}}


def _kpi(subject: str, target: Target | None, figures: dict[str, int], month: date, **extra) -> Kpi:
    items = [KpiItem(key, str(label), getattr(target, key, 0) if target else 0, figures[key]) for key, label in KPI_FIELDS]
    return Kpi(month=month, subject=subject, has_target=target is not None, items=items, **extra)


def progress_for(user: User, month: date | None = None) -> Kpi:
    """This person's target and how far they are this month (for the home page card)."""
    month = month_start(month)
    target = Target.objects.filter(month=month, user=user).first()
    return _kpi(str(user), target, actuals([user.pk], month), month, user=user)


def team_progress(team: Team, month: date | None = None) -> Kpi:
    """A team's target against what its active members did together."""
    month = month_start(month)
    members = list(Membership.objects.filter(team=team, active=True).values_list("user_id", flat=True))
    target = Target.objects.filter(month=month, team=team).first()
    return _kpi(team.name, target, actuals(members, month), month, team=team)


def set_target(*, month: date, by: User, user: User | None = None, team: Team | None = None, **figures) -> Target:
    """Create or change one month's target for a person or a team (audited)."""
    if (user is None) == (team is None):
        raise ValueError("A target is for one person or one team.")
    month = month_start(month)
    values = {key: int(figures.get(key) or 0) for key, _label in KPI_FIELDS}
    with transaction.atomic():
        target, created = Target.objects.update_or_create(
            month=month, user=user, team=team, defaults={**values, "set_by": by}
        )
        audit.record(
            "target.set", actor=by, target=target,
            data={"month": month.isoformat(), "user": user.pk if user else None, "team": team.pk if team else None,
                  **values, "created": created},
        )
    return target

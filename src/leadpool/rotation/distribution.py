"""Choosing who gets a customer: the team for its projects, then a person in that team by the ranking."""

import statistics
from collections import defaultdict
from dataclasses import replace
from datetime import datetime, timedelta

from django.db.models import Count, F, Q
from django.utils import timezone

from leadpool.accounts.models import Attendance, Membership, Role, Team, User
from leadpool.customers.models import Assignment, Customer, Lead, Status
from leadpool.sales.models import FollowUp, StatusChange

from . import config, ranking
from .rules import Rules
from .worktime import VN, Calendar

WINDOW_DAYS = 30
# Shares are judged only once there is something to judge: fewer cases than this count as "no figure yet".
MIN_SAMPLE = 3
RECEIVING_REASONS = [
    Assignment.Reason.NEW, Assignment.Reason.RETURNING, Assignment.Reason.FIRST_CALL, Assignment.Reason.ROTATION,
    Assignment.Reason.REASSIGN, Assignment.Reason.POOL, Assignment.Reason.MANUAL,
]


def team_for(projects, source=None) -> Team | None:
    """The team that works these projects; a source's default project otherwise; any team last."""
    project_ids = [p.pk for p in projects]
    if not project_ids and source is not None and source.default_project_id:
        project_ids = [source.default_project_id]
    if project_ids:
        team = Team.objects.filter(projects__in=project_ids).order_by("id").first()
        if team:
            return team
    return Team.objects.order_by("id").first()


def _working_days(cal: Calendar, first, last) -> int:
    n, day = 0, first
    while day <= last:
        n += cal.is_working_day(day)
        day += timedelta(days=1)
    return n


def figures(team: Team, *, at: datetime, rules: Rules, cal: Calendar) -> list[ranking.Person]:
    """Each active salesperson of the team with the figures the ranking needs, in a fixed number of queries."""
    start = at - timedelta(days=WINDOW_DAYS)
    today = at.astimezone(VN).date()
    members = list(
        Membership.objects.filter(team=team, user__role=Role.SALES)
        .select_related("user")
        .order_by("user_id")
    )
    ids = [m.user_id for m in members]
    if not ids:
        return []
    checked_in = set(Attendance.objects.filter(user_id__in=ids, day=today).values_list("user_id", flat=True))
    attended = dict(
        Attendance.objects.filter(user_id__in=ids, day__gt=today - timedelta(days=WINDOW_DAYS), day__lte=today)
        .values("user_id").annotate(n=Count("id")).values_list("user_id", "n")
    )
    first_calls: dict[int, list[float]] = defaultdict(list)
    for owner, received, called in Lead.objects.filter(
        owner_at_arrival_id__in=ids, received_at__gte=start, first_call_at__isnull=False
    ).values_list("owner_at_arrival_id", "received_at", "first_call_at"):
        first_calls[owner].append(max(0.0, (called - received).total_seconds() / 60))
    due: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for owner, due_at, done_at in FollowUp.objects.filter(
        owner_id__in=ids, due_at__gte=start, due_at__lte=at, cancelled_at__isnull=True
    ).values_list("owner_id", "due_at", "done_at"):
        due[owner][1] += 1
        if done_at is not None and done_at.astimezone(VN).date() <= due_at.astimezone(VN).date():
            due[owner][0] += 1
    held = dict(
        Assignment.objects.filter(user_id__in=ids, started_at__lte=at - timedelta(days=3))
        .filter(Q(ended_at__isnull=True) | Q(ended_at__gte=start))
        .values("user_id").annotate(n=Count("customer_id", distinct=True)).values_list("user_id", "n")
    )
    moved = dict(
        StatusChange.objects.filter(by_id__in=ids, at__gte=start, backed_by_activity=True, to_status__rank__gt=F("from_status__rank"))
        .values("by_id").annotate(n=Count("customer_id", distinct=True)).values_list("by_id", "n")
    )
    open_kind = list(Status.objects.filter(kind=Status.Kind.OPEN).values_list("pk", flat=True))
    open_counts = dict(
        Customer.objects.filter(owner_id__in=ids, status_id__in=open_kind)
        .values("owner_id").annotate(n=Count("id")).values_list("owner_id", "n")
    )
    received = dict(
        Assignment.objects.filter(user_id__in=ids, started_at__gte=start, reason__in=RECEIVING_REASONS)
        .values("user_id").annotate(n=Count("id")).values_list("user_id", "n")
    )
    people = []
    for m in members:
        u = m.user
        joined = max(today - timedelta(days=WINDOW_DAYS - 1), m.joined_at.astimezone(VN).date())
        calls = first_calls.get(u.pk)
        done, total = due.get(u.pk, (0, 0))
        held_n = held.get(u.pk, 0)
        people.append(
            ranking.Person(
                user_id=u.pk,
                name=str(u),
                username=u.username,
                active=m.active and u.is_active,
                checked_in=u.pk in checked_in,
                attendance_days=attended.get(u.pk, 0),
                working_days=max(1, _working_days(cal, joined, today)),
                median_first_call_minutes=statistics.median(calls) if calls else None,
                on_time_share=done / total if total >= MIN_SAMPLE else None,
                moved_up_share=min(1.0, moved.get(u.pk, 0) / held_n) if held_n >= MIN_SAMPLE else None,
                open_customers=open_counts.get(u.pk, 0),
                received=received.get(u.pk, 0),
            )
        )
    return people


def cooling_off_ids(customer_ids: list[int], *, at: datetime, rules: Rules) -> dict[int, set[int]]:
    """Previous holders of each customer still inside their cooling-off period (for good by default)."""
    rows = Assignment.objects.filter(customer_id__in=customer_ids, ended_at__isnull=False, user__isnull=False)
    if rules.cooling_off_days is not None:
        rows = rows.filter(ended_at__gte=at - timedelta(days=rules.cooling_off_days))
    out: dict[int, set[int]] = defaultdict(set)
    for customer_id, user_id in rows.values_list("customer_id", "user_id"):
        out[customer_id].add(user_id)
    return out


class Distributor:
    """Hands out customers of one team, loading the figures once and counting each hand-out as it goes."""

    def __init__(self, team: Team | None, *, at: datetime | None = None, rules: Rules | None = None, cal=None):
        self.team = team
        self.at = at or timezone.now()
        self.rules = rules or config.current_rules()
        self.cal = cal or config.calendar()
        self.people = figures(team, at=self.at, rules=self.rules, cal=self.cal) if team else []

    def choose(self, customer_id: int | None, *, exclude: set[int] | None = None, cooling: set[int] | None = None):
        """Returns (user or None, explanation); None means the customer waits in the team's pool."""
        if self.team is None:
            return None, {"method": "ranking", "chosen": None, "why": "Không có đội nào nhận dự án này", "people": []}
        exclude = exclude or set()
        if cooling is None and customer_id is not None:
            cooling = cooling_off_ids([customer_id], at=self.at, rules=self.rules).get(customer_id, set())
        cooling = (cooling or set()) | exclude
        people = [replace(p, cooling_off=p.user_id in cooling) for p in self.people]
        choice = ranking.rank(
            people,
            customer_id=customer_id,
            weights=self.rules.weights or {},
            cap=self.rules.open_cap,
            band=self.rules.ranking_band,
            require_check_in=self.rules.require_check_in,
        )
        explanation = choice.explanation(rule_version=self.rules.version)
        explanation["team"] = self.team.pk
        if choice.chosen is None:
            return None, explanation
        self.people = ranking.received_after(self.people, choice.chosen.user_id)
        return User.objects.get(pk=choice.chosen.user_id), explanation


def choose_owner(team: Team | None, *, customer=None, exclude: set[int] | None = None, at=None):
    """The ranking's pick among the team's salespeople on duty. Returns (user or None, explanation).

    None means the customer waits in the team's pool until someone eligible checks in.
    """
    return Distributor(team, at=at).choose(customer.pk if customer is not None else None, exclude=exclude)


def owner_for_returning(customer: Customer, *, at: datetime | None = None):
    """Who gets a returning customer: its owner while their hold runs, otherwise the ranking (never someone cooling off).

    Returns (user or None, explanation, keeps_owner). intake calls this when a known person registers again.
    """
    from .models import Candidate, Clock

    at = at or timezone.now()
    if customer.owner_id is not None:
        listed = Candidate.objects.filter(customer=customer, state=Candidate.State.OPEN).exists()
        ends = Clock.objects.filter(pk=customer.pk).values_list("hold_ends_at", flat=True).first()
        if not listed and (ends is None or ends > at):
            return customer.owner, {"method": "returning", "chosen": customer.owner_id, "why": "Người giữ hiện tại còn thời gian giữ"}, True
    distributor = Distributor(customer.team, at=at)
    exclude = {customer.owner_id} if customer.owner_id else set()
    user, why = distributor.choose(customer.pk, exclude=exclude)
    return user, why, False

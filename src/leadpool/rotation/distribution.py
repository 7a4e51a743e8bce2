"""Choosing who gets a customer: the team for its projects, then a person in that team by the ranking."""

import hashlib
import statistics
from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from django.core.cache import cache
from django.db.models import Count, F, Q
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver
from django.utils import timezone

from leadpool.accounts.models import Attendance, Membership, Role, Team, User
from leadpool.customers.models import RECEIVING_REASONS, Assignment, Customer, Lead, Status
from leadpool.sales.models import FollowUp, StatusChange

from . import config, ranking
from .rules import Rules
from .worktime import VN, Calendar

WINDOW_DAYS = 30
# Shares are judged only once there is something to judge: fewer cases than this count as "no figure yet".
MIN_SAMPLE = 3


def team_for(projects, source=None) -> Team | None:
    """The team that works these projects; a source's default project otherwise; any team last."""
    project_ids = [p.pk for p in projects]
    if not project_ids and source is not None and source.default_project_id:
        project_ids = [source.default_project_id]
    teams, by_project = _routing()
    working = [by_project[pk] for pk in project_ids if pk in by_project]
    if working:
        return teams[min(working)]
    return teams[min(teams)] if teams else None


# Which team works which project is read on every captured lead and changes rarely: cached briefly,
# dropped whenever a team or its projects change in this process.
_ROUTING_KEY = "rotation:team-routing"


def _routing() -> tuple[dict[int, Team], dict[int, int]]:
    found = cache.get(_ROUTING_KEY)
    if found is None:
        teams = {t.pk: t for t in Team.objects.order_by("id")}
        by_project: dict[int, int] = {}
        for team_id, project_id in Team.projects.through.objects.order_by("team_id").values_list("team_id", "project_id"):
            by_project.setdefault(project_id, team_id)
        found = (teams, by_project)
        cache.set(_ROUTING_KEY, found, 60)
    return found


@receiver(post_save, sender=Team, dispatch_uid="rotation_distribution_team_saved")
@receiver(post_delete, sender=Team, dispatch_uid="rotation_distribution_team_deleted")
@receiver(m2m_changed, sender=Team.projects.through, dispatch_uid="rotation_distribution_team_projects")
def _teams_changed(**kwargs) -> None:
    cache.delete(_ROUTING_KEY)


def _working_days(cal: Calendar, first, last) -> int:
    n, day = 0, first
    while day <= last:
        n += cal.is_working_day(day)
        day += timedelta(days=1)
    return n


@dataclass(frozen=True)
class Member:
    """A salesperson's membership of a team with what moves with every hand-out."""

    user: User  # loaded with the columns below only; anything else is read on first use
    user_id: int
    active: bool
    joined_at: datetime
    checked_in_today: bool
    open_now: int  # up to the open_cap members_of was given
    received_now: int


# Read on every hand-out, so written once by hand: the ORM spent more time composing this statement (three
# correlated subqueries) than the database spends running it. The receiving reasons are written in as
# literals, not parameters: only then can SQLite tell that the count may be read from the
# assignment_received index alone. Table names come from the models.
_MEMBERS_SQL = """
SELECT m.user_id, m.active, m.joined_at, u.username, u.first_name, u.last_name, u.is_active, u.role,
       EXISTS (SELECT 1 FROM {attendance} a WHERE a.user_id = m.user_id AND a.day = %s),
       {open_count},
       (SELECT COUNT(*) FROM {assignment} s
         WHERE s.user_id = m.user_id AND s.started_at >= %s AND s.reason IN ({reasons}))
  FROM {membership} m JOIN {user} u ON u.id = m.user_id
 WHERE m.team_id = %s AND u.role = %s
 ORDER BY m.user_id
"""
_OPEN_SQL = "SELECT 1 FROM {customer} c WHERE c.owner_id = m.user_id AND c.status_id IN ({open_ids})"
_USER_FIELDS = ["id", "username", "first_name", "last_name", "is_active", "role"]


def members_of(team: Team, *, at: datetime, open_cap: int = 0) -> list[Member]:
    """The team's salespeople with their users and what moves with every hand-out, in one query:
    checked in today, open customers, customers received over the window.

    With `open_cap`, open customers are counted up to it and no further: the ranking only asks whether
    someone reached the cap, and counting a whole book (thousands after an import) on every hand-out cost
    more than everything else the hand-out does.
    """
    from django.db import connection

    open_ids = _open_status_ids() or [0]  # IN () is not SQL; no status has id 0
    open_rows = _OPEN_SQL.format(customer=Customer._meta.db_table, open_ids=", ".join(["%s"] * len(open_ids)))
    sql = _MEMBERS_SQL.format(
        attendance=Attendance._meta.db_table, assignment=Assignment._meta.db_table,
        membership=Membership._meta.db_table, user=User._meta.db_table,
        open_count=f"(SELECT COUNT(*) FROM ({open_rows}{' LIMIT %s' if open_cap else ''}) o)",
        reasons=", ".join(f"'{r}'" for r in RECEIVING_REASONS),
    )
    ops = connection.ops
    params = [
        ops.adapt_datefield_value(at.astimezone(VN).date()), *open_ids, *([open_cap] if open_cap else []),
        ops.adapt_datetimefield_value(at - timedelta(days=WINDOW_DAYS)), team.pk, Role.SALES.value,
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    # The database's own conversions of a datetime column (SQLite hands back text), as the ORM applies them.
    joined = Membership._meta.get_field("joined_at").get_col(Membership._meta.db_table)
    converters = [*ops.get_db_converters(joined), *joined.get_db_converters(connection)]
    members = []
    for user_id, active, joined_at, username, first, last, is_active, role, checked_in, open_now, received in rows:
        user = User.from_db(connection.alias, _USER_FIELDS, [user_id, username, first, last, bool(is_active), role])
        for converter in converters:
            joined_at = converter(joined_at, joined, connection)
        members.append(Member(user, user_id, bool(active), joined_at, bool(checked_in), open_now, received))
    return members


def figures(
    team: Team, *, at: datetime, rules: Rules, cal: Calendar, members: list[Member] | None = None
) -> list[ranking.Person]:
    """Each active salesperson of the team with the figures the ranking needs, in a fixed number of queries.

    What moves with every hand-out (who is on the team, checked in today, open customers, customers
    received) is read fresh by `members_of`; the 30-day history behind the scores comes from
    `history`, cached briefly. `members` must come from `members_of` at the same moment.
    """
    today = at.astimezone(VN).date()
    members = members_of(team, at=at, open_cap=rules.open_cap) if members is None else members
    ids = [m.user_id for m in members]
    if not ids:
        return []
    checked_in = {m.user_id for m in members if m.checked_in_today}
    open_counts = {m.user_id: m.open_now for m in members}
    received = {m.user_id: m.received_now for m in members}
    past = history(team, ids, at=at)
    people = []
    for m in members:
        u = m.user
        joined = max(today - timedelta(days=WINDOW_DAYS - 1), m.joined_at.astimezone(VN).date())
        h = past.get(u.pk, {})
        calls = h.get("first_calls")
        done, total = h.get("due", (0, 0))
        held_n = h.get("held", 0)
        people.append(
            ranking.Person(
                user_id=u.pk,
                name=str(u),
                username=u.username,
                active=m.active and u.is_active,
                checked_in=u.pk in checked_in,
                attendance_days=h.get("attended_before_today", 0) + (u.pk in checked_in),
                working_days=max(1, _working_days(cal, joined, today)),
                median_first_call_minutes=statistics.median(calls) if calls else None,
                on_time_share=done / total if total >= MIN_SAMPLE else None,
                moved_up_share=min(1.0, h.get("moved", 0) / held_n) if held_n >= MIN_SAMPLE else None,
                open_customers=open_counts.get(u.pk, 0),
                received=received.get(u.pk, 0),
            )
        )
    return people


# The 30-day history costs most of a capture's time (five queries over a month of leads, follow-ups,
# assignments and status changes) and barely moves between two leads. It is cached per team for a
# few minutes, keyed by the time bucket and a version that anything changing it bumps (an activity, a
# status change, a follow-up: see `history_changed`), so a fresh fact is never hidden behind the cache
# in this process; other processes catch up within HISTORY_SECONDS.
HISTORY_SECONDS = 300
_VERSION_KEY = "rotation:figures:version"


def history_changed() -> None:
    """Something behind the ranking's history changed: the next ranking reads it again."""
    try:
        cache.incr(_VERSION_KEY)
    except ValueError:
        cache.set(_VERSION_KEY, 1, None)


def history(team: Team, ids: list[int], *, at: datetime) -> dict[int, dict]:
    """The slow part of the figures for these salespeople, from the cache when it is recent enough."""
    version = cache.get(_VERSION_KEY, 0)
    people = hashlib.blake2b(",".join(map(str, ids)).encode(), digest_size=8).hexdigest()
    bucket = int(at.timestamp()) // HISTORY_SECONDS
    key = f"rotation:figures:{team.pk}:{people}:{bucket}:{version}"
    found = cache.get(key)
    if found is None:
        found = _history(ids, at=at)
        cache.set(key, found, HISTORY_SECONDS)
    return found


def _history(ids: list[int], *, at: datetime) -> dict[int, dict]:
    start = at - timedelta(days=WINDOW_DAYS)
    today = at.astimezone(VN).date()
    out: dict[int, dict] = defaultdict(dict)
    # Today's check-in is read fresh by `figures`; only the days before it are history.
    for user_id, n in (
        Attendance.objects.filter(user_id__in=ids, day__gt=today - timedelta(days=WINDOW_DAYS), day__lt=today)
        .values("user_id").annotate(n=Count("id")).values_list("user_id", "n")
    ):
        out[user_id]["attended_before_today"] = n
    for owner, received_at, called in Lead.objects.filter(
        owner_at_arrival_id__in=ids, received_at__gte=start, first_call_at__isnull=False
    ).values_list("owner_at_arrival_id", "received_at", "first_call_at"):
        out[owner].setdefault("first_calls", []).append(max(0.0, (called - received_at).total_seconds() / 60))
    for owner, due_at, done_at in FollowUp.objects.filter(
        owner_id__in=ids, due_at__gte=start, due_at__lte=at, cancelled_at__isnull=True
    ).values_list("owner_id", "due_at", "done_at"):
        done, total = out[owner].get("due", (0, 0))
        on_time = done_at is not None and done_at.astimezone(VN).date() <= due_at.astimezone(VN).date()
        out[owner]["due"] = (done + on_time, total + 1)
    for user_id, n in (
        Assignment.objects.filter(user_id__in=ids, started_at__lte=at - timedelta(days=3))
        .filter(Q(ended_at__isnull=True) | Q(ended_at__gte=start))
        .values("user_id").annotate(n=Count("customer_id", distinct=True)).values_list("user_id", "n")
    ):
        out[user_id]["held"] = n
    for by_id, n in (
        StatusChange.objects.filter(by_id__in=ids, at__gte=start, backed_by_activity=True, to_status__rank__gt=F("from_status__rank"))
        .values("by_id").annotate(n=Count("customer_id", distinct=True)).values_list("by_id", "n")
    ):
        out[by_id]["moved"] = n
    return dict(out)


_OPEN_KEY = "rotation:open-status-ids"


def _open_status_ids() -> list[int]:
    found = cache.get(_OPEN_KEY)
    if found is None:
        found = list(Status.objects.filter(kind=Status.Kind.OPEN).values_list("pk", flat=True))
        cache.set(_OPEN_KEY, found, 60)
    return found


@receiver(post_save, sender=Status, dispatch_uid="rotation_distribution_status_saved")
@receiver(post_delete, sender=Status, dispatch_uid="rotation_distribution_status_deleted")
def _statuses_changed(**kwargs) -> None:
    cache.delete(_OPEN_KEY)


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
        members = members_of(team, at=self.at, open_cap=self.rules.open_cap) if team else []
        self.users = {m.user_id: m.user for m in members}
        self.people = figures(team, at=self.at, rules=self.rules, cal=self.cal, members=members) if team else []

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
        user = self.users.get(choice.chosen.user_id) or User.objects.get(pk=choice.chosen.user_id)
        return user, explanation


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

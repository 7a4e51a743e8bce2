"""What-if: how many customers a draft rule would put on the rotation list, now and within 7 days, per team and person.

Set-based: the calendar is applied in Python once per (status, hold length) by turning "the hold has ended
by T" into "the hold started before S" (worktime.latest_start); the database then counts in one grouped query.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import connection
from django.utils import timezone

from leadpool.accounts.models import Team, User
from leadpool.customers.models import Project, Status

from . import config, worktime
from .rules import CANDIDATE, Rules

HORIZON_DAYS = 7


@dataclass
class Row:
    team_id: int | None
    owner_id: int | None
    team: str = ""
    owner: str = ""
    open: int = 0
    current_now: int = 0
    current_week: int = 0
    draft_now: int = 0
    draft_week: int = 0
    draft_neglected_now: int = 0


@dataclass
class Preview:
    at: datetime
    rows: list[Row] = field(default_factory=list)
    teams: list[Row] = field(default_factory=list)
    total: Row = field(default_factory=lambda: Row(None, None, team="Tổng"))


def _dt(value: datetime):
    return connection.ops.adapt_datetimefield_value(value)


def _condition(rules: Rules, statuses: dict[str, int], factors: list[float], cal, when: datetime, params: list) -> str:
    """SQL that is true when a customer's hold has ended by `when` under `rules`; appends its parameters in order."""
    parts, part_params = [], []
    for key, status_id in statuses.items():
        days = rules.hold_days(key)
        if days is None:
            continue
        start = (
            "(CASE WHEN k.appointment_at IS NOT NULL THEN k.appointment_at ELSE k.hold_anchor_at END)"
            if rules.hold_rule(key) == "from_appointment"
            else "k.hold_anchor_at"
        )
        by_group = []
        for index, factor in enumerate(factors):
            # A customer's group index is the minimum over its projects, i.e. its most urgent project's factor.
            by_group.append(f"WHEN {index} THEN {start} <= %s")
            part_params.append(_dt(worktime.latest_start(cal, when, days * factor)))
        parts.append(f"(c.status_id = {int(status_id)} AND (CASE COALESCE(pf.g, {factors.index(1.0)}) {' '.join(by_group)} END))")
    kept = "(k.kept_at IS NOT NULL AND k.kept_at >= k.hold_anchor_at)"
    params.append(_dt(when))
    params.extend(part_params)
    holds = " OR ".join(parts) if parts else "1 = 0"
    return f"(c.next_deadline_kind = '{CANDIDATE}' OR ({kept} AND k.kept_until <= %s) OR (NOT {kept} AND ({holds})))"


def _neglected(rules: Rules) -> str:
    n = int(rules.min_follow_ups)
    follow_ups = "(CASE WHEN k.follow_ups_done > k.contacts - 1 THEN k.follow_ups_done ELSE k.contacts - 1 END)"
    return f"(k.calls = 0 OR k.interactions = 0 OR k.notes = 0 OR {follow_ups} < {n})"


def preview(draft: Rules, *, current: Rules | None = None, at: datetime | None = None, team_ids: list[int] | None = None) -> Preview:
    """Counts under the rule in force and under the draft, without saving anything."""
    at = at or timezone.now()
    current = current or config.current_rules()
    cal = config.calendar()
    week = at + timedelta(days=HORIZON_DAYS)
    statuses = dict(Status.objects.filter(kind=Status.Kind.OPEN).values_list("key", "pk"))
    projects = list(Project.objects.values_list("pk", "code", "phase"))
    # Each rule set groups projects by the factor it gives them; a customer's group is its most urgent project's.
    rule_sets = {"current": current, "draft": draft}
    params: list = []
    selects = []
    joins = []
    for name, rules in rule_sets.items():
        factors = sorted({rules.factor([(code, phase)]) for _, code, phase in projects} | {1.0})
        groups = {f: [pk for pk, code, phase in projects if rules.factor([(code, phase)]) == f] for f in factors}
        case = " ".join(f"WHEN cp.project_id IN ({', '.join(str(pk) for pk in ids)}) THEN {i}" for i, (f, ids) in enumerate(groups.items()) if ids)
        alias = f"pf_{name}"
        if len(factors) > 1 and case:
            joins.append(
                f"LEFT JOIN (SELECT cp.customer_id, MIN(CASE {case} ELSE {factors.index(1.0)} END) AS g "
                f"FROM customers_customer_projects cp GROUP BY cp.customer_id) {alias} ON {alias}.customer_id = c.id"
            )
        else:
            joins.append(f"LEFT JOIN (SELECT CAST(NULL AS BIGINT) AS customer_id, CAST(NULL AS INTEGER) AS g) {alias} ON 1 = 0")
        for horizon, when in (("now", at), ("week", week)):
            cond = _condition(rules, statuses, factors, cal, when, params).replace("pf.g", f"{alias}.g")
            selects.append(f"SUM(CASE WHEN {cond} THEN 1 ELSE 0 END) AS {name}_{horizon}")
            if name == "draft" and horizon == "now":
                selects.append(f"SUM(CASE WHEN {cond} AND {_neglected(rules)} THEN 1 ELSE 0 END) AS draft_neglected_now")
                # The same condition appears twice: repeat its parameters in the same order.
                params.extend(params[-(cond.count('%s')):])
    where = ["c.owner_id IS NOT NULL", "c.merged_into_id IS NULL", f"c.status_id IN ({', '.join(str(v) for v in statuses.values()) or 'NULL'})"]
    if team_ids is not None:
        where.append(f"c.team_id IN ({', '.join(str(int(t)) for t in team_ids) or 'NULL'})")
    sql = (
        f"SELECT c.team_id, c.owner_id, COUNT(*) AS open_n, {', '.join(selects)} "
        f"FROM customers_customer c JOIN rotation_clock k ON k.customer_id = c.id {' '.join(joins)} "
        f"WHERE {' AND '.join(where)} GROUP BY c.team_id, c.owner_id"
    )
    with connection.cursor() as cur:
        cur.execute(sql, params)
        raw = cur.fetchall()
    team_names = dict(Team.objects.values_list("pk", "name"))
    owner_ids = [row[1] for row in raw]
    owners = {u.pk: str(u) if str(u) == u.username else f"{u} ({u.username})" for u in User.objects.filter(pk__in=owner_ids)}
    result = Preview(at=at)
    by_team: dict = {}
    for team_id, owner_id, open_n, cur_now, cur_week, dr_now, dr_neg, dr_week in raw:
        row = Row(team_id, owner_id, team_names.get(team_id, "—"), owners.get(owner_id, "—"), open_n or 0,
                  int(cur_now or 0), int(cur_week or 0), int(dr_now or 0), int(dr_week or 0), int(dr_neg or 0))
        result.rows.append(row)
        team_row = by_team.setdefault(team_id, Row(team_id, None, team_names.get(team_id, "—")))
        for agg in (team_row, result.total):
            for name in ("open", "current_now", "current_week", "draft_now", "draft_week", "draft_neglected_now"):
                setattr(agg, name, getattr(agg, name) + getattr(row, name))
    result.rows.sort(key=lambda x: (x.team, -x.draft_now, x.owner))
    result.teams = sorted(by_team.values(), key=lambda x: x.team)
    return result

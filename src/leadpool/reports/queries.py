"""The figures: plain functions of (filters, scope) returning plain data, read from the summary tables.

Attribution, stated once: a lead counts under its source, campaign and its first project (lowest id)
and under its customer's team; a customer counts under the source, campaign and first project of
their first lead. Test leads and test customers are left out of every figure except the test count.
"""

import math
from collections import defaultdict
from datetime import date, timedelta

from django.conf import settings
from django.db import connection
from django.db.models import Avg, Count, F, FloatField, Func, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Ceil, TruncWeek

from leadpool.accounts.models import Membership, Role, Team, User
from leadpool.customers.models import (
    DIGITAL_CHANNELS,
    Assignment,
    CapturePoint,
    Lead,
    MergeRecord,
    Project,
    Source,
    Status,
)

from .filters import Filters
from .models import AdSpend, CustomerFact, LeadDay, SpeedMonth, UserDay
from .scope import Scope
from .summaries import ROTATION_REASONS, STAGES, day_bounds, local_zone, month_end, month_start, stage_ranks

# --- helpers -------------------------------------------------------------------------------------------


def ratio(part, whole) -> float | None:
    return None if not whole else part / whole


def per(amount, count) -> int | None:
    """VND per unit, rounded to the nearest đồng; None when there is nothing to divide by."""
    return None if not count else round(amount / count)


def _names(model, ids) -> dict:
    return {obj.pk: str(obj) for obj in model.objects.filter(pk__in=[i for i in ids if i is not None])}


def team_user_ids(team_id: int) -> list[int]:
    return list(Membership.objects.filter(team_id=team_id, active=True).values_list("user_id", flat=True))


# --- leads ----------------------------------------------------------------------------------------------


def narrow(qs, f: Filters, scope: Scope | None = None, *, team: bool = True):
    """The filter bar on a summary row that carries project, source, campaign and team ids."""
    if f.project_id:
        qs = qs.filter(project_id=f.project_id)
    if f.source_id:
        qs = qs.filter(source_id=f.source_id)
    if f.campaign:
        qs = qs.filter(campaign=f.campaign)
    if team and f.team_id:
        qs = qs.filter(team_id=f.team_id)
    if scope is not None and scope.team_ids is not None:
        qs = qs.filter(team_id__in=scope.team_ids)
    return qs


def lead_days(f: Filters, scope: Scope | None = None, *, team: bool = True):
    return narrow(LeadDay.objects.filter(day__gte=f.start, day__lte=f.end), f, scope, team=team)


_LEAD_SUMS = dict(leads=Sum("leads"), new=Sum("new_customers"), returning=Sum("returning_leads"))


def _clean(row: dict) -> dict:
    return {k: (v or 0) if k in ("leads", "new", "returning", "invalid", "no_project", "test") else v for k, v in row.items()}


def leads(f: Filters, scope: Scope | None = None) -> dict:
    """Two passes over the summary (per day; per source × campaign × project), the rest added up here."""
    qs = lead_days(f, scope)
    per_day = {r["day"]: _clean(r) for r in qs.values("day").annotate(**_LEAD_SUMS).order_by("day")}
    days = []
    day = f.start
    while day <= f.end:  # every day shows, quiet ones as zero
        days.append(per_day.get(day, {"day": day, "leads": 0, "new": 0, "returning": 0}))
        day += timedelta(days=1)
    combos = [_clean(r) for r in qs.values("source_id", "campaign", "project_id").annotate(**_LEAD_SUMS).order_by()]

    def rollup(keys: tuple[str, ...]) -> list[dict]:
        out: dict = {}
        for r in combos:
            key = tuple(r[k] for k in keys)
            row = out.setdefault(key, {**dict(zip(keys, key, strict=True)), "leads": 0, "new": 0, "returning": 0})
            for k in ("leads", "new", "returning"):
                row[k] += r[k]
        return sorted(out.values(), key=lambda r: (-r["leads"], *(str(r[k]) for k in keys)))

    by_source = rollup(("source_id",))
    by_campaign = rollup(("source_id", "campaign"))
    by_project = rollup(("project_id",))
    names = _names(Source, [r["source_id"] for r in by_source])
    for r in by_source + by_campaign:
        r["source"] = names.get(r["source_id"], "—")
    pnames = _names(Project, [r["project_id"] for r in by_project])
    for r in by_project:
        r["project"] = pnames.get(r["project_id"], "")
    total = {k: sum(r[k] for r in combos) for k in ("leads", "new", "returning")}
    return {"per_day": days, "by_source": by_source, "by_campaign": by_campaign, "by_project": by_project, "total": total}


def leads_by_capture_point(f: Filters, scope: Scope | None = None) -> list[dict]:
    """Leads per source × capture point (form, pop-up, chatbox, affiliate…), so marketing can compare them.

    Counted on the leads of the period (LeadDay has no capture point), with the same attribution and
    exclusions as `leads()`: first project, the customer's team, test leads left out.
    """
    lo, hi = day_bounds(f.start, f.end)
    qs = Lead.objects.filter(received_at__gte=lo, received_at__lt=hi, is_test=False)
    if f.project_id:
        first = Lead.projects.through.objects.filter(lead_id=OuterRef("pk")).order_by("project_id").values("project_id")[:1]
        qs = qs.annotate(first_project=Subquery(first)).filter(first_project=f.project_id)
    if f.source_id:
        qs = qs.filter(source_id=f.source_id)
    if f.campaign:
        qs = qs.filter(campaign=f.campaign)
    if f.team_id:
        qs = qs.filter(customer__team_id=f.team_id)
    if scope is not None and scope.team_ids is not None:
        qs = qs.filter(customer__team_id__in=scope.team_ids)
    rows = list(
        qs.values("source_id", "capture_point")
        .annotate(leads=Count("pk"), new=Count("pk", filter=Q(is_returning=False)),
                  returning=Count("pk", filter=Q(is_returning=True)))
        .order_by()
    )
    names = _names(Source, [r["source_id"] for r in rows])
    labels = dict(CapturePoint.choices)
    for r in rows:
        r["source"] = names.get(r["source_id"], "—")
        r["capture_point_label"] = str(labels.get(r["capture_point"], r["capture_point"]))
    return sorted(rows, key=lambda r: (-r["leads"], r["source"], r["capture_point"]))


# --- customers (CustomerFact) ------------------------------------------------------------------------------


def customer_facts(f: Filters, scope: Scope | None = None, *, team: bool = True):
    return narrow(CustomerFact.objects.filter(first_day__gte=f.start, first_day__lte=f.end, is_test=False), f, scope, team=team)


def spend_rows(f: Filters):
    """Ad spend has no team: the team filter and the viewer's scope do not apply."""
    return narrow(AdSpend.objects.filter(day__gte=f.start, day__lte=f.end), f, team=False)


def cost(f: Filters) -> dict:
    """Cost per lead and per qualified customer (NET or better). Spend has no team, so neither has this."""
    net = stage_ranks()["net"]
    keys: dict = defaultdict(lambda: {"spend": 0, "leads": 0, "qualified": 0})
    sources: dict = defaultdict(lambda: {"spend": 0, "leads": 0, "qualified": 0})
    for r in spend_rows(f).values("source_id", "campaign").annotate(s=Sum("amount")):
        keys[(r["source_id"], r["campaign"])]["spend"] += r["s"] or 0
        sources[r["source_id"]]["spend"] += r["s"] or 0
    for r in lead_days(f, team=False).values("source_id", "campaign").annotate(n=Sum("leads")):
        keys[(r["source_id"], r["campaign"])]["leads"] += r["n"] or 0
        sources[r["source_id"]]["leads"] += r["n"] or 0
    qualified = customer_facts(f, team=False).filter(max_rank__gte=net)
    for r in qualified.values("source_id", "campaign").annotate(n=Count("pk")):
        keys[(r["source_id"], r["campaign"])]["qualified"] += r["n"]
        sources[r["source_id"]]["qualified"] += r["n"]
    names = _names(Source, [k[0] for k in keys] + list(sources))

    def finish(row: dict) -> dict:
        row["cost_per_lead"] = per(row["spend"], row["leads"])
        row["cost_per_qualified"] = per(row["spend"], row["qualified"])
        return row

    by_campaign = [
        finish({"source_id": s, "source": names.get(s, "—"), "campaign": c, **v}) for (s, c), v in keys.items()
    ]
    by_campaign.sort(key=lambda r: (-r["spend"], -r["leads"], r["source"], r["campaign"]))
    by_source = [finish({"source_id": s, "source": names.get(s, "—"), **v}) for s, v in sources.items()]
    by_source.sort(key=lambda r: (-r["spend"], -r["leads"], r["source"]))
    total = finish({k: sum(r[k] for r in by_source) for k in ("spend", "leads", "qualified")})
    return {"by_source": by_source, "by_campaign": by_campaign, "total": total}


def quality(f: Filters, scope: Scope | None = None) -> dict:
    """Per source: how many customers reached each stage, and on average how many days it took."""
    aggregates = {"customers": Count("pk")}
    for key in STAGES:
        aggregates[key] = Count("pk", filter=Q(**{f"{key}_at__isnull": False}))
        aggregates[f"{key}_secs"] = Avg(f"{key}_after")
    rows = list(customer_facts(f, scope).values("source_id").annotate(**aggregates).order_by("-customers"))
    names = _names(Source, [r["source_id"] for r in rows])
    channels = dict(Source.objects.values_list("pk", "channel"))
    out = []
    for r in rows:
        row = {"source_id": r["source_id"], "source": names.get(r["source_id"], "—"), "channel": channels.get(r["source_id"], ""),
               "customers": r["customers"]}
        for key in STAGES:
            row[key] = r[key]
            row[f"{key}_share"] = ratio(r[key], r["customers"])
            row[f"{key}_days"] = None if r[f"{key}_secs"] is None else float(r[f"{key}_secs"]) / 86400
        out.append(row)
    return {"rows": out}


def funnel(f: Filters, scope: Scope | None = None) -> dict:
    """Stages by rank: how many customers reached each, stand there now, and left the funnel from there."""
    statuses = list(Status.objects.all())
    ranks = sorted({s.rank for s in statuses if s.rank is not None})
    labels = {r: " / ".join(s.label for s in statuses if s.rank == r) for r in ranks}
    qs = customer_facts(f, scope)
    aggregates = {"total": Count("pk")}
    for r in ranks:
        aggregates[f"reached_{r}"] = Count("pk", filter=Q(max_rank__gte=r))
        aggregates[f"at_{r}"] = Count("pk", filter=Q(left_funnel=False, status__in=[s.pk for s in statuses if s.rank == r]))
        aggregates[f"left_{r}"] = Count("pk", filter=Q(left_funnel=True, max_rank=r))
    figures = qs.aggregate(**aggregates)
    stages = []
    previous = None
    for r in ranks:
        reached = figures[f"reached_{r}"]
        stages.append({
            "rank": r,
            "label": labels[r],
            "reached": reached,
            "at": figures[f"at_{r}"],
            "left": figures[f"left_{r}"],
            "from_previous": ratio(reached, previous) if previous is not None else None,
        })
        previous = reached
    exits = list(qs.filter(left_funnel=True).values("status_id").annotate(n=Count("pk")).order_by("-n"))
    snames = {s.pk: s.label for s in statuses}
    for e in exits:
        e["status"] = snames.get(e["status_id"], "—")
    return {"total": figures["total"], "stages": stages, "exits": exits}


# --- speed to lead -----------------------------------------------------------------------------------------


def _sort_memory() -> None:
    """Percentiles sort every lead of the period: give this transaction room to sort in memory, not on disk."""
    if connection.in_atomic_block:
        with connection.cursor() as cur:
            cur.execute("SET LOCAL work_mem = '64MB'")


def first_call_limit() -> int:
    return int(settings.LEADPOOL.get("FIRST_CALL_MINUTES", 30))


def speed_leads(f: Filters, scope: Scope | None = None):
    """Digital leads with an owner on arrival: the ones the first-call rule applies to."""
    lo, hi = day_bounds(f.start, f.end)
    qs = Lead.objects.filter(
        received_at__gte=lo, received_at__lt=hi, is_test=False, owner_at_arrival__isnull=False,
        channel__in=[str(c) for c in DIGITAL_CHANNELS],
    )
    if f.project_id:
        qs = qs.filter(projects__id=f.project_id)
    if f.source_id:
        qs = qs.filter(source_id=f.source_id)
    if f.campaign:
        qs = qs.filter(campaign=f.campaign)
    if f.team_id:
        qs = qs.filter(owner_at_arrival_id__in=team_user_ids(f.team_id))
    if scope is not None and scope.user_ids is not None:
        qs = qs.filter(owner_at_arrival_id__in=scope.user_ids)
    return qs


def _speed_row(n: int, called: int, within: int, median, p90) -> dict:
    return {
        "leads": n, "called": called, "uncalled": n - called, "within": within, "within_share": ratio(within, n),
        "median_minutes": median, "p90_minutes": p90,
    }


def percentile_of_counts(counts: dict[int, int], q: float) -> float | None:
    """percentile_cont over a histogram {value: how many}, as if every value were listed."""
    total = sum(counts.values())
    if not total:
        return None
    pos = (total - 1) * q
    low, high = math.floor(pos), math.ceil(pos)
    at_low = at_high = None
    seen = 0
    for value in sorted(counts):
        seen += counts[value]
        if at_low is None and seen > low:
            at_low = value
        if seen > high:
            at_high = value
            break
    return float(at_low) if low == high else at_low + (at_high - at_low) * (pos - low)


def _minutes_histograms(qs) -> dict[int, dict]:
    """{owner: {minutes rounded up, or None when never called: how many leads}} in one grouped pass."""
    out: dict[int, dict] = defaultdict(lambda: defaultdict(int))
    if connection.vendor == "postgresql":
        _sort_memory()
        seconds = Func(F("first_call_at") - F("received_at"), template="EXTRACT(EPOCH FROM %(expressions)s)",
                       output_field=FloatField())
        minutes = Ceil(seconds / 60.0)  # NULL when never called (GREATEST would turn that into 0)
        rows = qs.annotate(m=minutes).values_list("owner_at_arrival_id", "m").annotate(n=Count("pk")).order_by()
        for owner, m, n in rows:
            out[owner][None if m is None else max(0, int(m))] += n
    else:
        for owner, received, called in qs.values_list("owner_at_arrival_id", "received_at", "first_call_at").order_by():
            m = None if called is None else max(0, math.ceil((called - received).total_seconds() / 60))
            out[owner][m] += 1
    return out


def whole_months(f: Filters) -> tuple[list[Filters], tuple[date, date] | None]:
    """Split a period into its whole local months (first days of the first and last) and the days around them."""
    first = f.start if f.start.day == 1 else month_end(f.start) + timedelta(days=1)
    last = f.end if f.end == month_end(f.end) else month_start(f.end) - timedelta(days=1)
    if first > last:
        return [f], None
    edges = []
    if f.start < first:
        edges.append(f.with_(end=first - timedelta(days=1)))
    if last < f.end:
        edges.append(f.with_(start=last + timedelta(days=1)))
    return edges, (first, month_start(last))


def _summary_histograms(f: Filters, scope: Scope | None, months: tuple[date, date]) -> dict[int, dict]:
    """The same histograms as `_minutes_histograms(speed_leads(…))`, for whole months, from SpeedMonth."""
    qs = SpeedMonth.objects.filter(month__gte=months[0], month__lte=months[1])
    qs = qs.filter(project_id=f.project_id) if f.project_id else qs.filter(project__isnull=True)
    if f.source_id:
        qs = qs.filter(source_id=f.source_id)
    if f.campaign:
        qs = qs.filter(campaign=f.campaign)
    if f.team_id:
        qs = qs.filter(owner_id__in=team_user_ids(f.team_id))
    if scope is not None and scope.user_ids is not None:
        qs = qs.filter(owner_id__in=scope.user_ids)
    out: dict[int, dict] = defaultdict(lambda: defaultdict(int))
    for owner, m, n in qs.values_list("owner_id", "minutes").annotate(n=Sum("leads")).order_by():
        out[owner][m] += n
    return out


def speed_histograms(f: Filters, scope: Scope | None = None, *, live: bool = False) -> dict[int, dict]:
    """{owner: {minutes: leads}}: whole months from the summary, the days around them counted live."""
    edges, months = ([f], None) if live else whole_months(f)
    out: dict[int, dict] = defaultdict(lambda: defaultdict(int))
    parts = [_minutes_histograms(speed_leads(part, scope)) for part in edges]
    if months is not None:
        parts.append(_summary_histograms(f, scope, months))
    for part in parts:
        for owner, histogram in part.items():
            for m, n in histogram.items():
                out[owner][m] += n
    return out


def _speed_of(histogram: dict, limit: int) -> dict:
    called = {m: n for m, n in histogram.items() if m is not None}
    n_all = sum(histogram.values())
    within = sum(n for m, n in called.items() if m <= limit)
    return _speed_row(n_all, sum(called.values()), within, percentile_of_counts(called, 0.5), percentile_of_counts(called, 0.9))


def speed(f: Filters, scope: Scope | None = None, limit_minutes: int | None = None, *, live: bool = False) -> dict:
    """Minutes from arrival to first logged call, per salesperson and per team.

    Minutes are wall-clock and rounded up to the whole minute (a call after 10 min 20 s counts as 11 min), so a
    lead is within a 30-minute limit exactly when it was called at most 30 minutes after arriving. Median and
    p90 are over the leads that got a call; the share within the limit is over all leads (never called = missed).
    Whole months come from SpeedMonth (as fresh as the last refresh); `live=True` counts every lead instead.
    """
    limit = limit_minutes or first_call_limit()
    teams_of: dict[int, list[int]] = defaultdict(list)
    memberships = Membership.objects.filter(active=True)
    if scope is not None and scope.team_ids is not None:
        memberships = memberships.filter(team_id__in=scope.team_ids)
    if f.team_id:
        memberships = memberships.filter(team_id=f.team_id)
    for user_id, team_id in memberships.values_list("user_id", "team_id"):
        teams_of[user_id].append(team_id)
    per_owner = speed_histograms(f, scope, live=live)
    per_team: dict[int, dict] = defaultdict(lambda: defaultdict(int))
    for owner, histogram in per_owner.items():
        for team_id in teams_of.get(owner, []):
            for m, n in histogram.items():
                per_team[team_id][m] += n
    people = {owner: _speed_of(h, limit) for owner, h in per_owner.items()}
    teams = {team: _speed_of(h, limit) for team, h in per_team.items()}
    unames = {u.pk: u for u in User.objects.filter(pk__in=list(people))}
    tnames = _names(Team, list(teams))
    people_rows = [{"user_id": uid, "user": str(unames.get(uid, uid)), **r} for uid, r in people.items()]
    people_rows.sort(key=lambda r: (-(r["within_share"] or 0), r["user"], r["user_id"]))  # names may repeat
    team_rows = [{"team_id": tid, "team": tnames.get(tid, "—"), **r} for tid, r in teams.items()]
    team_rows.sort(key=lambda r: (r["team"], r["team_id"]))
    return {"limit": limit, "people": people_rows, "teams": team_rows}


# --- people -------------------------------------------------------------------------------------------------

EFFECTIVENESS_FIELDS = (
    "calls", "follow_ups_due", "follow_ups_on_time", "upgrades", "appointments", "deposits", "bookings",
    "rotated_in", "rotated_out", "first_call_violations", "attended",
)


def people_in_scope(f: Filters, scope: Scope | None):
    users = User.objects.filter(is_active=True, role__in=[Role.SALES, Role.LEADER])
    if scope is not None and scope.user_ids is not None:
        users = users.filter(pk__in=scope.user_ids)
    if f.team_id:
        users = users.filter(pk__in=team_user_ids(f.team_id))
    return users


def effectiveness(f: Filters, scope: Scope | None = None) -> dict:
    users = list(people_in_scope(f, scope))
    sums = {
        r["user_id"]: r
        for r in UserDay.objects.filter(day__gte=f.start, day__lte=f.end, user_id__in=[u.pk for u in users])
        .values("user_id")
        .annotate(**{name: Sum(name) for name in EFFECTIVENESS_FIELDS})
    }
    rows = []
    for user in users:
        figures = {name: (sums.get(user.pk, {}).get(name) or 0) for name in EFFECTIVENESS_FIELDS}
        figures["follow_ups_share"] = ratio(figures["follow_ups_on_time"], figures["follow_ups_due"])
        rows.append({"user_id": user.pk, "user": str(user), **figures})
    rows.sort(key=lambda r: (-(r["deposits"] + r["bookings"]), -r["upgrades"], -r["calls"], r["user"]))
    return {"rows": rows, "days": (f.end - f.start).days + 1}


# --- rotation --------------------------------------------------------------------------------------------------


CANDIDATE_COUNTS = {
    "candidates": Count("pk"),
    "neglected": Count("pk", filter=Q(kind="neglected")),
    "kept": Count("pk", filter=Q(state="kept")),
    "rotated_by_leader": Count("pk", filter=Q(state__in=["rotated", "auto_rotated"])),
    "reassigned": Count("pk", filter=Q(state="reassigned")),
    "undecided": Count("pk", filter=Q(state="open")),
}
ROTATION_FIGURES = (*ROTATION_REASONS, *CANDIDATE_COUNTS)


def _about_customers(qs, f: Filters, scope: Scope | None):
    """Team, scope and project filters on rows that carry a team and point at a customer."""
    if f.team_id:
        qs = qs.filter(team_id=f.team_id)
    if scope is not None and scope.team_ids is not None:
        qs = qs.filter(team_id__in=scope.team_ids)
    if f.project_id:
        qs = qs.filter(customer__projects__id=f.project_id)
    return qs


def rotation_candidates(f: Filters, scope: Scope | None = None):
    """Customers put on a leader's rotation list in the period (listed_at), by the rotation sweep."""
    from leadpool.rotation.models import Candidate

    lo, hi = day_bounds(f.start, f.end)
    return _about_customers(Candidate.objects.filter(listed_at__gte=lo, listed_at__lt=hi), f, scope)


def rotation_moves(f: Filters, scope: Scope | None = None):
    """Changes of owner by rotation, first-call takeback or leader reassignment in the period."""
    lo, hi = day_bounds(f.start, f.end)
    return _about_customers(Assignment.objects.filter(started_at__gte=lo, started_at__lt=hi, reason__in=ROTATION_REASONS), f, scope)


def rotation(f: Filters, scope: Scope | None = None) -> dict:
    """Per team and per week: candidates listed and what leaders decided, neglected care, and the owner changes."""
    tz = local_zone()
    moves = rotation_moves(f, scope)
    candidates = rotation_candidates(f, scope)
    move_counts = {reason: Count("pk", filter=Q(reason=reason)) for reason in ROTATION_REASONS}
    weekly: dict = defaultdict(lambda: dict.fromkeys(ROTATION_FIGURES, 0))
    per_team: dict = defaultdict(lambda: dict.fromkeys(ROTATION_FIGURES, 0))
    sources = (
        (moves, "started_at", move_counts),
        (candidates, "listed_at", CANDIDATE_COUNTS),
    )
    for qs, time_field, counts in sources:
        for r in qs.annotate(week=TruncWeek(time_field, tzinfo=tz)).values("week", "team_id").annotate(**counts).order_by():
            week = r["week"].date() if hasattr(r["week"], "date") else r["week"]
            for key in counts:
                weekly[(week, r["team_id"])][key] += r[key]
                per_team[r["team_id"]][key] += r[key]
    tnames = _names(Team, [t for t in per_team])
    weekly_rows = [
        {"week": week, "team_id": team, "team": tnames.get(team, "—"), **figures}
        for (week, team), figures in sorted(weekly.items(), key=lambda kv: (kv[0][0], tnames.get(kv[0][1], "")))
    ]
    team_rows = [
        {"team_id": team, "team": tnames.get(team, "—"), **figures}
        for team, figures in sorted(per_team.items(), key=lambda kv: tnames.get(kv[0], ""))
    ]
    totals = {key: sum(r[key] for r in team_rows) for key in ROTATION_FIGURES}
    return {"weekly": weekly_rows, "per_team": team_rows, "totals": totals}


# --- data quality ------------------------------------------------------------------------------------------------


def data_quality(f: Filters, scope: Scope | None = None) -> dict:
    qs = lead_days(f, scope)
    # no_project first: once "leads" names an aggregate it can no longer name the column.
    sums = dict(
        no_project=Sum("leads", filter=Q(project__isnull=True)),
        leads=Sum("leads"), invalid=Sum("invalid_phone"), test=Sum("test_leads"),
    )
    by_source = [_clean(r) for r in qs.values("source_id").annotate(**sums).order_by("-leads")]
    names = _names(Source, [r["source_id"] for r in by_source])
    for r in by_source:
        r["source"] = names.get(r["source_id"], "—")
        r["invalid_share"] = ratio(r["invalid"], r["leads"] + r["test"])
    total = _clean(qs.aggregate(**sums))
    lo, hi = day_bounds(f.start, f.end)
    total["merged"] = MergeRecord.objects.filter(at__gte=lo, at__lt=hi).count()
    return {"by_source": by_source, "total": total}

"""The rows behind a figure: the leads or customers a dashboard number counted, as the viewer may see them.

Each rule here mirrors the one that produced the figure (summaries / queries), so the list length equals
the number that linked to it. Everything starts from accounts.access.
"""

from datetime import timedelta

from django.db.models import Exists, F, OuterRef, Q, QuerySet, Subquery

from leadpool.accounts import access
from leadpool.customers.models import Assignment, Lead, Status
from leadpool.sales.models import Activity, StatusChange

from .filters import Filters
from .queries import customer_facts, first_call_limit, rotation_candidates, speed_leads, team_user_ids
from .scope import Scope
from .summaries import ROTATION_REASONS, STAGES, day_bounds
from .tables import NO_CAMPAIGN


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def leads_behind(user, f: Filters, scope: Scope, params) -> QuerySet:
    if params.get("speed"):
        qs = speed_leads(f.with_(campaign="" if f.campaign == NO_CAMPAIGN else f.campaign), scope)
        qs = qs.filter(pk__in=access.leads_for(user).values("pk"))
        owner = _int(params.get("owner"))
        if owner:
            qs = qs.filter(owner_at_arrival_id=owner)
        team = _int(params.get("owner_team"))
        if team:
            qs = qs.filter(owner_at_arrival_id__in=team_user_ids(team))
        if params.get("speed") == "uncalled":
            qs = qs.filter(first_call_at__isnull=True)
        elif params.get("speed") == "within":
            qs = qs.filter(first_call_at__isnull=False,
                           first_call_at__lte=F("received_at") + timedelta(minutes=first_call_limit()))
        return qs.distinct()
    lo, hi = day_bounds(f.start, f.end)
    qs = access.leads_for(user).filter(received_at__gte=lo, received_at__lt=hi)
    first_project = Subquery(
        Lead.projects.through.objects.filter(lead_id=OuterRef("pk")).order_by("project_id").values("project_id")[:1]
    )
    qs = qs.annotate(first_project=first_project)
    project = params.get("project")
    if project == "none":
        qs = qs.filter(first_project__isnull=True)
    elif f.project_id:
        qs = qs.filter(first_project=f.project_id)
    if f.source_id:
        qs = qs.filter(source_id=f.source_id)
    if f.campaign:
        qs = qs.filter(campaign="" if f.campaign == NO_CAMPAIGN else f.campaign)
    if f.team_id:
        qs = qs.filter(customer__team_id=f.team_id)
    if params.get("capture_point"):
        qs = qs.filter(capture_point=params["capture_point"])
    if scope.team_ids:  # a leader's teams; a salesperson is already held to their own by access
        qs = qs.filter(customer__team_id__in=scope.team_ids)
    kind = params.get("kind")
    if kind == "test":
        return qs.filter(is_test=True)
    if kind == "invalid":
        return qs.exclude(phone_invalid_reason="")
    qs = qs.filter(is_test=False)
    if kind == "new":
        qs = qs.filter(is_returning=False)
    elif kind == "returning":
        qs = qs.filter(is_returning=True)
    elif kind == "no_project":
        qs = qs.filter(first_project__isnull=True)
    return qs


PERSON_PARAMS = (
    "called_by", "upgraded_by", "appointment_by", "deposit_by", "booking_by", "rotated_in", "rotated_out", "rotated", "candidate",
)
CANDIDATE_FILTERS = {
    "candidates": Q(),
    "neglected": Q(kind="neglected"),
    "kept": Q(state="kept"),
    "rotated_by_leader": Q(state__in=["rotated", "auto_rotated"]),
    "reassigned": Q(state="reassigned"),
    "undecided": Q(state="open"),
}


def _facts(f: Filters, scope: Scope, params) -> QuerySet:
    # Scope: a leader's teams; a salesperson (no teams) is already held to their own customers by access.
    qs = customer_facts(f.with_(campaign=""), scope if scope.team_ids else None)
    if f.campaign:  # unlike the figures, a drill-down link may ask for "no campaign" (NO_CAMPAIGN)
        qs = qs.filter(campaign="" if f.campaign == NO_CAMPAIGN else f.campaign)
    reached = params.get("reached")
    if reached in STAGES:
        qs = qs.filter(**{f"{reached}_at__isnull": False})
    stage = _int(params.get("stage"))
    if stage is not None:
        qs = qs.filter(max_rank__gte=stage)
    at_stage = _int(params.get("at_stage"))
    if at_stage is not None:
        qs = qs.filter(left_funnel=False, status__in=Status.objects.filter(rank=at_stage).values("pk"))
    left = _int(params.get("left"))
    if left is not None:
        qs = qs.filter(left_funnel=True, max_rank=left)
    exit_status = _int(params.get("exit_status"))
    if exit_status is not None:
        qs = qs.filter(left_funnel=True, status_id=exit_status)
    return qs


def _person_rows(f: Filters, params) -> Q | None:
    """Customers touched by one person's counted work in the period (calls, upgrades, deals, rotations)."""
    lo, hi = day_bounds(f.start, f.end)
    for key in PERSON_PARAMS:
        value = params.get(key)
        if not value:
            continue
        uid = _int(value)
        if key == "called_by":
            rows = Activity.objects.filter(author_id=uid, kind=Activity.Kind.CALL, flagged="", occurred_at__gte=lo, occurred_at__lt=hi)
        elif key == "upgraded_by":
            rows = StatusChange.objects.filter(by_id=uid, at__gte=lo, at__lt=hi, backed_by_activity=True,
                                               from_status__rank__isnull=False, to_status__rank__gt=F("from_status__rank"))
        elif key.endswith("_by"):
            rows = StatusChange.objects.filter(by_id=uid, at__gte=lo, at__lt=hi, to_status__key=key.removesuffix("_by"))
        elif key == "rotated_in":
            rows = Assignment.objects.filter(user_id=uid, reason__in=ROTATION_REASONS, started_at__gte=lo, started_at__lt=hi)
        elif key == "rotated_out":
            rows = Assignment.objects.filter(user_id=uid, end_reason__in=ROTATION_REASONS, ended_at__gte=lo, ended_at__lt=hi)
        elif key == "candidate":
            if value not in CANDIDATE_FILTERS:
                return Q(pk__in=[])
            rows = rotation_candidates(f).filter(CANDIDATE_FILTERS[value])
            team = _int(params.get("candidate_team"))
            if team:
                rows = rows.filter(team_id=team)
        else:  # rotated=<reason>, optionally within one team
            if value not in ROTATION_REASONS:
                return Q(pk__in=[])
            rows = Assignment.objects.filter(reason=value, started_at__gte=lo, started_at__lt=hi)
            if f.team_id:
                rows = rows.filter(team_id=f.team_id)
            team = _int(params.get("rotated_team"))
            if team:
                rows = rows.filter(team_id=team)
            if f.project_id:
                rows = rows.filter(customer__projects__id=f.project_id)
        return Q(Exists(rows.filter(customer_id=OuterRef("pk"))))
    return None


def customers_behind(user, f: Filters, scope: Scope, params) -> QuerySet:
    qs = access.customers_for(user)
    person = _person_rows(f, params)
    if person is not None:
        if scope.user_ids is not None:
            # A leader drills only into their own people's work.
            for key in PERSON_PARAMS:
                uid = _int(params.get(key))
                if key not in ("rotated", "candidate") and uid is not None and uid not in scope.user_ids:
                    return qs.none()
        return qs.filter(person)
    return qs.filter(pk__in=_facts(f, scope, params).values("customer_id"))

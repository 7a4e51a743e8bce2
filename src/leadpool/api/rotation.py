"""Rotation through the API: a leader's candidates and their decisions (keep, rotate, reassign), scoped like the pages."""

from datetime import datetime

from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils import timezone
from ninja import Query, Router, Schema
from ninja.errors import HttpError

from leadpool.accounts import access
from leadpool.rotation import decisions
from leadpool.rotation.models import Candidate

from .auth import require_scope
from .schemas import Error

router = Router(tags=["rotation"])


class CandidateOut(Schema):
    id: int
    customer_id: int
    customer: str
    owner: str | None
    team: str | None
    status: str
    kind: str
    rule: str
    due_at: datetime
    listed_at: datetime
    decide_by: datetime
    escalated: bool
    evidence: dict


class CandidatePage(Schema):
    count: int
    results: list[CandidateOut]


class CandidateFilters(Schema):
    kind: str | None = None
    team: int | None = None
    page: int = 1
    page_size: int = 50


class DecisionIn(Schema):
    action: str  # keep | rotate | reassign
    reason: str = ""
    until: datetime | None = None
    to: int | None = None


class BulkDecisionIn(DecisionIn):
    ids: list[int]


class DecisionOut(Schema):
    done: list[int]
    failed: list[tuple[int, str]]


def _leader_only(request) -> None:
    user = request.user
    if not (user.is_manager or user.is_leader):
        raise HttpError(403, "Chỉ trưởng nhóm và quản lý quyết định đảo khách.")


def open_candidates(user):
    return decisions.visible_candidates(user).filter(state=Candidate.State.OPEN)


def _out(c: Candidate) -> dict:
    return {
        "id": c.pk, "customer_id": c.customer_id, "customer": c.customer.name, "owner": c.owner.username if c.owner else None,
        "team": c.team.name if c.team else None, "status": c.status_key, "kind": c.kind, "rule": c.rule, "due_at": c.due_at,
        "listed_at": c.listed_at, "decide_by": c.decide_by, "escalated": c.escalated_at is not None, "evidence": c.evidence,
    }


@router.get("/candidates", response={200: CandidatePage, 403: Error}, summary="Open rotation candidates the caller decides on")
def list_candidates(request, filters: Query[CandidateFilters]):
    require_scope(request, "rotation:read")
    _leader_only(request)
    qs = open_candidates(request.user).select_related("customer", "owner", "team").order_by("due_at", "id")
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    if filters.team:
        qs = qs.filter(team_id=filters.team)
    size = max(1, min(filters.page_size, 200))
    start = (max(1, filters.page) - 1) * size
    return {"count": qs.count(), "results": [_out(c) for c in qs[start : start + size]]}


def _decide(request, ids: list[int], body: DecisionIn) -> dict:
    require_scope(request, "rotation:write")
    _leader_only(request)
    rows = list(open_candidates(request.user).select_related("customer__team").filter(pk__in=ids))
    if not rows:
        raise Http404("Không tìm thấy khách chờ đảo.")
    to = None
    if body.action == decisions.REASSIGN:
        to = access.users_for(request.user).filter(pk=body.to).first() if body.to else None
        if to is None:
            raise HttpError(422, "Chọn người nhận trong đội của bạn.")
    if body.action == decisions.KEEP and body.until is not None and timezone.is_naive(body.until):
        body.until = timezone.make_aware(body.until)
    result = decisions.decide_many(rows, action=body.action, by=request.user, reason=body.reason, until=body.until, to=to)
    return result


@router.post("/candidates/{int:candidate_id}/decision", response={200: DecisionOut, 403: Error, 404: Error, 422: Error},
             summary="Keep, rotate or reassign one candidate")
def decide_one(request, candidate_id: int, body: DecisionIn):
    result = _decide(request, [candidate_id], body)
    if result["failed"]:
        raise HttpError(422, result["failed"][0][1])
    return result


@router.post("/decisions", response={200: DecisionOut, 403: Error, 404: Error, 422: Error}, summary="One decision for many candidates")
def decide_bulk(request, body: BulkDecisionIn):
    if body.action not in (decisions.KEEP, decisions.ROTATE, decisions.REASSIGN):
        raise HttpError(422, "Quyết định không hợp lệ.")
    try:
        return _decide(request, body.ids, body)
    except ValidationError as exc:
        raise HttpError(422, "; ".join(exc.messages)) from exc


"""Sales work through the API: a customer's activities, status moves and follow-ups, scoped like the pages."""

from datetime import datetime

from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils import timezone
from ninja import Router, Schema, Status
from ninja.errors import HttpError

from leadpool.accounts import access
from leadpool.customers.models import Status as CustomerStatus
from leadpool.sales import actions
from leadpool.sales.models import Activity, FollowUp

from .auth import require_scope
from .schemas import Error

router = Router(tags=["sales"])


class ActivityIn(Schema):
    kind: str  # call, note, message, meeting, email, sms
    body: str = ""
    call_outcome: str = ""
    call_direction: str = "out"
    duration_seconds: int | None = None
    recording_url: str = ""
    meeting_result: str = ""
    channel: str = ""
    occurred_at: datetime | None = None
    corrects: int | None = None


class ActivityOut(Schema):
    id: int
    kind: str
    author: str | None
    occurred_at: datetime
    created_at: datetime
    body: str
    call_outcome: str
    call_direction: str
    duration_seconds: int | None
    meeting_at: datetime | None
    meeting_place: str
    meeting_result: str
    channel: str
    corrects: int | None
    flagged: str


class StatusIn(Schema):
    to: str
    reason: str = ""
    details: dict = {}


class StatusChangeOut(Schema):
    id: int
    from_status: str | None
    to_status: str
    by: str | None
    at: datetime
    reason: str
    details: dict
    backed_by_activity: bool


class FollowUpIn(Schema):
    due_at: datetime
    kind: str = "call"
    note: str = ""


class FollowUpOut(Schema):
    id: int
    kind: str
    due_at: datetime
    note: str
    done_at: datetime | None
    cancelled_at: datetime | None
    script_step: str


WRITABLE_KINDS = {Activity.Kind.CALL, Activity.Kind.NOTE, Activity.Kind.MESSAGE, Activity.Kind.MEETING,
                  Activity.Kind.EMAIL, Activity.Kind.SMS}


def _customer(request, customer_id: int, *, write: bool = False):
    customer = access.customers_for(request.user).select_related("status", "owner").filter(pk=customer_id).first()
    if customer is None:
        raise Http404("Không tìm thấy khách hàng.")
    if write and not access.may_work_on(request.user, customer):
        raise HttpError(403, "Bạn không phụ trách khách hàng này.")
    return customer


def _aware(value: datetime | None) -> datetime | None:
    if value is not None and timezone.is_naive(value):
        return timezone.make_aware(value)
    return value


def _activity(a: Activity) -> dict:
    return {
        "id": a.pk, "kind": a.kind, "author": a.author.username if a.author else None, "occurred_at": a.occurred_at,
        "created_at": a.created_at, "body": a.body, "call_outcome": a.call_outcome, "call_direction": a.call_direction,
        "duration_seconds": a.duration_seconds, "meeting_at": a.meeting_at, "meeting_place": a.meeting_place,
        "meeting_result": a.meeting_result, "channel": a.channel, "corrects": a.corrects_id, "flagged": a.flagged,
    }


def _follow_up(f: FollowUp) -> dict:
    return {"id": f.pk, "kind": f.kind, "due_at": f.due_at, "note": f.note, "done_at": f.done_at,
            "cancelled_at": f.cancelled_at, "script_step": f.script_step}


@router.get("/customers/{int:customer_id}/activities", response={200: list[ActivityOut], 404: Error},
            summary="A customer's activities, newest first")
def list_activities(request, customer_id: int, limit: int = 100):
    require_scope(request, "sales:read")
    customer = _customer(request, customer_id)
    rows = Activity.objects.filter(customer=customer).select_related("author")[: max(1, min(limit, 500))]
    return [_activity(a) for a in rows]


@router.post("/customers/{int:customer_id}/activities", response={201: ActivityOut, 400: Error, 403: Error, 404: Error},
             summary="Log a call, note, message or meeting (a correction when `corrects` is given)")
def create_activity(request, customer_id: int, payload: ActivityIn):
    require_scope(request, "sales:write")
    customer = _customer(request, customer_id, write=True)
    if payload.kind not in WRITABLE_KINDS:
        raise HttpError(400, f"Loại hoạt động không hợp lệ: {payload.kind}")
    if payload.call_outcome and payload.call_outcome not in Activity.CallOutcome.values:
        raise HttpError(400, f"Kết quả cuộc gọi không hợp lệ: {payload.call_outcome}")
    if payload.duration_seconds is not None and payload.duration_seconds < 0:
        raise HttpError(400, "Thời lượng không hợp lệ.")
    if payload.corrects is not None:
        original = Activity.objects.filter(pk=payload.corrects, customer=customer).first()
        if original is None:
            raise HttpError(400, "Không tìm thấy hoạt động cần đính chính.")
        activity = actions.correct_activity(original, by=request.user, body=payload.body,
                                            call_outcome=payload.call_outcome,
                                            duration_seconds=payload.duration_seconds,
                                            meeting_result=payload.meeting_result)
        return Status(201, _activity(activity))
    fields = {"body": payload.body, "channel": payload.channel[:16], "recording_url": payload.recording_url}
    if payload.kind == Activity.Kind.CALL:
        fields.update(call_outcome=payload.call_outcome or Activity.CallOutcome.REACHED,
                      call_direction=payload.call_direction if payload.call_direction in ("in", "out") else "out",
                      duration_seconds=payload.duration_seconds)
    if payload.kind == Activity.Kind.MEETING:
        fields["meeting_result"] = payload.meeting_result[:200]
    activity = actions.log_activity(customer, by=request.user, kind=payload.kind, at=_aware(payload.occurred_at), **fields)
    return Status(201, _activity(activity))


@router.get("/customers/{int:customer_id}/status-changes", response={200: list[StatusChangeOut], 404: Error},
            summary="A customer's status history")
def list_status_changes(request, customer_id: int):
    require_scope(request, "sales:read")
    customer = _customer(request, customer_id)
    rows = customer.status_changes.select_related("from_status", "to_status", "by")[:200]
    return [
        {"id": c.pk, "from_status": c.from_status.key if c.from_status else None, "to_status": c.to_status.key,
         "by": c.by.username if c.by else None, "at": c.at, "reason": c.reason, "details": c.details,
         "backed_by_activity": c.backed_by_activity}
        for c in rows
    ]


@router.post("/customers/{int:customer_id}/status", response={201: StatusChangeOut, 400: Error, 403: Error, 404: Error},
             summary="Move a customer to a status, with the fields that status requires")
def change_status(request, customer_id: int, payload: StatusIn):
    require_scope(request, "sales:write")
    customer = _customer(request, customer_id, write=True)
    target = CustomerStatus.objects.filter(key=payload.to).first()
    if target is None:
        raise HttpError(400, f"Trạng thái không tồn tại: {payload.to}")
    try:
        change = actions.change_status(customer, to=target, by=request.user, reason=payload.reason,
                                       details=payload.details)
    except ValidationError as exc:
        detail = "; ".join(f"{k}: {', '.join(v)}" for k, v in exc.message_dict.items()) if hasattr(exc, "error_dict") \
            else "; ".join(exc.messages)
        raise HttpError(400, detail) from exc
    return Status(201, {"id": change.pk, "from_status": change.from_status.key if change.from_status else None,
                 "to_status": change.to_status.key, "by": request.user.username, "at": change.at,
                 "reason": change.reason, "details": change.details,
                        "backed_by_activity": change.backed_by_activity})


@router.get("/customers/{int:customer_id}/follow-ups", response={200: list[FollowUpOut], 404: Error},
            summary="A customer's follow-ups (open first)")
def list_follow_ups(request, customer_id: int, open_only: bool = False):
    require_scope(request, "sales:read")
    customer = _customer(request, customer_id)
    rows = FollowUp.objects.filter(customer=customer)
    if open_only:
        rows = rows.filter(done_at__isnull=True, cancelled_at__isnull=True)
    return [_follow_up(f) for f in rows.order_by("due_at")[:500]]


@router.post("/customers/{int:customer_id}/follow-ups", response={201: FollowUpOut, 400: Error, 403: Error, 404: Error},
             summary="Schedule a follow-up")
def create_follow_up(request, customer_id: int, payload: FollowUpIn):
    require_scope(request, "sales:write")
    customer = _customer(request, customer_id, write=True)
    if payload.kind not in FollowUp.Kind.values:
        raise HttpError(400, f"Loại việc không hợp lệ: {payload.kind}")
    follow_up = actions.schedule_follow_up(customer, by=request.user, due_at=_aware(payload.due_at), kind=payload.kind,
                                           note=payload.note)
    return Status(201, _follow_up(follow_up))

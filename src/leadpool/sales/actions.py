"""The salesperson's writes: log an activity, change a status, schedule a follow-up. One door each."""

from datetime import datetime, time, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from leadpool import events
from leadpool.audit import log as audit
from leadpool.customers.models import Customer, Status

from . import care
from .models import Activity, FollowUp, StatusChange
from .status_fields import clean_details, parse_local_datetime
from .status_fields import missing_fields as _missing

CONTACT_KINDS = {Activity.Kind.CALL, Activity.Kind.MESSAGE, Activity.Kind.MEETING, Activity.Kind.EMAIL, Activity.Kind.SMS}


def end_of_local_day(at: datetime) -> datetime:
    local = timezone.localtime(at)
    return datetime.combine(local.date() + timedelta(days=1), time(0), local.tzinfo)


def _flag(kind: str, fields: dict) -> str:
    """Care that does not count (no gaming): a call marked reached that lasted zero seconds."""
    if kind == Activity.Kind.CALL and fields.get("call_outcome") == Activity.CallOutcome.REACHED:
        if fields.get("duration_seconds") == 0:
            return "Cuộc gọi 0 giây được ghi là nghe máy"
    return ""


def log_activity(customer: Customer, *, by, kind: str, at=None, **fields) -> Activity:
    now = timezone.now()
    at = at or now
    if not fields.get("flagged"):
        fields["flagged"] = _flag(kind, fields)
    correction = fields.get("corrects") is not None
    with transaction.atomic():
        activity = Activity.objects.create(customer=customer, author=by, kind=kind, created_at=now, occurred_at=at, **fields)
        if kind in CONTACT_KINDS and not correction:
            if customer.last_contact_at is None or at > customer.last_contact_at:
                customer.last_contact_at = at
                customer.dont_forget = False
                customer.save(update_fields=["last_contact_at", "dont_forget", "updated_at"])
            # A contact on or after the day a follow-up was due carries it out.
            FollowUp.objects.filter(
                customer=customer, done_at__isnull=True, cancelled_at__isnull=True, due_at__lt=end_of_local_day(at)
            ).update(done_at=at, done_activity=activity)
        if kind == Activity.Kind.CALL:
            # Speed to lead: the first call after a lead's arrival answers that lead.
            customer.leads.filter(first_call_at__isnull=True, received_at__lte=at).update(first_call_at=at)
        events.customer_changed(customer, why="activity", by=by, activity=activity)
    return activity


UNCORRECTABLE = {Activity.Kind.SYSTEM, Activity.Kind.FOLLOW_UP, Activity.Kind.NURTURE}


def correct_activity(original: Activity, *, by, body: str, **fields) -> Activity:
    """Activities are never edited: a correction is a new activity pointing at the one it corrects.

    What the system wrote by itself (system records, follow-up bookkeeping, automatic care sends) is not a
    person's account of events, so there is nothing for a person to correct.
    """
    if original.kind in UNCORRECTABLE:
        raise ValidationError(_("Hoạt động do hệ thống ghi không thể đính chính."))
    allowed = {"call_outcome", "duration_seconds", "meeting_result"}
    extra = {k: v for k, v in fields.items() if k in allowed and v not in (None, "")}
    if original.kind == Activity.Kind.CALL:
        extra.setdefault("call_outcome", original.call_outcome)
        extra.setdefault("call_direction", original.call_direction)
    return log_activity(
        original.customer, by=by, kind=original.kind, at=original.occurred_at, body=body, corrects=original, **extra
    )


def missing_fields(status: Status, details: dict) -> list[str]:
    return _missing(status.required_fields, details)


def change_status(customer: Customer, *, to: Status, by, reason: str = "", details: dict | None = None, at=None) -> StatusChange:
    """Move a customer to a status, checking what the status requires and which moves are allowed.

    What a status asks for is acted on: NET's next follow-up and an appointment are scheduled as follow-ups,
    and the care scripts of the status left and the status entered are stopped and started.
    """
    details = dict(details or {})
    at = at or timezone.now()
    current = customer.status
    if current.pk == to.pk:
        raise ValidationError("Khách hàng đã ở trạng thái này.")
    if current.allowed_next and to.key not in current.allowed_next:
        raise ValidationError(f"Không thể chuyển từ “{current.label}” sang “{to.label}”.")
    if reason and "reason" in to.required_fields:
        details.setdefault("reason", reason)
    clean, errors = clean_details(to.required_fields, details)
    if errors:
        raise ValidationError(errors)
    reason = reason or str(clean.get("reason", ""))
    with transaction.atomic():
        backed = customer.activities.filter(occurred_at__gte=customer.status_entered_at).exclude(
            kind=Activity.Kind.SYSTEM
        ).exists()
        change = StatusChange.objects.create(
            customer=customer,
            from_status=current,
            to_status=to,
            by=by,
            at=at,
            reason=reason,
            details={k: (v.isoformat() if hasattr(v, "isoformat") else str(v)) for k, v in {**details, **clean}.items()},
            backed_by_activity=backed,
        )
        customer.status = to
        customer.status_entered_at = at
        customer.save(update_fields=["status", "status_entered_at", "updated_at"])
        audit.record(
            "customer.status_changed",
            actor=by,
            target=customer,
            data={"from": current.key, "to": to.key, "reason": reason},
        )
        if clean.get("next_follow_up_at"):
            schedule_follow_up(customer, by=by, due_at=clean["next_follow_up_at"], note=f"Kế hoạch chăm sóc — {to.label}")
        if clean.get("appointment_at"):
            schedule_follow_up(
                customer, by=by, due_at=clean["appointment_at"], kind=FollowUp.Kind.MEETING,
                note=f"Hẹn gặp: {clean.get('appointment_place', '')}".strip(" :"),
                place=clean.get("appointment_place", ""),
            )
        care.status_entered(customer, left=current, entered=to, at=at, by=by)
        events.customer_changed(customer, why="status", by=by, change=change)
    return change


def schedule_follow_up(
    customer: Customer, *, by, due_at, kind: str = FollowUp.Kind.CALL, note: str = "", place: str = ""
) -> FollowUp:
    due_at = parse_local_datetime(due_at) if isinstance(due_at, str) else due_at
    with transaction.atomic():
        follow_up = FollowUp.objects.create(
            customer=customer, owner=customer.owner, kind=kind, due_at=due_at, note=note[:300], created_by=by
        )
        Activity.objects.create(
            customer=customer, author=by, kind=Activity.Kind.FOLLOW_UP, body=note, meeting_at=due_at,
            meeting_place=place[:200],
        )
        events.customer_changed(customer, why="follow_up", by=by, follow_up=follow_up)
    return follow_up


def record_meeting_result(customer: Customer, *, by, result: str, note: str = "", at=None) -> Activity:
    """A meeting took place: what came of it. Carries out the meeting follow-up due that day."""
    return log_activity(
        customer, by=by, kind=Activity.Kind.MEETING, at=at, meeting_result=result[:200], body=note,
    )

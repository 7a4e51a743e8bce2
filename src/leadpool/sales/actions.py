"""The salesperson's writes: log an activity, change a status, schedule a follow-up. One door each."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from leadpool import events
from leadpool.audit import log as audit
from leadpool.customers.models import Customer, Status

from .models import Activity, FollowUp, StatusChange

CONTACT_KINDS = {Activity.Kind.CALL, Activity.Kind.MESSAGE, Activity.Kind.MEETING, Activity.Kind.EMAIL, Activity.Kind.SMS}


def log_activity(customer: Customer, *, by, kind: str, at=None, **fields) -> Activity:
    now = timezone.now()
    at = at or now
    with transaction.atomic():
        activity = Activity.objects.create(customer=customer, author=by, kind=kind, created_at=now, occurred_at=at, **fields)
        if kind in CONTACT_KINDS and (customer.last_contact_at is None or at > customer.last_contact_at):
            customer.last_contact_at = at
            customer.dont_forget = False
            customer.save(update_fields=["last_contact_at", "dont_forget", "updated_at"])
        if kind == Activity.Kind.CALL:
            # Speed to lead: the first call after a lead's arrival answers that lead.
            customer.leads.filter(first_call_at__isnull=True, received_at__lte=at).update(first_call_at=at)
        events.customer_changed(customer, why="activity", by=by, activity=activity)
    return activity


def missing_fields(status: Status, details: dict) -> list[str]:
    return [name for name in status.required_fields if not details.get(name)]


def change_status(customer: Customer, *, to: Status, by, reason: str = "", details: dict | None = None, at=None) -> StatusChange:
    """Move a customer to a status, checking what the status requires and which moves are allowed."""
    details = details or {}
    at = at or timezone.now()
    current = customer.status
    if current.pk == to.pk:
        raise ValidationError("Khách hàng đã ở trạng thái này.")
    if current.allowed_next and to.key not in current.allowed_next:
        raise ValidationError(f"Không thể chuyển từ “{current.label}” sang “{to.label}”.")
    missing = missing_fields(to, {**details, "reason": reason or details.get("reason")})
    if missing:
        raise ValidationError({name: "Bắt buộc với trạng thái này." for name in missing})
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
            details={k: str(v) for k, v in details.items()},
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
        events.customer_changed(customer, why="status", by=by, change=change)
    return change


def schedule_follow_up(customer: Customer, *, by, due_at, kind: str = FollowUp.Kind.CALL, note: str = "") -> FollowUp:
    with transaction.atomic():
        follow_up = FollowUp.objects.create(
            customer=customer, owner=customer.owner, kind=kind, due_at=due_at, note=note, created_by=by
        )
        Activity.objects.create(
            customer=customer, author=by, kind=Activity.Kind.FOLLOW_UP, body=note, meeting_at=due_at
        )
        events.customer_changed(customer, why="follow_up", by=by, follow_up=follow_up)
    return follow_up

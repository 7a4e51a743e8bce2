"""Gathering one customer's facts for the pure rules (deadlines.refresh stores what the rules make of them)."""

from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from leadpool.customers.models import DIGITAL_CHANNELS, Customer, Lead, Status
from leadpool.sales.models import Activity, FollowUp, StatusChange

from . import rules as r
from .models import Candidate, Clock, DeadlineWarning
from .worktime import VN

CONTACT = {Activity.Kind.CALL, Activity.Kind.MESSAGE, Activity.Kind.MEETING, Activity.Kind.EMAIL, Activity.Kind.SMS}
INTERACTION = {Activity.Kind.MESSAGE, Activity.Kind.MEETING, Activity.Kind.EMAIL, Activity.Kind.SMS}


def parse_when(value) -> datetime | None:
    """An appointment date as entered (ISO date-time or date, local time when naive)."""
    if not value:
        return None
    if isinstance(value, datetime):
        return value if timezone.is_aware(value) else value.replace(tzinfo=VN)
    text = str(value).strip()
    when = parse_datetime(text)
    if when is None:
        day = parse_date(text[:10])
        if day is None:
            return None
        when = datetime(day.year, day.month, day.day, 9, 0)
    return when if timezone.is_aware(when) else when.replace(tzinfo=VN)


def tally(activities, *, appointment_at=None) -> dict:
    """Care counts from activities (dicts with kind, call_outcome, duration_seconds, body, flagged, occurred_at)."""
    t = dict(calls=0, contacts=0, interactions=0, notes=0, contacts_after_appointment=0, flagged=0)
    for a in activities:
        kind = a["kind"]
        if kind == Activity.Kind.SYSTEM or kind == Activity.Kind.FOLLOW_UP:
            continue
        if a["flagged"]:
            t["flagged"] += 1
            continue
        if kind in CONTACT:
            t["contacts"] += 1
            if appointment_at is not None and a["occurred_at"] > appointment_at:
                t["contacts_after_appointment"] += 1
        if kind == Activity.Kind.CALL:
            t["calls"] += 1
            if a["call_outcome"] == Activity.CallOutcome.REACHED and (a["duration_seconds"] or 0) > 0:
                t["interactions"] += 1
            if (a["body"] or "").strip():
                t["notes"] += 1
        elif kind in INTERACTION:
            t["interactions"] += 1
        elif kind == Activity.Kind.NOTE:
            t["notes"] += 1
    return t


@dataclass(frozen=True)
class BrandNew:
    """What a capture knows about the customer it has just created: nothing else has happened to it yet."""

    customer_id: int
    projects: list[tuple[str, str]]
    digital_lead_at: datetime | None  # its one lead, when that came through a digital channel (and is not a test)


_brand_new: ContextVar[BrandNew | None] = ContextVar("rotation_brand_new", default=None)


@contextmanager
def brand_new(known: BrandNew):
    """Inside this block the customer's facts are taken from `known` instead of being read back.

    A customer created a moment ago has no status changes, activities, done follow-ups, clock,
    candidate or warnings, so the capture path spares a dozen queries per lead.
    """
    token = _brand_new.set(known)
    try:
        yield
    finally:
        _brand_new.reset(token)


def is_brand_new(customer: Customer) -> bool:
    known = _brand_new.get()
    return known is not None and known.customer_id == customer.pk


def gather(customer: Customer, rules: r.Rules, now: datetime | None = None) -> tuple[r.Facts, dict]:
    now = now or timezone.now()
    if is_brand_new(customer):
        return _gather_brand_new(customer, _brand_new.get(), now)
    status = Status.objects.get(pk=customer.status_id)
    owner_since = customer.owner_since or customer.created_at
    anchor = max(customer.status_entered_at, owner_since)
    changes = list(
        StatusChange.objects.filter(customer=customer)
        .select_related("from_status", "to_status")
        .order_by("-at", "-id")[:2]
    )
    if changes:
        last = changes[0]
        raised = (
            last.from_status_id is not None
            and last.from_status.rank is not None
            and last.to_status.rank is not None
            and last.to_status.rank > last.from_status.rank
        )
        if raised and not last.backed_by_activity:
            # A raise with nothing behind it is not progress: the clock keeps running from before it.
            before = changes[1].at if len(changes) > 1 else customer.created_at
            anchor = max(before, owner_since)
    appointment_at = None
    if rules.hold_rule(status.key) == "from_appointment":
        into = next((c for c in changes if c.to_status_id == status.pk), None)
        if into is not None:
            appointment_at = parse_when(into.details.get("appointment_at"))
    uncalled = (
        Lead.objects.filter(customer=customer, first_call_at__isnull=True, channel__in=list(DIGITAL_CHANNELS), is_test=False)
        .order_by("received_at")
        .values_list("received_at", flat=True)
        .first()
    )
    if uncalled is not None:
        uncalled = max(uncalled, owner_since)
    activities = Activity.objects.filter(customer=customer, occurred_at__gte=owner_since).values(
        "kind", "call_outcome", "duration_seconds", "body", "flagged", "occurred_at"
    )
    t = tally(activities, appointment_at=appointment_at)
    follow_ups = FollowUp.objects.filter(customer=customer, created_at__gte=owner_since - timedelta(seconds=1))
    t["follow_ups_done"] = follow_ups.filter(done_at__isnull=False).count()
    t["follow_up_scheduled"] = FollowUp.objects.filter(
        customer=customer, done_at__isnull=True, cancelled_at__isnull=True, due_at__gte=now, owner_id=customer.owner_id
    ).exists()
    clock = Clock.objects.filter(pk=customer.pk).values("kept_until", "kept_at").first() or {}
    open_candidate = Candidate.objects.filter(customer=customer, state=Candidate.State.OPEN).exists()
    warned = frozenset(
        DeadlineWarning.objects.filter(customer=customer, deadline_at__gte=now - timedelta(days=30)).values_list(
            "kind", "deadline_at"
        )
    )
    care = r.Care(**t)
    facts = r.Facts(
        customer_id=customer.pk,
        status_key=status.key,
        status_kind=status.kind,
        owner_id=customer.owner_id,
        hold_anchor_at=anchor,
        projects=list(customer.projects.values_list("code", "phase")),
        appointment_at=appointment_at,
        uncalled_digital_lead_at=uncalled,
        care=care,
        kept_until=clock.get("kept_until"),
        kept_at=clock.get("kept_at"),
        open_candidate=open_candidate,
        warned=warned,
    )
    return facts, t


def _gather_brand_new(customer: Customer, known: BrandNew, now: datetime) -> tuple[r.Facts, dict]:
    status = customer.status
    owner_since = customer.owner_since or customer.created_at
    uncalled = max(known.digital_lead_at, owner_since) if known.digital_lead_at is not None else None
    t = tally([])
    t["follow_ups_done"] = 0
    # Care-script steps made when its projects were added belong to nobody yet, so they count
    # for an owner only while the customer has none (it waits in the pool).
    t["follow_up_scheduled"] = customer.owner_id is None and FollowUp.objects.filter(
        customer=customer, done_at__isnull=True, cancelled_at__isnull=True, due_at__gte=now, owner_id=None
    ).exists()
    facts = r.Facts(
        customer_id=customer.pk,
        status_key=status.key,
        status_kind=status.kind,
        owner_id=customer.owner_id,
        hold_anchor_at=max(customer.status_entered_at, owner_since),
        projects=list(known.projects),
        appointment_at=None,
        uncalled_digital_lead_at=uncalled,
        care=r.Care(**t),
        kept_until=None,
        kept_at=None,
        open_candidate=False,
        warned=frozenset(),
    )
    return facts, t

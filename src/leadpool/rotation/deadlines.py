"""Keeping each customer's next deadline stored and indexed, recomputed whenever something that matters happens."""

from datetime import datetime

from django.utils import timezone

from leadpool.customers.models import Customer

from . import config, distribution, facts, gaming
from . import rules as r
from .models import Candidate, Clock


def refresh(
    customer: Customer, *, rules: r.Rules | None = None, cal=None, now: datetime | None = None, store_row: bool = True
) -> r.Deadline:
    """Recompute and store the customer's clock and next deadline. Safe to call any number of times.

    `store_row=False`: the deadline is set on `customer` only; the caller saves the row (once, with its own changes).
    """
    now = now or timezone.now()
    rules = rules or config.current_rules()
    cal = cal or config.calendar()
    brand_new = facts.is_brand_new(customer)
    if not brand_new:
        _void_stale_candidate(customer)
    f, t = facts.gather(customer, rules, now)
    deadline = r.next_deadline(f, rules, cal)
    clock = dict(
        hold_anchor_at=f.hold_anchor_at if f.owner_id else None,
        hold_ends_at=r.hold_end(f, rules, cal),
        first_call_due_at=r.first_call_due(f, rules, cal),
        appointment_at=f.appointment_at,
        rule_version=rules.version,
        **t,
    )
    if brand_new:  # nothing has refreshed it before: it has no clock yet
        Clock.objects.create(customer_id=customer.pk, **clock)
    else:
        Clock.objects.update_or_create(customer_id=customer.pk, defaults=clock)
    if store_row:
        Customer.objects.filter(pk=customer.pk).update(next_deadline_at=deadline.at, next_deadline_kind=deadline.kind)
    customer.next_deadline_at, customer.next_deadline_kind = deadline.at, deadline.kind
    return deadline


def _void_stale_candidate(customer: Customer) -> None:
    """A candidate whose customer changed owner, or moved status, since it was listed is no longer one."""
    open_row = Candidate.objects.filter(customer=customer, state=Candidate.State.OPEN).first()
    if open_row is None:
        return
    moved = customer.owner_id != open_row.owner_id or (customer.status_entered_at > open_row.listed_at)
    if moved:
        Candidate.objects.filter(pk=open_row.pk).update(state=Candidate.State.VOID, decided_at=timezone.now())


def on_customer_changed(customer, why: str, by=None, **details) -> None:
    if customer is None or customer.pk is None:
        return
    if why == "activity" and details.get("activity") is not None:
        gaming.check_activity(details["activity"], customer)
    elif why == "status" and details.get("change") is not None:
        gaming.check_status_change(details["change"], customer)
    if why != "assigned":
        # Activities, status changes and follow-ups feed the ranking's 30-day history; a new
        # assignment does not (it counts only after three days, and "received" is read fresh).
        distribution.history_changed()
    # The first owner of a customer created in this transaction: `ownership.assign` saves the row after us.
    refresh(customer, store_row=not (why == "assigned" and details.get("fresh")))

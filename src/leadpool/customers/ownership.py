"""The one door through which a customer changes owner: closes the old assignment, opens the new."""

from django.db import transaction
from django.utils import timezone

from leadpool import events
from leadpool.audit import log as audit
from leadpool.customers.models import Assignment, Customer


def assign(
    customer: Customer,
    *,
    to,
    team=None,
    reason: str,
    by=None,
    rule: str = "",
    note: str = "",
    explanation: dict | None = None,
    at=None,
    fresh: bool = False,
) -> Assignment:
    """Give `customer` to `to` (None parks it in the team's pool). Keeps every past owner on record.

    `fresh`: the customer was created in this transaction, so it has no assignment to close yet.
    """
    at = at or timezone.now()
    # No savepoint of its own: a failure here fails the caller's whole change, which is what every caller wants.
    with transaction.atomic(savepoint=False):
        previous = customer.owner
        if not fresh:
            Assignment.objects.filter(customer=customer, ended_at__isnull=True).update(ended_at=at, end_reason=reason)
        row = Assignment.objects.create(
            customer=customer,
            user=to,
            team=team or customer.team,
            started_at=at,
            reason=reason,
            rule=rule,
            note=note,
            decided_by=by,
            explanation=explanation or {},
        )
        customer.owner = to
        customer.owner_since = at if to is not None else None
        if team is not None:
            customer.team = team
        owner_fields = ["owner", "owner_since", "team", "updated_at"]
        if not fresh:
            customer.save(update_fields=owner_fields)
        if previous is not None and previous != to:
            # The new owner starts with fresh care expectations: what the previous owner had scheduled
            # is theirs no longer (kept on record as cancelled, not deleted).
            from leadpool.sales.models import FollowUp

            FollowUp.objects.filter(
                customer=customer, owner=previous, done_at__isnull=True, cancelled_at__isnull=True
            ).update(cancelled_at=at)
        audit.record(
            "customer.assigned",
            actor=by,
            target=customer,
            data={
                "from": previous.pk if previous else None,
                "to": to.pk if to else None,
                "reason": reason,
                "rule": rule,
                "note": note,
            },
        )
        events.customer_changed(customer, why="assigned", by=by, assignment=row, previous=previous, fresh=fresh)
        if fresh:
            # A customer created in this transaction is written once more, here, with its owner and the deadline
            # the listeners above worked out (they leave the row to us: see rotation.deadlines).
            customer.save(update_fields=[*owner_fields, "next_deadline_at", "next_deadline_kind"])
    return row


def previous_owner_ids(customer: Customer) -> set[int]:
    return set(
        Assignment.objects.filter(customer=customer, ended_at__isnull=False, user__isnull=False)
        .exclude(user_id=customer.owner_id)
        .values_list("user_id", flat=True)
    )

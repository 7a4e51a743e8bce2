"""Planning automatic steps when a care script starts, and stopping them when it stops (called by sales.care)."""

from django.db import transaction
from django.utils import timezone

from .models import Send


def plan(customer, script, steps, *, due_for) -> list[Send]:
    """One pending send per automatic step. A step already sent to this customer is never planned again;
    one cancelled before it went out is planned anew (the customer came back into the script)."""
    now = timezone.now()
    planned = []
    with transaction.atomic():
        existing = {s.step_id: s for s in Send.objects.select_for_update().filter(customer=customer, step__in=steps)}
        for step in steps:
            due = due_for(step)
            row = existing.get(step.pk)
            if row is None:
                planned.append(Send(
                    customer=customer, script=script, step=step, channel=step.kind, due_at=due, next_try_at=due,
                    created_at=now, updated_at=now,
                ))
            elif row.state == Send.State.CANCELLED:
                Send.objects.filter(pk=row.pk).update(
                    state=Send.State.PENDING, due_at=due, next_try_at=due, attempts=0, error="", updated_at=now
                )
        # ignore_conflicts: a second worker planning the same script at the same moment adds nothing.
        Send.objects.bulk_create(planned, ignore_conflicts=True)
    return planned


def cancel(customer, script, *, at=None) -> int:
    return Send.objects.filter(customer=customer, script=script, state=Send.State.PENDING).update(
        state=Send.State.CANCELLED, updated_at=at or timezone.now()
    )


def cancel_all(customer, *, at=None) -> int:
    return Send.objects.filter(customer=customer, state=Send.State.PENDING).update(
        state=Send.State.CANCELLED, updated_at=at or timezone.now()
    )

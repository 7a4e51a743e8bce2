"""Changing the rotation rule: every change is a new, audited version; clocks are recomputed after it."""

from django.db import transaction
from django.db.models import Max
from django.tasks import task

from leadpool.audit import log as audit
from leadpool.customers.models import Customer, Status

from .models import RuleSet

RECOMPUTE_CHUNK = 100  # small chunks: on SQLite each holds the single write lock


def save_version(data: dict, *, by, note: str = "") -> RuleSet:
    """Save `data` (RuleSet.RULE_FIELDS) as the next version and recompute every open customer's clock."""
    with transaction.atomic():
        previous = RuleSet.current()
        before = previous.as_dict() if previous else {}
        version = (RuleSet.objects.aggregate(v=Max("version"))["v"] or 0) + 1
        fields = {name: data.get(name, before.get(name)) for name in RuleSet.RULE_FIELDS}
        fields = {k: v for k, v in fields.items() if v is not None or k == "cooling_off_days"}
        row = RuleSet.objects.create(version=version, note=note[:300], created_by=by, **fields)
        changed = {k: {"from": before.get(k), "to": getattr(row, k)} for k in RuleSet.RULE_FIELDS if before.get(k) != getattr(row, k)}
        audit.record("rotation.rules_changed", actor=by, target=row, data={"version": version, "note": note, "changed": changed})
        transaction.on_commit(lambda: recompute_task.enqueue())
    return row


@task()
def recompute_task(after_id: int = 0) -> int:
    """Recompute the clocks of open, owned customers in chunks; each chunk re-enqueues the next."""
    from .deadlines import refresh

    open_ids = list(Status.objects.filter(kind=Status.Kind.OPEN).values_list("pk", flat=True))
    chunk = list(
        Customer.objects.live()
        .filter(pk__gt=after_id, status_id__in=open_ids, owner__isnull=False)
        .order_by("pk")[:RECOMPUTE_CHUNK]
    )
    for customer in chunk:
        refresh(customer)
    if len(chunk) == RECOMPUTE_CHUNK:
        recompute_task.enqueue(after_id=chunk[-1].pk)
    return len(chunk)

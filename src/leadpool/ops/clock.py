"""The periodic clock shared by every worker process: each due task is enqueued exactly once per interval.

Each periodic task has a row with its next due time. A process enqueues it only if its UPDATE moved
`next_run_at` forward from the value it read (compare-and-set), so two processes ticking at the same
moment, on one machine or several, never both enqueue it.
"""

import logging
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from leadpool.worker import PERIODIC, load_task

from .models import PeriodicSchedule

logger = logging.getLogger("leadpool.worker")


def _ensure_rows(now) -> None:
    known = set(PeriodicSchedule.objects.values_list("name", flat=True))
    for name, (every, _path) in PERIODIC.items():
        if name in known:
            continue
        try:
            with transaction.atomic():
                PeriodicSchedule.objects.create(name=name, every_seconds=every, next_run_at=now)
        except IntegrityError:  # another process created it first
            pass


def tick(*, now=None, worker_id: str = "") -> list[str]:
    """Enqueue every periodic task that is due and that no other process claimed first."""
    now = now or timezone.now()
    _ensure_rows(now)
    fired = []
    for row in PeriodicSchedule.objects.filter(name__in=list(PERIODIC), next_run_at__lte=now):
        every, path = PERIODIC[row.name]
        claimed = PeriodicSchedule.objects.filter(pk=row.pk, next_run_at=row.next_run_at).update(
            next_run_at=now + timedelta(seconds=every),
            every_seconds=every,
            last_enqueued_at=now,
            last_enqueued_by=worker_id[:120],
        )
        if not claimed:
            continue
        try:
            load_task(path).enqueue()
            fired.append(row.name)
        except Exception:  # a broken task must not stop the others
            logger.exception("could not enqueue periodic task %s", row.name)
    return fired

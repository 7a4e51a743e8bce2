"""Care scripts (kịch bản chăm sóc): a script's steps become follow-ups due on their days; leaving stops them."""

from datetime import datetime, time, timedelta

from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils import timezone

from leadpool.local_copy import LocalCopy

from .models import CareScript, FollowUp

STEP_HOUR = 9  # a step due on a later day is due at the start of that working morning


def step_due(start: datetime, day_offset: int, hour: int = STEP_HOUR) -> datetime:
    """When a step `day_offset` days after `start` is due: at once for day 0, otherwise that day at `hour` local."""
    if day_offset <= 0:
        return start
    local = timezone.localtime(start)
    return datetime.combine(local.date() + timedelta(days=day_offset), time(hour), local.tzinfo)


def _open_steps(customer, script: CareScript):
    return FollowUp.objects.filter(
        customer=customer, script_step__startswith=script.key_prefix, done_at__isnull=True, cancelled_at__isnull=True
    )


def start(customer, script: CareScript, *, at=None, by=None) -> list[FollowUp]:
    """Schedule every step of `script`: automatic e-mail/SMS/ZNS steps for the nurture sender, the others as
    follow-ups for the customer's owner. A script already running is not doubled."""
    at = at or timezone.now()
    steps = list(script.steps.all())
    automatic = [step for step in steps if step.is_automatic]
    if automatic:
        from leadpool.nurture import schedule

        schedule.plan(customer, script, automatic, due_for=lambda step: step_due(at, step.day_offset))
    if _open_steps(customer, script).exists():
        return []
    rows = [
        FollowUp(
            customer=customer,
            owner=customer.owner,
            kind=step.kind,
            due_at=step_due(at, step.day_offset),
            note=(step.note or script.name)[:300],
            created_by=by,
            created_at=at,
            script_step=script.step_key(step),
        )
        for step in steps
        if not step.is_automatic
    ]
    return FollowUp.objects.bulk_create(rows)


def stop(customer, script: CareScript, *, at=None) -> int:
    from leadpool.nurture import schedule

    schedule.cancel(customer, script, at=at)
    return _open_steps(customer, script).update(cancelled_at=at or timezone.now())


def status_entered(customer, *, left, entered, at=None, by=None) -> None:
    """Stop the scripts of the status left (unless the new one has them too), start those of the new one."""
    at = at or timezone.now()
    if left is not None:
        for script in CareScript.objects.filter(active=True, statuses=left).exclude(statuses=entered):
            stop(customer, script, at=at)
    for script in CareScript.objects.filter(active=True, statuses=entered).prefetch_related("steps"):
        start(customer, script, at=at, by=by)


def _load_scripted_projects() -> frozenset[int]:
    return frozenset(CareScript.objects.filter(active=True).values_list("projects", flat=True).exclude(projects=None))


# Every captured lead with a project joins it; few projects have a script. Which do is kept per process.
_scripted_projects = LocalCopy("sales:scripted-projects", _load_scripted_projects)
post_save.connect(_scripted_projects.changed, sender=CareScript, dispatch_uid="sales_care_script_saved")
post_delete.connect(_scripted_projects.changed, sender=CareScript, dispatch_uid="sales_care_script_deleted")
m2m_changed.connect(_scripted_projects.changed, sender=CareScript.projects.through, dispatch_uid="sales_care_projects")


def projects_joined(customer, project_ids, *, at=None) -> None:
    if not _scripted_projects.get().intersection(project_ids):
        return
    scripts = CareScript.objects.filter(active=True, projects__in=list(project_ids)).distinct().prefetch_related("steps")
    for script in scripts:
        start(customer, script, at=at)

"""Background work of reports: keeping the summary tables fresh (idempotent; running twice changes nothing)."""

from django.tasks import task

from . import summaries


@task
def refresh_summaries() -> dict:
    result = summaries.refresh()
    return result.__dict__


@task
def rebuild_summaries() -> dict:
    result = summaries.rebuild()
    return result.__dict__

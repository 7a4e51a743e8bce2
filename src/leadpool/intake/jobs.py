"""Import jobs run in the background: the file is read by a task while the page polls its progress."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.tasks import task
from django.utils import timezone

from .imports import Importer, Outcome, as_json
from .models import ImportJob


def report_path(job: ImportJob) -> Path:
    folder = Path(settings.STORAGES["default"]["OPTIONS"]["location"]) / "imports" / "reports"
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"job-{job.pk}-invalid.csv"


def start(job: ImportJob, *, dry_run: bool) -> None:
    job.dry_run = dry_run
    job.state = ImportJob.State.QUEUED
    job.rows = job.new_customers = job.merged = job.invalid = job.read_bytes = 0
    job.invalid_sample = []
    job.reasons = {}
    job.error = ""
    job.save()
    pk = job.pk
    transaction.on_commit(lambda: run_import.enqueue(pk))


def _progress(job_id: int):
    def report(outcome: Outcome, position: int) -> None:
        ImportJob.objects.filter(pk=job_id).update(
            read_bytes=position, rows=outcome.rows, new_customers=outcome.new, merged=outcome.merged,
            invalid=outcome.invalid,
        )

    return report


@task()
def run_import(job_id: int) -> str:
    job = ImportJob.objects.select_related("source", "project", "created_by").get(pk=job_id)
    if job.state not in (ImportJob.State.QUEUED, ImportJob.State.UPLOADED):
        return job.state  # already ran: running a task twice changes nothing
    job.state = ImportJob.State.RUNNING
    job.started_at = timezone.now()
    job.total_bytes = job.file.size
    job.save(update_fields=["state", "started_at", "total_bytes"])
    importer = Importer(
        source=job.source, project=job.project, mapping=job.mapping or None, dry_run=job.dry_run,
        by=job.created_by, on_progress=_progress(job.pk), invalid_report=report_path(job), label=job.original_name,
    )
    try:
        outcome = importer.run(job.file.path)
    except Exception as exc:
        ImportJob.objects.filter(pk=job.pk).update(state=ImportJob.State.FAILED, error=str(exc)[:2000], finished_at=timezone.now())
        raise
    details = as_json(outcome)
    ImportJob.objects.filter(pk=job.pk).update(
        state=ImportJob.State.DONE, finished_at=timezone.now(), rows=outcome.rows, new_customers=outcome.new,
        merged=outcome.merged, invalid=outcome.invalid, reasons=details["reasons"], invalid_sample=details["sample"],
        read_bytes=job.total_bytes,
    )
    if not job.dry_run and outcome.new_customer_ids:
        scan_duplicates.enqueue(list(outcome.new_customer_ids))
    return outcome.line


@task()
def scan_duplicates(customer_ids: list[int]) -> int:
    from leadpool.customers import matching

    return matching.scan(customer_ids)

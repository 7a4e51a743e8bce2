"""What the background workers share through the database: their heartbeats and the periodic schedule."""

from django.db import models
from django.utils import timezone


class WorkerBeat(models.Model):
    """One running worker process; `beat_at` moves every few seconds while it lives."""

    worker_id = models.CharField(max_length=120, unique=True)
    hostname = models.CharField(max_length=200, blank=True)
    pid = models.PositiveIntegerField(default=0)
    backend = models.CharField(max_length=200, blank=True)
    started_at = models.DateTimeField(default=timezone.now)
    beat_at = models.DateTimeField(default=timezone.now, db_index=True)
    tasks_run = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-beat_at"]

    def __str__(self) -> str:
        return f"{self.worker_id} @ {self.beat_at:%H:%M:%S}"


class PeriodicSchedule(models.Model):
    """When a periodic task is next due. Moved forward with a compare-and-set, so one process enqueues it."""

    name = models.CharField(max_length=120, unique=True)
    every_seconds = models.PositiveIntegerField()
    next_run_at = models.DateTimeField(db_index=True)
    last_enqueued_at = models.DateTimeField(null=True, blank=True)
    last_enqueued_by = models.CharField(max_length=120, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} next {self.next_run_at:%Y-%m-%d %H:%M:%S}"

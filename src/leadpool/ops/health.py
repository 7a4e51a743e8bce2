"""GET /health: is the database answering, is a worker alive, how long is the queue. JSON for monitors."""

from datetime import timedelta

from django.db import connection
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from . import runner
from .models import WorkerBeat

# A worker beats every 5 s; three missed beats and it is considered gone.
STALE_AFTER = timedelta(seconds=30)


def queue_depth() -> dict:
    """Tasks waiting to run, and how long the oldest has waited (database backend)."""
    if runner.uses_redis():
        from django_tasks_redis import executor

        return {"ready": executor.get_pending_task_count(), "oldest_wait_seconds": None}
    from django_tasks_db.models import DBTaskResult

    ready = DBTaskResult.objects.ready()
    oldest = ready.order_by("enqueued_at").values_list("enqueued_at", flat=True).first()
    age = (timezone.now() - oldest).total_seconds() if oldest else 0
    return {"ready": ready.count(), "oldest_wait_seconds": round(age, 1)}


def report() -> tuple[dict, int]:
    now = timezone.now()
    body: dict = {"status": "ok", "time": now.isoformat()}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        body["database"] = {"ok": True, "vendor": connection.vendor}
    except Exception as exc:  # the whole point is to say so, not to crash
        body["database"] = {"ok": False, "error": exc.__class__.__name__}
        body["status"] = "down"
        return body, 503
    last = WorkerBeat.objects.order_by("-beat_at").first()
    alive = WorkerBeat.objects.filter(beat_at__gte=now - STALE_AFTER).count()
    body["worker"] = {
        "ok": alive > 0,
        "alive": alive,
        "last_beat_at": last.beat_at.isoformat() if last else None,
        "last_beat_age_seconds": round((now - last.beat_at).total_seconds(), 1) if last else None,
    }
    try:
        body["queue"] = {"ok": True, **queue_depth()}
    except Exception as exc:
        body["queue"] = {"ok": False, "error": exc.__class__.__name__}
    if not body["worker"]["ok"] or not body["queue"]["ok"]:
        body["status"] = "degraded"
    return body, 200


@require_GET
@never_cache
def health(request):
    body, status = report()
    return JsonResponse(body, status=status)

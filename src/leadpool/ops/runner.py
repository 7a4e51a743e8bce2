"""The pieces a worker process runs besides the task loop: heartbeats and the shared clock."""

import logging
import os
import socket
import threading

from django.conf import settings
from django.db import close_old_connections, connection
from django.utils import timezone

from . import clock
from .models import WorkerBeat

logger = logging.getLogger("leadpool.worker")


def default_worker_id() -> str:
    return f"{socket.gethostname()}-{os.getpid()}"[:120]


def task_backend_path() -> str:
    return settings.TASKS["default"]["BACKEND"]


def uses_redis() -> bool:
    return "redis" in task_backend_path().lower()


def beat(worker_id: str, *, tasks_run: int = 0) -> None:
    now = timezone.now()
    WorkerBeat.objects.update_or_create(
        worker_id=worker_id,
        defaults={
            "hostname": socket.gethostname()[:200], "pid": os.getpid(), "backend": task_backend_path()[:200],
            "beat_at": now, "tasks_run": tasks_run,
        },
        create_defaults={
            "hostname": socket.gethostname()[:200], "pid": os.getpid(), "backend": task_backend_path()[:200],
            "beat_at": now, "started_at": now, "tasks_run": tasks_run,
        },
    )


def side_loop(stop: threading.Event, worker_id: str, *, run_clock: bool = True, every: float = 5.0,
              tasks_run=lambda: 0) -> None:
    """Beat and tick until stopped; a failure is logged and retried on the next round."""
    try:
        while True:
            close_old_connections()
            try:
                beat(worker_id, tasks_run=tasks_run())
                if run_clock:
                    clock.tick(worker_id=worker_id)
            except Exception:
                logger.exception("worker heartbeat or clock failed")
            if stop.wait(every):
                break
    finally:
        connection.close()


def start_side_thread(worker_id: str, *, run_clock: bool = True, every: float = 5.0, tasks_run=lambda: 0):
    stop = threading.Event()
    thread = threading.Thread(
        target=side_loop, args=(stop, worker_id), kwargs={"run_clock": run_clock, "every": every, "tasks_run": tasks_run},
        name="leadpool-beat", daemon=True,
    )
    thread.start()
    return stop, thread

"""Running background work: the django-tasks-db worker loop plus a clock that enqueues periodic tasks.

Embedded mode (the default `leadpool demo`) runs both in daemon threads of the web process;
production runs `leadpool worker` processes instead.
"""

import logging
import threading
import time

from django.utils import timezone

logger = logging.getLogger("leadpool.worker")

# name -> (every N seconds, dotted path of a django.tasks Task). Parts of the product add their own.
PERIODIC: dict[str, tuple[int, str]] = {}


def periodic(name: str, every_seconds: int, task_path: str) -> None:
    PERIODIC[name] = (every_seconds, task_path)


def _load(path: str):
    module, _, attr = path.rpartition(".")
    return getattr(__import__(module, fromlist=[attr]), attr)


class Clock:
    """Enqueues each periodic task when its interval has passed. Tasks are idempotent, so an extra run is harmless."""

    def __init__(self):
        self.last: dict[str, float] = {}

    def tick(self, now: float | None = None) -> list[str]:
        now = time.monotonic() if now is None else now
        fired = []
        for name, (every, path) in list(PERIODIC.items()):
            if now - self.last.get(name, -1e18) >= every:
                self.last[name] = now
                try:
                    _load(path).enqueue()
                    fired.append(name)
                except Exception:  # a broken task must not stop the others
                    logger.exception("could not enqueue periodic task %s", name)
        return fired


def _worker_loop(stop: threading.Event, interval: float) -> None:
    from django_tasks_db.management.commands.db_worker import Worker

    worker = Worker(
        queue_names=["*"], interval=interval, batch=False, backend_name="default", startup_delay=False,
        max_tasks=None, worker_id=f"embedded-{timezone.now():%H%M%S}", excluded_queue_names=[],
    )
    while not stop.is_set():
        try:
            worker.run()
        except Exception:
            logger.exception("embedded worker crashed; restarting in 2 s")
            time.sleep(2)


def _clock_loop(stop: threading.Event) -> None:
    # The shared clock (one schedule row per task) so the embedded worker and any `leadpool worker`
    # processes never enqueue the same periodic task twice; it also beats for /health.
    from leadpool.ops.runner import default_worker_id, side_loop

    side_loop(stop, "embedded-" + default_worker_id())


def start_embedded(interval: float = 1.0) -> threading.Event:
    stop = threading.Event()
    threading.Thread(target=_worker_loop, args=(stop, interval), name="leadpool-worker", daemon=True).start()
    threading.Thread(target=_clock_loop, args=(stop,), name="leadpool-clock", daemon=True).start()
    return stop

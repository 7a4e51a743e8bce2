"""The periodic-task registry, and the embedded worker that `leadpool demo` runs in its own process.

Parts of the product register their periodic tasks with `periodic()`; the shared clock in `ops.clock`
enqueues them. Production runs `leadpool worker` processes (ops/) instead of the embedded threads.
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


def enqueue_on_commit(task, *args) -> None:
    """Queue `task` so that it runs only once the current transaction has committed.

    With the database task backend the task's row is written inside the transaction: one commit for both, and
    no worker can see the task before the data it reads. Other backends (Redis) are queued on commit.
    """
    from django.db import connection, transaction
    from django_tasks_db.backend import DatabaseBackend

    if connection.in_atomic_block and isinstance(task.get_backend(), DatabaseBackend):
        task.enqueue(*args)
    else:
        transaction.on_commit(lambda: task.enqueue(*args))


def load_task(path: str):
    """The django.tasks Task a periodic entry names by its dotted path."""
    module, _, attr = path.rpartition(".")
    return getattr(__import__(module, fromlist=[attr]), attr)


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

"""`leadpool worker`: run background tasks (database or Redis backend) plus the shared periodic clock.

Start as many as you like, on as many machines as you like: the database backend claims each task with
SELECT … FOR UPDATE SKIP LOCKED, the Redis backend through a consumer group, and the clock through a
compare-and-set on its schedule rows, so nothing runs twice.
"""

import os

from django.core.management.base import BaseCommand
from django.db import connection

from leadpool.ops import runner


def default_nice(vendor: str) -> int:
    """How much CPU priority a worker gives up by default.

    On SQLite a task holds the database's one write lock, and a lock holder that gives way for the CPU can keep
    the requests waiting on that lock longer (the benchmarks measured no difference either way: there the lock
    itself decides). PostgreSQL locks rows, so there the worker gives way.
    """
    return 10 if vendor == "postgresql" else 0


class Command(BaseCommand):
    help = "Run background tasks and the periodic clock until stopped (SIGTERM finishes the current task)."

    def add_arguments(self, parser):
        parser.add_argument("--queue", action="append", dest="queues", default=None, help="queue name (repeatable; default all)")
        parser.add_argument("--interval", type=float, default=1.0, help="seconds to wait when the queue is empty")
        parser.add_argument("--max-tasks", type=int, default=None, help="exit after running this many tasks")
        parser.add_argument("--batch", action="store_true", help="exit once the queue is empty")
        parser.add_argument("--no-clock", action="store_true", help="do not enqueue periodic tasks from this process")
        parser.add_argument("--worker-id", default=None)
        parser.add_argument("--beat-seconds", type=float, default=5.0)
        parser.add_argument(
            "--nice", type=int, default=None,
            help="CPU priority given up to the web processes on the same machine (0 keeps it; default 10 on "
                 "PostgreSQL, 0 on SQLite)",
        )

    def handle(self, *args, queues, interval, max_tasks, batch, no_clock, worker_id, beat_seconds, nice, **opts):
        if nice is None:
            nice = default_nice(connection.vendor)
        if nice > 0:
            # A burst of leads is answered first and processed after: a web request never waits behind the
            # worker's catching up for the CPU (the worker's share shrinks only while both want it).
            os.nice(nice)
        worker_id = worker_id or runner.default_worker_id()
        counter = {"n": 0}
        stop, thread = runner.start_side_thread(
            worker_id, run_clock=not no_clock, every=beat_seconds, tasks_run=lambda: counter["n"]
        )
        self.stdout.write(f"Worker {worker_id} on {runner.task_backend_path()} (clock {'off' if no_clock else 'on'}).")
        try:
            if runner.uses_redis():
                self._run_redis(queues, interval, max_tasks, batch, worker_id, counter)
            else:
                self._run_database(queues, interval, max_tasks, batch, worker_id, counter)
        finally:
            stop.set()
            thread.join(timeout=10)
            runner.beat(worker_id, tasks_run=counter["n"])
        self.stdout.write(f"Worker {worker_id} stopped after {counter['n']} task(s).")

    def _run_database(self, queues, interval, max_tasks, batch, worker_id, counter):
        from django_tasks_db.management.commands.db_worker import Worker

        class CountingWorker(Worker):
            def run_task(self, db_task_result):
                try:
                    return super().run_task(db_task_result)
                finally:
                    counter["n"] += 1

        worker = CountingWorker(
            queue_names=queues or ["*"], interval=interval, batch=batch, backend_name="default",
            startup_delay=not batch, max_tasks=max_tasks, worker_id=worker_id, excluded_queue_names=[],
        )
        worker.configure_signals()
        worker.run()

    def _run_redis(self, queues, interval, max_tasks, batch, worker_id, counter):
        # django-tasks-redis's own loop: consumer groups, stale-message reclaim, graceful SIGTERM.
        from django.core.management import call_command
        from django_tasks_redis.management.commands.run_redis_tasks import Command as RedisWorker

        options = {"continuous": not batch, "interval": interval, "stdout": self.stdout}
        if queues and len(queues) == 1 and queues[0] != "*":
            options["queue_name"] = queues[0]
        if max_tasks:
            options["max_tasks"] = max_tasks
        call_command(RedisWorker(), **options)

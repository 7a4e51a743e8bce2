"""Background work: the shared clock, `leadpool worker` on the database and on Redis, /health, several workers."""

import os
import subprocess
import sys
import time
import uuid
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from leadpool import worker as periodic_registry
from leadpool.ops import clock
from leadpool.ops.models import PeriodicSchedule, WorkerBeat

from .probe_tasks import probe

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def only_probe_periodic(monkeypatch):
    monkeypatch.setattr(periodic_registry, "PERIODIC", {"probe": (60, "leadpool.customers.privacy.retention_sweep")})
    monkeypatch.setattr(clock, "PERIODIC", periodic_registry.PERIODIC)


def test_clock_enqueues_a_due_task_once_across_processes(db, only_probe_periodic):
    from django_tasks_db.models import DBTaskResult

    now = timezone.now()
    assert clock.tick(now=now, worker_id="a") == ["probe"]
    # A second process ticking at the same moment (or a bit later) finds it already claimed.
    assert clock.tick(now=now, worker_id="b") == []
    assert clock.tick(now=now + timedelta(seconds=59), worker_id="b") == []
    assert DBTaskResult.objects.count() == 1
    assert clock.tick(now=now + timedelta(seconds=60), worker_id="b") == ["probe"]
    row = PeriodicSchedule.objects.get(name="probe")
    assert row.last_enqueued_by == "b" and row.next_run_at == now + timedelta(seconds=120)


def test_clock_compare_and_set_loses_to_a_faster_process(db, only_probe_periodic):
    now = timezone.now()
    clock.tick(now=now, worker_id="a")
    stale = PeriodicSchedule.objects.get(name="probe")
    # Process b read the row, then a claimed it again before b's UPDATE ran.
    PeriodicSchedule.objects.filter(pk=stale.pk).update(next_run_at=now + timedelta(seconds=300))
    claimed = PeriodicSchedule.objects.filter(pk=stale.pk, next_run_at=stale.next_run_at).update(next_run_at=now)
    assert claimed == 0


def test_health_reports_database_worker_and_queue(db, client):
    body = client.get("/health").json()
    assert body["database"]["ok"] and body["worker"]["ok"] is False and body["status"] == "degraded"
    probe.enqueue(1, "/dev/null")
    WorkerBeat.objects.create(worker_id="w1", beat_at=timezone.now())
    response = client.get("/health")
    body = response.json()
    assert response.status_code == 200 and body["status"] == "ok"
    assert body["worker"]["alive"] == 1 and body["queue"]["ready"] == 1
    WorkerBeat.objects.filter(worker_id="w1").update(beat_at=timezone.now() - timedelta(minutes=5))
    assert client.get("/health").json()["worker"]["ok"] is False


@pytest.fixture
def beat_in_main_thread(monkeypatch):
    """SQLite's shared in-memory test database refuses writes from a second thread ("table is locked")."""
    import threading

    from leadpool.ops import runner

    if connection.vendor != "sqlite":
        return

    def start(worker_id, *, run_clock=True, every=5.0, tasks_run=lambda: 0):
        runner.beat(worker_id, tasks_run=tasks_run())
        idle = threading.Thread(target=lambda: None)
        idle.start()
        return threading.Event(), idle

    monkeypatch.setattr(runner, "start_side_thread", start)


def test_worker_command_runs_queued_tasks_and_beats(transactional_db, tmp_path, beat_in_main_thread):
    out = tmp_path / "runs.txt"
    for n in range(5):
        probe.enqueue(n, str(out))
    call_command("worker", batch=True, no_clock=True, interval=0, worker_id="cmd-test", nice=0, stdout=open(os.devnull, "w"))
    assert sorted(int(line.split()[0]) for line in out.read_text().splitlines()) == [0, 1, 2, 3, 4]
    beat = WorkerBeat.objects.get(worker_id="cmd-test")
    assert beat.tasks_run == 5 and beat.pid == os.getpid()


def test_a_worker_gives_way_for_the_cpu_on_postgresql_only():
    from leadpool.ops.management.commands.worker import default_nice

    assert default_nice("postgresql") == 10
    assert default_nice("sqlite") == 0  # it would hold SQLite's one write lock while waiting for the CPU


@pytest.fixture
def redis_tasks(settings):
    """Tasks on the real Redis at 127.0.0.1:6379, under a prefix of this test's own."""
    import redis
    from asgiref.local import Local
    from django.tasks import task_backends

    url = "redis://127.0.0.1:6379/15"
    client = redis.Redis.from_url(url)
    client.ping()
    prefix = f"leadpool_test_{uuid.uuid4().hex[:8]}"
    settings.TASKS = {
        "default": {
            "BACKEND": "django_tasks_redis.RedisTaskBackend",
            "QUEUES": ["default"],
            "OPTIONS": {"REDIS_URL": url, "REDIS_KEY_PREFIX": prefix, "REDIS_BLOCK_TIMEOUT": 100},
        }
    }

    def reset():
        task_backends.__dict__.pop("settings", None)
        task_backends._connections = Local(task_backends.thread_critical)

    reset()
    yield
    for key in client.scan_iter(f"{prefix}*"):
        client.delete(key)
    settings.TASKS = settings.TASKS  # restored by the settings fixture afterwards
    reset()


def test_worker_runs_tasks_from_redis(transactional_db, redis_tasks, tmp_path, client, beat_in_main_thread):
    from leadpool.ops import runner

    assert runner.uses_redis()
    out = tmp_path / "runs.txt"
    results = [probe.enqueue(n, str(out)) for n in range(3)]
    assert client.get("/health").json()["queue"]["ready"] == 3
    call_command("worker", batch=True, no_clock=True, interval=0.1, worker_id="redis-test", nice=0,
                 stdout=open(os.devnull, "w"))
    assert sorted(int(line.split()[0]) for line in out.read_text().splitlines()) == [0, 1, 2]
    for result in results:
        result.refresh()
        assert result.status == "SUCCESSFUL"


def _postgres() -> bool:
    from django.conf import settings

    return settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"


@pytest.mark.skipif(not _postgres(), reason="several worker processes need a shared PostgreSQL database")
def test_two_worker_processes_run_1000_tasks_once_each(transactional_db, tmp_path):
    from django_tasks_db.models import DBTaskResult

    out = tmp_path / "runs.txt"
    out.touch()
    for n in range(1000):
        probe.enqueue(n, str(out))
    db = connection.settings_dict
    url = f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    env = {**os.environ, "DATABASE_URL": url, "PYTHONPATH": str(REPO)}
    env.pop("TEST_DATABASE_NAME", None)
    logs = [tmp_path / f"worker-{i}.log" for i in range(2)]
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "leadpool.cli", "worker", "--batch", "--no-clock", "--interval", "0",
             "--worker-id", f"pg-{i}"],
            cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=log.open("w"),
        )
        for i, log in enumerate(logs)
    ]
    deadline = time.monotonic() + 240
    try:
        for proc, log in zip(procs, logs, strict=True):
            proc.wait(timeout=max(1, deadline - time.monotonic()))
            assert proc.returncode == 0, log.read_text()[-2000:]
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    runs = [line.split() for line in out.read_text().splitlines()]
    counts = Counter(int(n) for n, _pid, _nice in runs)
    assert len(runs) == 1000, f"{len(runs)} runs"
    assert set(counts) == set(range(1000)) and max(counts.values()) == 1
    assert len({pid for _n, pid, _nice in runs}) == 2  # both processes took a share
    # Background work gives the CPU to web requests first: `leadpool worker` lowers its own priority.
    assert {int(nice) for _n, _pid, nice in runs} == {min(19, os.nice(0) + 10)}
    assert DBTaskResult.objects.filter(status="SUCCESSFUL").count() == 1000
    assert all(len(ids) == 1 for ids in DBTaskResult.objects.values_list("worker_ids", flat=True))

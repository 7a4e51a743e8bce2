"""A child process for the intake benchmarks: import one file and report time, CPU and peak memory as JSON.

The CPU seconds of this process and of its PostgreSQL backends are reported beside the wall time: on a
shared machine the wall time says how busy the others were, the CPU time what the import itself costs.
The import writes on a connection of its own besides the one it looks up on, so every client backend of
the bench database is followed while the import runs (one the import opens starts from zero).
"""

import json
import os
import resource
import sys
import threading
import time


def _cpu_of(pid: int) -> float | None:
    """CPU seconds used so far by a process of this machine, or None once it is gone."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class _Backends(threading.Thread):
    """Samples the CPU of every client backend of the bench database until stop(); sum() is their use.

    Autovacuum workers are left out, as the single-connection figure before them left them out."""

    def __init__(self, settings: dict):
        super().__init__(daemon=True)
        self.settings = settings
        self.first: dict[int, float] = {}
        self.last: dict[int, float] = {}
        self.done = threading.Event()
        self.ready = threading.Event()

    def run(self) -> None:
        import psycopg

        s = self.settings
        with psycopg.connect(host=s["HOST"] or None, port=s["PORT"] or None, user=s["USER"], dbname=s["NAME"],
                             password=s["PASSWORD"] or None, autocommit=True) as conn:
            me = conn.info.backend_pid
            while True:
                pids = [r[0] for r in conn.execute(
                    "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> %s"
                    " AND backend_type = 'client backend'", [me])]
                for pid in pids:
                    cpu = _cpu_of(pid)
                    if cpu is not None:
                        self.first.setdefault(pid, cpu if not self.ready.is_set() else 0.0)
                        self.last[pid] = cpu
                self.ready.set()
                if self.done.wait(0.1):
                    return

    def sum(self) -> float:
        self.done.set()
        self.join()
        return sum(self.last[pid] - self.first[pid] for pid in self.last)


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "leadpool.settings")
    import django

    django.setup()
    from django.db import connection

    from leadpool.customers.models import Source
    from leadpool.intake.imports import Importer

    path, source = sys.argv[1], sys.argv[2]
    source = Source.objects.get(key=source)
    backends = None
    if connection.vendor == "postgresql":
        backends = _Backends(connection.settings_dict)
        backends.start()
        backends.ready.wait()
    before = resource.getrusage(resource.RUSAGE_SELF)
    started = time.perf_counter()
    outcome = Importer(source=source, label=os.path.basename(path)).run(path)
    took = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_SELF)
    server_cpu = backends.sum() if backends is not None else None
    print(json.dumps({
        "line": outcome.line, "rows": outcome.rows, "seconds": took, "peak_mb": after.ru_maxrss / 1024,
        "cpu_s": after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime,
        "server_cpu_s": server_cpu,
        "load": os.getloadavg()[0],
    }))


if __name__ == "__main__":
    main()

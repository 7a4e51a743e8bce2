"""A child process for the intake benchmarks: import one file and report time, CPU and peak memory as JSON.

The CPU seconds of this process and of its PostgreSQL backend are reported beside the wall time: on a
shared machine the wall time says how busy the others were, the CPU time what the import itself costs.
"""

import json
import os
import resource
import sys
import time


def _backend_cpu(connection) -> float | None:
    """CPU seconds used so far by our PostgreSQL backend (same machine only), else None."""
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "leadpool.settings")
    import django

    django.setup()
    from django.db import connection

    from leadpool.customers.models import Source
    from leadpool.intake.imports import Importer

    path, source = sys.argv[1], sys.argv[2]
    source = Source.objects.get(key=source)
    server_before = _backend_cpu(connection)
    before = resource.getrusage(resource.RUSAGE_SELF)
    started = time.perf_counter()
    outcome = Importer(source=source, label=os.path.basename(path)).run(path)
    took = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_SELF)
    server_after = _backend_cpu(connection)
    print(json.dumps({
        "line": outcome.line, "rows": outcome.rows, "seconds": took, "peak_mb": after.ru_maxrss / 1024,
        "cpu_s": after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime,
        "server_cpu_s": None if server_before is None else server_after - server_before,
        "load": os.getloadavg()[0],
    }))


if __name__ == "__main__":
    main()

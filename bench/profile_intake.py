"""Per-request cost of the intake paths, in-process: queries and milliseconds of one API capture and one
webhook store (and of processing that stored item), free of the load other processes put on the machine.

    DATABASE_URL=... python bench/profile_intake.py [N] [--profile api|webhook|process]

Runs against the database DATABASE_URL names (migrated here; use a scratch one). With --profile, prints the
cProfile of N requests of that kind, sorted by cumulative time.
"""

from __future__ import annotations

import cProfile
import json
import os
import pstats
import re
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "src")]


def _setup():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "leadpool.settings")
    os.environ.setdefault("LEADPOOL_API_LEADS_PER_MINUTE", "10000000")
    os.environ.setdefault("LEADPOOL_RATE_LIMIT_SCALE", "100000")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def measure(count: int = 200, profile: str | None = None, world=None) -> dict:
    """Per request, for each path: wall and CPU ms (median, 90th percentile) and the number of queries.

    CPU ms is this process's own time (Python and, on SQLite, the database): it barely moves when other
    processes load the machine, unlike wall time. `world` is (token, channel config) from `_setup_world`.
    """
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from bench.bench_intake import _setup_world
    from leadpool.intake import process
    from leadpool.intake.models import InboxItem

    token, config = world or _setup_world()
    api = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    hook = Client()
    run = str(time.time_ns())[-9:]

    def body(kind, i):
        nsn = f"{3 if kind == 'api' else 7}{(i * 7919 + int(run)) % 100_000_000:08d}"
        if kind == "api":
            return {"name": f"Khách {i}", "phone": f"0{nsn}", "external_id": f"p-{run}-{i}"}
        return {"ho_ten": f"Khách {i}", "so_dien_thoai": f"0{nsn}", "id": f"p-{run}-{i}"}

    def one_api(i):
        response = api.post("/api/v1/leads", body("api", i), content_type="application/json")
        assert response.status_code == 201, response.content

    def one_hook(i):
        response = hook.post(f"/intake/hook/generic/{config.token}/", body("hook", i), content_type="application/json")
        assert response.status_code == 200, response.content

    pending = []

    def one_process(i):
        process.accept(pending[i])

    results = {}
    for name, fn in (("api", one_api), ("webhook", one_hook), ("process", one_process)):
        if name == "process":
            pending[:] = list(InboxItem.objects.filter(channel="generic", state="received").order_by("pk").values_list("pk", flat=True))
        n = min(count, len(pending)) if name == "process" else count
        fn(0) if name != "process" else None  # warm imports and caches
        start = 1 if name != "process" else 0
        times, cpu, queries = [], [], []
        profiler = cProfile.Profile(time.process_time) if profile == name else None
        spent: dict[str, float] = {}
        for i in range(start, n):
            with CaptureQueriesContext(connection) as ctx:
                began, began_cpu = time.perf_counter(), time.process_time()
                if profiler:
                    profiler.enable()
                fn(i)
                if profiler:
                    profiler.disable()
                times.append((time.perf_counter() - began) * 1000)
                cpu.append((time.process_time() - began_cpu) * 1000)
            queries.append(len(ctx.captured_queries))
            if profile == name:
                for q in ctx.captured_queries:
                    key = re.sub(r"\d+", "#", q["sql"])[:100]
                    spent[key] = spent.get(key, 0.0) + float(q["time"]) * 1000 / (n - start)
        if profiler:
            profiler.dump_stats(f"/tmp/profile_intake_{name}.pstats")
            pstats.Stats(profiler, stream=sys.stderr).sort_stats("cumulative").print_stats("leadpool", 60)
            print("ms per request, by statement:", file=sys.stderr)
            for key, ms in sorted(spent.items(), key=lambda kv: -kv[1]):
                print(f"{ms:7.2f}  {key}", file=sys.stderr)
        times.sort()
        cpu.sort()
        results[name] = {
            "ms_p50": round(statistics.median(times), 2),
            "ms_p90": round(times[int(0.9 * (len(times) - 1))], 2),
            "cpu_ms_p50": round(statistics.median(cpu), 2),
            "cpu_ms_p90": round(cpu[int(0.9 * (len(cpu) - 1))], 2),
            "queries_median": statistics.median(queries),
            "queries_max": max(queries),
            "n": len(times),
        }
    return results


if __name__ == "__main__":
    _setup()
    args = sys.argv[1:]
    which = None
    if "--profile" in args:
        at = args.index("--profile")
        which = args[at + 1]
        del args[at : at + 2]
    print(json.dumps(measure(int(args[0]) if args else 200, which), indent=1))

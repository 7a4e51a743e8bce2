"""A child process for the intake benchmarks: import one file and report time and peak memory as JSON."""

import json
import os
import resource
import sys
import time


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "leadpool.settings")
    import django

    django.setup()
    from leadpool.customers.models import Source
    from leadpool.intake.imports import Importer

    path, source = sys.argv[1], sys.argv[2]
    started = time.perf_counter()
    outcome = Importer(source=Source.objects.get(key=source), label=os.path.basename(path)).run(path)
    took = time.perf_counter() - started
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"line": outcome.line, "rows": outcome.rows, "seconds": took, "peak_mb": peak_kb / 1024}))


if __name__ == "__main__":
    main()

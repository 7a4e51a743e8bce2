"""A task whose only effect is a line in a file: lets tests count how often each task really ran."""

import os

from django.tasks import task


@task
def probe(n: int, path: str) -> int:
    # O_APPEND writes of one short line are atomic, so two processes never interleave lines.
    with open(path, "a", encoding="utf-8") as out:
        out.write(f"{n} {os.getpid()} {os.nice(0)}\n")
    return n

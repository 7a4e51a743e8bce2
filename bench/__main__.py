"""`python -m bench`: run every bench/bench_*.py on SQLite and PostgreSQL and write docs/benchmarks.md.

Each module runs in its own process against its own fresh database, so one benchmark's data never
skews another's figures.
"""

import argparse
import importlib
import json
import os
import platform
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "benchmarks.md"
PG_ADMIN_URL = os.environ.get("BENCH_PG_ADMIN_URL", "postgres://postgres@127.0.0.1:5432/postgres")


def modules(only: list[str] | None) -> list[str]:
    found = sorted(p.stem for p in (ROOT / "bench").glob("bench_*.py"))
    if only:
        found = [m for m in found if any(o in m for o in only)]
    return found


class Context:
    def __init__(self, quick: bool, vendor: str):
        self.quick = quick
        self.vendor = vendor

    def say(self, text: str) -> None:
        print(f"  [{self.vendor}] {text}", file=sys.stderr, flush=True)


def _fresh_database(vendor: str, name: str) -> str:
    if vendor == "sqlite":
        path = ROOT / "var" / "bench" / f"{name}.sqlite3"
        path.parent.mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-wal", "-shm"):
            Path(str(path) + suffix).unlink(missing_ok=True)
        return f"sqlite:///{path}"
    import psycopg

    with psycopg.connect(PG_ADMIN_URL.replace("postgres://", "postgresql://"), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    base = PG_ADMIN_URL.rsplit("/", 1)[0]
    return f"{base}/{name}"


def _drop_database(vendor: str, name: str) -> None:
    if vendor == "sqlite":
        path = ROOT / "var" / "bench" / f"{name}.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            Path(str(path) + suffix).unlink(missing_ok=True)
        return
    import psycopg

    with psycopg.connect(PG_ADMIN_URL.replace("postgres://", "postgresql://"), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def host_reference() -> float:
    """Seconds of CPU a fixed pure-Python workload takes here (best of five), written beside each run.

    The machine is shared: the same code measured twice the CPU in the evening as in the morning of one day,
    so a figure only compares with another taken at a similar reference.
    """
    best = float("inf")
    for _ in range(5):
        began = time.process_time()
        table: dict[str, int] = {}
        for i in range(200_000):
            key = f"k{i % 997}"
            table[key] = table.get(key, 0) + len(key) * i
        best = min(best, time.process_time() - began)
    return best


def run_child(module: str, vendor: str, quick: bool) -> list[dict]:
    """Runs one module in a child process (fresh Django, fresh database) and returns its rows.

    The database is named after this run's process, so two runs at once never drop each other's data,
    and it is dropped afterwards (the generated data sets reach several GB).
    """
    name = f"leadpool_bench_{module.removeprefix('bench_')}_{os.getpid()}"
    url = _fresh_database(vendor, name)
    try:
        return _run_child(module, vendor, quick, url)
    finally:
        _drop_database(vendor, name)


def _run_child(module: str, vendor: str, quick: bool, url: str) -> list[dict]:
    env = {**os.environ, "DATABASE_URL": url, "LEADPOOL_BENCH_CHILD": "1", "PYTHONPATH": str(ROOT)}
    out = ROOT / "var" / "bench" / f"{module}-{vendor}-{os.getpid()}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    cmd = [sys.executable, "-m", "bench", "--child", module, "--db", vendor, "--out", str(out)]
    if quick:
        cmd.append("--quick")
    started = time.monotonic()
    proc = subprocess.run(cmd, env=env, cwd=ROOT)
    took = time.monotonic() - started
    if proc.returncode != 0 or not out.exists():
        return [{"name": f"{module} failed (exit {proc.returncode})", "value": None, "unit": "", "target": "", "ok": False, "note": "see console"}]
    rows = json.loads(out.read_text())
    out.unlink()
    for row in rows:
        row.setdefault("note", "")
    print(f"{module} on {vendor}: {len(rows)} figures in {took:.0f} s", file=sys.stderr)
    return rows


def child(module: str, vendor: str, quick: bool, out: str) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "leadpool.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    mod = importlib.import_module(f"bench.{module}")
    rows = mod.run(Context(quick, vendor))
    Path(out).write_text(json.dumps(rows, default=str, ensure_ascii=False))


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = ""
    try:
        kb = int(next(line for line in Path("/proc/meminfo").read_text().splitlines() if line.startswith("MemTotal")).split()[1])
        mem = f", {kb / 1024 / 1024:.0f} GiB RAM"
    except (OSError, StopIteration):
        pass
    pg = ""
    try:
        import psycopg

        with psycopg.connect(PG_ADMIN_URL.replace("postgres://", "postgresql://")) as conn:
            pg = ", PostgreSQL " + conn.execute("SHOW server_version").fetchone()[0].split()[0]
    except Exception:
        pass
    import sqlite3

    return f"{os.cpu_count()} cores ({cpu}){mem}, Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}{pg}, {platform.system()} {platform.release()}"


def fmt(value) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:,.3f}" if abs(value) < 10 else f"{value:,.0f}" if abs(value) >= 1000 else f"{value:,.1f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def _sections(text: str) -> dict[str, str]:
    """The document's per-module sections, keyed by their heading."""
    sections, current, lines = {}, None, []
    for line in text.splitlines():
        if line.startswith("## "):
            if current:
                sections[current] = "\n".join(lines).rstrip() + "\n"
            current, lines = line[3:].strip(), [line]
        elif current:
            lines.append(line)
    if current:
        sections[current] = "\n".join(lines).rstrip() + "\n"
    return sections


def _other_vendors(section: str, ran: set[str]) -> tuple[list[str], str]:
    """A run on one database keeps the section's rows of the other one, and says when those were measured."""
    stamp = next((line[4:].split(" (")[0].rstrip(".") for line in section.splitlines() if line.startswith("Run ")), "")
    rows = [
        line for line in section.splitlines()
        if line.startswith("| ") and not line.startswith("| figure") and line.split("|")[2].strip() not in ran
    ]
    return rows, stamp


def write_doc(results: dict, quick: bool, only: list[str] | None, results_reference: dict | None = None) -> None:
    """Rewrite the sections of the modules that ran; keep the others as they were."""
    mode = "quick (`make bench-quick`)" if quick else "full (`make bench`)"
    stamp = f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {mode}"
    sections = _sections(DOC.read_text()) if DOC.exists() else {}
    results_reference = results_reference or {}
    for module, per_db in results.items():
        name = module.removeprefix("bench_")
        kept, kept_stamp = _other_vendors(sections.get(name, ""), set(per_db))
        reference = results_reference.get(module)
        run_line = f"Run {stamp}" + (f" ({', '.join(per_db)}); the other rows from the run of {kept_stamp}" if kept else "")
        if reference:
            began, ended = reference
            run_line += f". Host reference: {began * 1000:.0f} ms as it began, {ended * 1000:.0f} ms as it ended (see above)"
        lines = [f"## {name}", "", f"{run_line}.", "", "| figure | database | value | unit | target | meets | note |", "|---|---|---|---|---|---|---|"]
        lines += kept
        for vendor, rows in per_db.items():
            for row in rows:
                # "meets" only means something beside a target.
                ok = {True: "yes", False: "**no**"}.get(row.get("ok"), "—") if row.get("target") else "—"
                lines.append(
                    f"| {row['name']} | {vendor} | {fmt(row.get('value'))} | {row.get('unit', '')} | {row.get('target', '')} | {ok} | {row.get('note', '')} |"
                )
        sections[name] = "\n".join(lines) + "\n"
    head = [
        "# Benchmarks",
        "",
        "Written by `python -m bench` (`make bench` for the full sizes, `make bench-quick` for small ones).",
        "Each module runs in its own process against a fresh database; targets come from the issues.",
        "Each section says when and in which mode it last ran.",
        "",
        f"Machine: {machine()}.",
        "",
        "The machine is shared with others and its speed varies within a day: one API capture took 11 ms of CPU at",
        "04:42 UTC on 2026-12-04 and 19–29 ms that evening, the old and the new code alike when run by turns. Each",
        "run line gives the host reference, the CPU time of a fixed pure-Python workload (`host_reference` in",
        "bench/__main__.py) as the run began and as it ended (75–151 ms over that evening); compare figures only",
        "between runs at similar references. Runs before 2026-12-04 19:00 UTC have none.",
        "",
        "",
    ]
    DOC.parent.mkdir(parents=True, exist_ok=True)
    DOC.write_text("\n".join(head) + "\n".join(sections[k] + "\n" for k in sorted(sections)))
    print(f"wrote {DOC}", file=sys.stderr)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--full", action="store_true")
    parser.add_argument("--only", action="append")
    parser.add_argument("--db", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--child")
    parser.add_argument("--out")
    args = parser.parse_args()
    if args.child:
        child(args.child, args.db, args.quick, args.out)
        return
    vendors = ["sqlite", "postgresql"] if args.db == "both" else [args.db]
    results: dict = {}
    references: dict = {}
    for module in modules(args.only):
        began = host_reference()
        print(f"host reference: {began * 1000:.0f} ms", file=sys.stderr)
        for vendor in vendors:
            print(f"== {module} on {vendor}", file=sys.stderr)
            results.setdefault(module, {})[vendor] = run_child(module, vendor, args.quick)
        references[module] = (began, host_reference())
        print(f"host reference: {references[module][1] * 1000:.0f} ms", file=sys.stderr)
    write_doc(results, args.quick, args.only, references)


if __name__ == "__main__":
    main()

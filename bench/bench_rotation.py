"""Rotation benchmarks: the sweep over many open customers with some due, the what-if preview, ranking fairness.

Data is generated set-based (one INSERT … SELECT over generate_series on PostgreSQL, a recursive CTE on SQLite).
"""

import os
import time
from collections import Counter
from dataclasses import replace
from datetime import timedelta

FULL = (1_000_000, 10_000)
QUICK = (100_000, 1_000)
SALESPEOPLE = 50


def _series(vendor: str, n: int) -> str:
    if vendor == "postgresql":
        return f"(SELECT generate_series(1, {int(n)}) AS i) s"
    return f"(WITH RECURSIVE g(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM g WHERE i < {int(n)}) SELECT i FROM g) s"


def _plus_minutes(vendor: str, base: str, minutes_expr: str) -> str:
    if vendor == "postgresql":
        return f"({base}::timestamptz + ({minutes_expr}) * interval '1 minute')"
    # printf('%+d', …) writes the sign either way: '+' || -5 would give '+-5 minutes', which SQLite reads as NULL.
    return f"datetime({base}, printf('%%+d minutes', {minutes_expr}))"


def _customer_columns(fixed: dict[str, str]) -> tuple[list[str], list[str], list]:
    """Every NOT NULL column of the customer table: ours as SQL expressions, the rest from their defaults."""
    from django.db import connection

    from leadpool.customers.models import Customer

    columns, values, params = [], [], []
    for field in Customer._meta.concrete_fields:
        if field.primary_key:
            continue
        if field.column in fixed:
            columns.append(field.column)
            values.append(fixed[field.column])
        elif not field.null:
            default = field.get_default()
            columns.append(field.column)
            values.append("%s")
            params.append(field.get_db_prep_value(default, connection) if default is not None else "")
    return columns, values, params


def generate(ctx, total: int, due: int):
    """`total` open customers in care spread over 50 salespeople, `due` of them past their hold right now."""
    from django.db import connection, transaction
    from django.utils import timezone

    from leadpool.accounts.models import Membership, Role, Team, User
    from leadpool.customers.models import Project, Status
    from leadpool.rotation.config import current_rules
    from leadpool.rotation.models import Clock

    now = timezone.now()
    vendor = connection.vendor
    adapt = connection.ops.adapt_datetimefield_value
    with transaction.atomic():
        project = Project.objects.create(name="Bench Launch", code="bench-launch", phase="launch")
        leader = User.objects.create(username="bench_leader", role=Role.LEADER)
        team = Team.objects.create(name="Bench team", leader=leader)
        team.projects.add(project)
        users = User.objects.bulk_create([User(username=f"bench_sale{i}", role=Role.SALES) for i in range(SALESPEOPLE)])
        Membership.objects.bulk_create([Membership(team=team, user=u) for u in users])
    first_user = min(u.pk for u in users)
    in_care = Status.objects.get(key="in_care").pk
    version = current_rules().version
    ctx.say(f"generating {total:,} customers ({due:,} due)…")
    started = time.monotonic()
    past = adapt(now - timedelta(days=12))
    at_now = adapt(now - timedelta(minutes=1))
    later = adapt(now + timedelta(minutes=5))
    fixed = {
        "name": "'Khách ' || s.i",
        "name_key": "'khach ' || s.i",
        "status_id": str(in_care),
        "status_entered_at": "%s",
        "owner_id": f"({first_user} + (s.i %% {SALESPEOPLE}))",
        "owner_since": "%s",
        "team_id": str(team.pk),
        "next_deadline_at": f"CASE WHEN s.i <= {due} THEN %s ELSE {_plus_minutes(vendor, '%s', 's.i %% 10080')} END",
        "next_deadline_kind": f"CASE WHEN s.i <= {due} THEN 'hold' ELSE 'hold_warning' END",
        "created_at": "%s",
        "updated_at": "%s",
    }
    columns, values, defaults = _customer_columns(fixed)
    order = [c for c in columns if c in fixed]
    fixed_params = {
        "status_entered_at": [past], "owner_since": [past], "next_deadline_at": [at_now, later], "created_at": [past], "updated_at": [past],
    }
    params, d = [], iter(defaults)
    for column in columns:
        if column in fixed:
            params.extend(fixed_params.get(column, []))
        else:
            params.append(next(d))
    assert order  # every fixed column is present
    with connection.cursor() as cur, transaction.atomic():
        cur.execute(f"INSERT INTO customers_customer ({', '.join(columns)}) SELECT {', '.join(values)} FROM {_series(vendor, total)}", params)
        # Every third customer is tagged with the launch project (what-if must weigh project phases).
        cur.execute(
            f"INSERT INTO customers_customer_projects (customer_id, project_id) SELECT id, {project.pk} FROM customers_customer WHERE id % 3 = 0"
        )
        # Clocks: the due ones ended their hold a minute ago; one in five of them lacks minimum care.
        cur.execute(
            f"""INSERT INTO {Clock._meta.db_table} (customer_id, hold_anchor_at, hold_ends_at, first_call_due_at, appointment_at,
                calls, contacts, interactions, notes, follow_ups_done, follow_up_scheduled, contacts_after_appointment, flagged,
                kept_until, kept_at, rule_version)
            SELECT id, CASE WHEN next_deadline_kind = 'hold' THEN %s ELSE {_plus_minutes(vendor, '%s', '-(id %% 2880)')} END,
                CASE WHEN next_deadline_kind = 'hold' THEN next_deadline_at ELSE NULL END, NULL, NULL,
                CASE WHEN id %% 5 = 0 THEN 0 ELSE 2 END, 3, 2, 1, 1, %s, 0, 0, NULL, NULL, {int(version)}
            FROM customers_customer""",
            [past, adapt(now), True],
        )
    if vendor == "postgresql":
        # A settled table, as in production: hint bits set and statistics fresh, not read straight after a bulk load.
        with connection.cursor() as cur:
            for table in ("customers_customer", "rotation_clock", "customers_customer_projects"):
                cur.execute(f"VACUUM ANALYZE {table}")
    ctx.say(f"generated in {time.monotonic() - started:.1f} s")
    return now


def fairness(n_people: int = 10, n: int = 10_000) -> tuple[float, Counter]:
    from leadpool.rotation import ranking

    team = [ranking.Person(user_id=i + 1, name=f"p{i}", attendance_days=20, working_days=20) for i in range(n_people)]
    counts: Counter = Counter()
    weights = {"attendance": 1, "speed": 1, "on_time": 1, "progress": 1}
    for customer_id in range(1, n + 1):
        chosen = ranking.rank(team, customer_id=customer_id, weights=weights, cap=0).chosen
        counts[chosen.user_id] += 1
        team = ranking.received_after(team, chosen.user_id)
    spread = (max(counts.values()) - min(counts.values())) / max(counts.values()) * 100
    return spread, counts


def run(ctx) -> list[dict]:
    from leadpool.rotation import config, sweep, whatif
    from leadpool.rotation.models import Candidate

    total, due = QUICK if ctx.quick else FULL
    now = generate(ctx, total, due)
    # Several engineers share this 2-core machine: the load when timing started says how quiet it was.
    load = f"load avg {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"
    rows = []
    # A warm worker: the sweep's imports (notification channels pull in TLS) are paid once per process, not per pass.
    import leadpool.notify.channels  # noqa: F401

    started = time.monotonic()
    report = sweep.sweep(now=now)
    took = time.monotonic() - started
    listed = Candidate.objects.filter(state="open").count()
    ok_count = listed == due and report.candidates + report.neglected == due
    target = 2.0 if ctx.vendor == "postgresql" else None
    rows.append({
        "name": f"sweep: {total:,} open customers, {due:,} due", "value": round(took, 3), "unit": "s",
        "target": "< 2 s (PostgreSQL)" if target else "(target is for PostgreSQL)",
        "ok": ok_count and (took < target if target else True),
        "note": f"listed {report.candidates:,} candidates + {report.neglected:,} neglected; {listed:,} open"
        + ("" if ok_count else " — COUNT MISMATCH") + f"; {load}",
    })
    started = time.monotonic()
    again = sweep.sweep(now=now)
    took = time.monotonic() - started
    rows.append({
        "name": "sweep again (nothing new due)", "value": round(took, 3), "unit": "s", "target": "< 0.5 s",
        "ok": took < 0.5 and again.candidates == 0 and again.neglected == 0, "note": "idempotent: no duplicates",
    })

    rules = config.current_rules()
    draft = replace(rules, statuses={**rules.statuses, "in_care": {**rules.statuses["in_care"], "hold_days": 2}},
                    phase_factors={**rules.phase_factors, "launch": 0.25})
    started = time.monotonic()
    preview = whatif.preview(draft, current=rules, at=now)
    took = time.monotonic() - started
    rows.append({
        "name": f"what-if over {total:,} customers", "value": round(took, 3), "unit": "s", "target": "< 10 s",
        "ok": took < 10 and preview.total.open == total,
        "note": f"now: {preview.total.current_now:,} → {preview.total.draft_now:,}; 7 days: {preview.total.current_week:,} → {preview.total.draft_week:,}",
    })

    # What every hand-out reads first: each salesperson's open customers and turns (one query, members_of).
    from leadpool.accounts.models import Team
    from leadpool.rotation.distribution import members_of

    team = Team.objects.get(name="Bench team")
    cap = rules.open_cap
    for label, counted_to in ((f"counted up to the cap of {cap}, as a hand-out does", cap), ("counted in full", 0)):
        members_of(team, at=now, open_cap=counted_to)
        times = []
        for _ in range(20):
            started = time.perf_counter()
            members = members_of(team, at=now, open_cap=counted_to)
            times.append((time.perf_counter() - started) * 1000)
        times.sort()
        each = total // SALESPEOPLE
        rows.append({
            "name": f"a hand-out's team figures: {SALESPEOPLE} salespeople holding {total:,} open customers, {label}",
            "value": round(times[len(times) // 2], 1), "unit": "ms p50", "target": "",
            "ok": all(m.open_now == (min(each, counted_to) if counted_to else each) for m in members),
            "note": f"members_of, 20 calls, slowest {times[-1]:.1f} ms; {load}",
        })

    spread, counts = fairness()
    rows.append({
        "name": "fairness: 10,000 assignments among 10 equals", "value": round(spread, 3), "unit": "% max-min",
        "target": "≤ 5 %", "ok": spread <= 5, "note": f"min {min(counts.values())}, max {max(counts.values())}",
    })
    return rows

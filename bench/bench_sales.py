"""Sales benchmarks: the salesperson's inbox and the customer page, served in-process by Django's test client,
with 1,000,000 customers in the database (quick: 50,000) of which 2,000 belong to the viewer.

Data is generated set-based: one INSERT … SELECT per table over generate_series (PostgreSQL) or a recursive
CTE (SQLite). Server time is the wall time of `Client.get` (routing, middleware, queries, template).
"""

import os
import random
import statistics
import time

FULL = 1_000_000
QUICK = 50_000
OWNED = 2_000
OTHERS = 49
TARGET_MS = 100.0


def _series(vendor: str, n: int) -> str:
    if vendor == "postgresql":
        return f"(SELECT generate_series(1, {int(n)}) AS i) s"
    return f"(WITH RECURSIVE g(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM g WHERE i < {int(n)}) SELECT i FROM g) s"


def _minutes(vendor: str, base: str, expr: str) -> str:
    """base + expr minutes (expr may be negative)."""
    if vendor == "postgresql":
        return f"({base}::timestamptz + ({expr}) * interval '1 minute')"
    return f"strftime('%Y-%m-%d %H:%M:%f', {base}, ({expr}) || ' minutes')"


def _insert_select(model, fixed: dict[str, str], source: str, params: list | None = None) -> None:
    """INSERT every column of `model`: ours as SQL expressions, the other NOT NULL ones from their defaults."""
    from django.db import connection

    columns, values, args = [], [], []
    for field in model._meta.concrete_fields:
        if field.primary_key:
            continue
        if field.column in fixed:
            columns.append(field.column)
            values.append(fixed[field.column].replace("%", "%%"))  # literal % in SQL: the driver formats %s
        elif not field.null:
            default = field.get_default()
            columns.append(field.column)
            values.append("%s")
            args.append(field.get_db_prep_value(default, connection) if default is not None else "")
    source = source.replace("%", "%%")
    sql = f"INSERT INTO {model._meta.db_table} ({', '.join(columns)}) SELECT {', '.join(values)} FROM {source}"
    with connection.cursor() as cursor:
        cursor.execute(sql, args + list(params or []))


def generate(ctx, total: int):
    from django.db import connection, transaction
    from django.utils import timezone

    from leadpool.accounts.models import Attendance, Membership, Role, Team, User
    from leadpool.customers.models import Customer, Lead, Phone, Project, Source, Status
    from leadpool.sales.models import Activity, FollowUp

    vendor = connection.vendor
    now = timezone.now()
    at = connection.ops.adapt_datetimefield_value
    started = time.monotonic()
    with transaction.atomic():
        project = Project.objects.create(name="Bench Lotus", code="bench-lotus", phase="launch")
        leader = User.objects.create(username="bench_leader", role=Role.LEADER)
        team = Team.objects.create(name="Bench team", leader=leader)
        team.projects.add(project)
        viewer = User.objects.create(username="bench_viewer", role=Role.SALES)
        others = User.objects.bulk_create([User(username=f"bench_sale{i}", role=Role.SALES) for i in range(OTHERS)])
        Membership.objects.bulk_create([Membership(team=team, user=u) for u in [viewer, leader, *others]])
        Attendance.objects.create(user=viewer, day=timezone.localdate())
    other_ids = sorted(u.pk for u in others)
    statuses = {s.key: s.pk for s in Status.objects.all()}
    source = Source.objects.get(key="facebook_ads").pk
    # Our own clock value inlined as a literal (no user input here), so every expression can use it freely.
    now_sql = f"'{at(now)}'" if vendor == "sqlite" else f"'{now.isoformat()}'"

    def t(expr: str) -> str:
        return _minutes(vendor, now_sql, expr)

    ctx.say(f"generating {total:,} customers, {OWNED:,} owned by the viewer…")
    owner = f"CASE WHEN s.i <= {OWNED} THEN {viewer.pk} ELSE {other_ids[0]} + (s.i % {OTHERS}) END"
    uncalled = f"(s.i <= {OWNED} AND s.i % 40 = 0)"
    created = f"CASE WHEN {uncalled} THEN -(s.i % 55) ELSE -(60 * 24 * (5 + s.i % 200)) END"
    contact = f"CASE WHEN {uncalled} THEN NULL ELSE {t('-(60 * 24 * (s.i % 45)) - 30')} END"
    deadline = f"CASE WHEN s.i % 3 = 0 OR {uncalled} THEN NULL ELSE {t('(s.i % 7000) + 5')} END"
    status = f"CASE WHEN {uncalled} THEN {statuses['new']} WHEN s.i % 7 = 0 THEN {statuses['net']} ELSE {statuses['in_care']} END"
    with transaction.atomic():
        _insert_select(Customer, {
            "name": "'Khách ' || s.i",
            "name_key": "'khach ' || s.i",
            "status_id": status,
            "status_entered_at": t(created),
            "owner_id": owner,
            "owner_since": t(created),
            "team_id": str(team.pk),
            "first_source_id": str(source),
            "latest_source_id": str(source),
            "first_lead_at": t(created),
            "last_lead_at": t(created),
            "last_contact_at": contact,
            "next_deadline_at": deadline,
            "next_deadline_kind": f"CASE WHEN s.i % 3 = 0 OR {uncalled} THEN '' ELSE 'hold' END",
            "dont_forget": f"CASE WHEN {uncalled} THEN {_false(vendor)} WHEN s.i % 45 >= 30 THEN {_true(vendor)} ELSE {_false(vendor)} END",
            "is_test": _false(vendor),
            "created_at": t(created),
            "updated_at": now_sql,
        }, _series(vendor, total))
    base = Customer.objects.order_by("pk").values_list("pk", flat=True).first()
    idx = f"(c.id - {base} + 1)"
    ctx.say(f"customers in {time.monotonic() - started:.0f} s; phones, leads, projects…")
    with transaction.atomic():
        digits = f"lpad({idx}::text, 8, '0')" if vendor == "postgresql" else f"printf('%08d', {idx})"
        _insert_select(Phone, {"customer_id": "c.id", "e164": f"'+8490' || {digits}", "raw": "''", "kind": "'mobile'",
                               "created_at": "c.created_at"}, f"{Customer._meta.db_table} c")
        uncalled_c = f"({idx} <= {OWNED} AND {idx} % 40 = 0)"
        _insert_select(Lead, {
            "customer_id": "c.id", "source_id": str(source), "channel": "'facebook'", "capture_point": "'lead_form'",
            "name": "c.name", "answers": "'{\"Nhu cầu\": \"Mua ở\", \"Ngân sách\": \"3-5 tỷ\"}'",
            "received_at": "c.created_at",
            "first_call_at": f"CASE WHEN {uncalled_c} THEN NULL ELSE {_minutes(vendor, 'c.created_at', '10')} END",
            "owner_at_arrival_id": "c.owner_id", "is_test": _false(vendor), "is_returning": _false(vendor),
        }, f"{Customer._meta.db_table} c")
        with connection.cursor() as cursor:
            table = Customer.projects.through._meta.db_table
            cursor.execute(f"INSERT INTO {table} (customer_id, project_id) SELECT id, {project.pk} FROM {Customer._meta.db_table}")
    ctx.say("the viewer's activities and follow-ups…")
    owned = f"{Customer._meta.db_table} c WHERE c.owner_id = {viewer.pk}"
    with transaction.atomic():
        for n, kind in enumerate(["call", "note", "message", "call", "note"]):
            _insert_select(Activity, {
                "customer_id": "c.id", "author_id": str(viewer.pk), "kind": f"'{kind}'",
                "occurred_at": _minutes(vendor, "c.created_at", str(30 + n * 600)),
                "created_at": _minutes(vendor, "c.created_at", str(30 + n * 600)),
                "body": f"'Ghi chép số {n} về khách ' || c.name",
                "call_outcome": "'reached'" if kind == "call" else "''",
                "call_direction": "'out'" if kind == "call" else "''",
                "duration_seconds": "95" if kind == "call" else "NULL",
            }, owned + " AND c.last_contact_at IS NOT NULL")
        _insert_select(FollowUp, {
            "customer_id": "c.id", "owner_id": str(viewer.pk), "kind": "'call'",
            "due_at": t(f"60 * (({idx} % 20) - 10)"), "note": "'Gọi lại tư vấn'", "created_at": "c.created_at",
            "script_step": "''",
        }, owned + f" AND {idx} % 5 = 0")
    with connection.cursor() as cursor:
        # Fresh statistics, and no autovacuum of a million new rows competing with the timings.
        cursor.execute("VACUUM ANALYZE" if vendor == "postgresql" else "ANALYZE")
    ctx.say(f"data ready in {time.monotonic() - started:.0f} s")
    return viewer, leader


def _true(vendor: str) -> str:
    return "TRUE" if vendor == "postgresql" else "1"


def _false(vendor: str) -> str:
    return "FALSE" if vendor == "postgresql" else "0"


CPU: list[float] = []  # the Django process's own CPU per timed request (insensitive to other processes' load)


def _timed(client, url: str, runs: int, warm: bool = True) -> list[float]:
    if warm:
        client.get(url)  # templates compiled, connections open
    times = []
    for _ in range(runs):
        started, cpu = time.perf_counter(), time.process_time()
        response = client.get(url)
        times.append((time.perf_counter() - started) * 1000)
        CPU.append((time.process_time() - cpu) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    return times


def _p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20, method="inclusive")[18]


def _queries(client, url: str) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        client.get(url)
    return len(captured)


def run(ctx) -> list[dict]:
    from django.test import Client

    from leadpool.customers.models import Customer

    total = QUICK if ctx.quick else FULL
    runs = 30 if ctx.quick else 60
    viewer, leader = generate(ctx, total)
    client = Client()
    client.force_login(viewer)
    owned_ids = list(Customer.objects.filter(owner=viewer).values_list("pk", flat=True))
    rows = []

    def row(name: str, who, times: list[float], url: str, note: str = "") -> None:
        p95 = _p95(times)
        cpu = statistics.median(CPU[-len(times):])
        load = os.getloadavg()[0]
        rows.append({
            "name": name, "value": round(p95, 1), "unit": "ms p95", "target": f"< {TARGET_MS:.0f} ms",
            "ok": p95 < TARGET_MS,
            "note": f"p50 {statistics.median(times):.1f} ms, Django CPU p50 {cpu:.1f} ms, {len(times)} requests, "
                    f"{_queries(who, url)} queries/page, load {load:.1f}" + (f"; {note}" if note else ""),
        })

    scale = f"{OWNED:,} owned of {total:,} customers"
    ctx.say("timing the inbox…")
    row(f"Inbox by urgency ({scale})", client, _timed(client, "/", runs), "/")
    row("Inbox, follow-ups due tab", client, _timed(client, "/?view=due", runs), "/?view=due")
    row("Inbox, search by name", client, _timed(client, "/?q=kh%C3%A1ch%2012", runs), "/?q=kh%C3%A1ch%2012")
    row("Inbox, the last page", client, _timed(client, "/?page=80", runs), "/?page=80")
    ctx.say("timing the customer page…")
    rng = random.Random(4)
    times = []
    for customer_id in rng.sample(owned_ids, runs):  # each page served once: nothing of it cached before
        times.extend(_timed(client, f"/customers/{customer_id}/", 1, warm=False))
    row(f"Customer page ({scale})", client, times, f"/customers/{owned_ids[0]}/", "a different owned customer each time")
    leader_client = Client()
    leader_client.force_login(leader)
    url = f"/?member={viewer.pk}"
    row("Leader: a member's inbox", leader_client, _timed(leader_client, url, max(10, runs // 3)), url)
    return rows

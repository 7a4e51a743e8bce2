"""Dashboards at scale: every report page's server time, and its figures against a plain SQL recount.

Full: 1,000,000 customers, 3,000,000 leads, 10,000,000 activities over two years; quick: 30,000 customers
(×3 leads, ×10 activities). Rows are written set-based (INSERT … SELECT over generate_series / a recursive
CTE), the summaries are rebuilt as the nightly task does, then each dashboard is opened as a manager.
"""

import os
import re
import statistics
import time
from datetime import UTC, timedelta

TARGET_MS = 1000


def _series(n_param: str) -> tuple[str, str]:
    """(prefix, FROM clause) producing x = 1..n."""
    from django.db import connection

    if connection.vendor == "postgresql":
        return "", f"FROM generate_series(1, {n_param}) AS g(x)"
    return f"WITH RECURSIVE g(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM g WHERE x < {n_param}) ", "FROM g"


def _ts(base_param: str, seconds_expr: str) -> str:
    from django.db import connection

    if connection.vendor == "postgresql":
        return f"(CAST({base_param} AS timestamptz) + ({seconds_expr}) * interval '1 second')"
    return f"datetime({base_param}, '+' || ({seconds_expr}) || ' seconds')"


def _case(expr: str, ids: list[int]) -> str:
    return "CASE (" + expr + f") % {len(ids)} " + " ".join(f"WHEN {i} THEN {v}" for i, v in enumerate(ids)) + " END"


def _bool(condition: str) -> str:
    from django.db import connection

    return condition if connection.vendor == "postgresql" else f"CASE WHEN {condition} THEN 1 ELSE 0 END"


def _insert(model, n: int, exprs: dict[str, str], base=None, source: str | None = None) -> None:
    """INSERT every concrete column: the given SQL expressions (each %s is the base time), else the field's default."""
    from django.db import connection

    columns, values, params = [], [], []
    for field in model._meta.concrete_fields:
        if field.primary_key and field.column not in exprs:
            continue
        columns.append(field.column)
        if field.column in exprs:
            values.append(exprs[field.column])
            params += [base] * exprs[field.column].count("%s")
        else:
            values.append("%s")
            params.append(field.get_db_prep_save(field.get_default(), connection))
    if source is None:
        prefix, from_clause = _series(str(n))
    else:
        prefix, from_clause = "", source
    sql = f"{prefix}INSERT INTO {model._meta.db_table} ({', '.join(columns)}) SELECT {', '.join(values)} {from_clause}"
    sql = re.sub(r"%(?!s)", "%%", sql)  # the modulo operator, next to parameter placeholders
    with connection.cursor() as cur:
        cur.execute(sql, params)


def generate(ctx, n: int) -> dict:
    """n customers, 3n leads, 10n activities, statuses spread over the funnel, two years back from now."""
    from django.db import connection
    from django.utils import timezone

    from leadpool.accounts.models import Attendance, Membership, Role, Team, User
    from leadpool.customers.models import Assignment, Customer, Lead, Project, Source, Status
    from leadpool.reports.models import AdSpend
    from leadpool.rotation.models import Candidate
    from leadpool.sales.models import Activity, FollowUp, StatusChange

    span = 730 * 86400
    now = timezone.now().replace(microsecond=0)
    t0 = now - timedelta(seconds=span)
    base = t0 if connection.vendor == "postgresql" else t0.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")
    step = span // n
    projects = [Project.objects.create(name=f"Dự án {i}", code=f"p{i}").pk for i in range(10)]
    teams = [Team.objects.create(name=f"Đội {i}") for i in range(5)]
    users = []
    for i in range(100):
        user = User.objects.create(username=f"sale{i}", role=Role.SALES)
        Membership.objects.create(team=teams[i % 5], user=user)
        users.append(user.pk)
    team_of_user = [teams[i % 5].pk for i in range(100)]
    manager = User.objects.create(username="boss", role=Role.MANAGER, is_superuser=True, is_staff=True)
    sources = list(Source.objects.filter(key__in=["facebook_ads", "google_ads", "zalo_ads", "tiktok_ads", "ladipage", "hotline"]))
    source_ids = [s.pk for s in sources]
    channels = {s.pk: s.channel for s in sources}
    statuses = {s.key: s.pk for s in Status.objects.all()}
    # 100 buckets of customers over the statuses, roughly a real funnel
    buckets = ["new"] * 40 + ["in_care"] * 15 + ["no_answer"] * 10 + ["net"] * 10 + ["appointment"] * 5 + \
        ["deposit"] * 3 + ["booking"] * 2 + ["no_need"] * 10 + ["wrong_target"] * 5
    status_case = _case("x", [statuses[k] for k in buckets])
    created = _ts("%s", f"x * {step}")
    started = time.perf_counter()

    ctx.say(f"customers: {n:,}")
    _insert(Customer, n, {
        "name": "'Khách ' || x", "status_id": status_case, "status_entered_at": _ts("%s", f"x * {step} + 86400"),
        "owner_id": _case("x", users), "owner_since": created, "team_id": _case("x", team_of_user),
        "first_source_id": _case("x", source_ids), "latest_source_id": _case("x", source_ids),
        "first_lead_at": created, "last_lead_at": created, "created_at": created, "updated_at": created,
    }, base)
    first_id = Customer.objects.order_by("pk").values_list("pk", flat=True).first()
    assert Customer.objects.order_by("-pk").values_list("pk", flat=True).first() - first_id + 1 == n
    cid = f"({first_id} + (x - 1) % {n})"
    cidx = f"((x - 1) % {n} + 1)"  # the customer's x

    ctx.say(f"leads: {3 * n:,}")
    lead_time = f"{cidx} * {step} + ((x - 1) / {n}) * 432000"
    channel_case = "CASE (" + cidx + f") % {len(source_ids)} " + " ".join(
        f"WHEN {i} THEN '{channels[v]}'" for i, v in enumerate(source_ids)) + " END"
    _insert(Lead, 3 * n, {
        "customer_id": cid, "source_id": _case(cidx, source_ids), "channel": channel_case,
        "campaign": "'camp-' || (x % 40)", "received_at": _ts("%s", lead_time),
        "is_returning": _bool(f"x > {n}"),
        "phone_invalid_reason": "CASE WHEN x % 97 = 0 THEN 'x: invalid' ELSE '' END",
        "is_test": _bool("x % 499 = 0"),
        "first_call_at": f"CASE WHEN x % 10 = 0 THEN NULL ELSE {_ts('%s', lead_time + ' + ((x * 37) % 120) * 60')} END",
        "owner_at_arrival_id": _case(cidx, users),
    }, base)
    lead_first = Lead.objects.order_by("pk").values_list("pk", flat=True).first()
    with connection.cursor() as cur:
        cur.execute(
            f"INSERT INTO customers_lead_projects (lead_id, project_id) SELECT id, {_case('customer_id', projects)} "
            f"FROM customers_lead WHERE (id - {lead_first}) % 20 <> 0"
        )
        cur.execute(
            f"INSERT INTO customers_customer_projects (customer_id, project_id) SELECT id, {_case('id', projects)} "
            "FROM customers_customer"
        )

    ctx.say(f"activities: {10 * n:,}")
    _insert(Activity, 10 * n, {
        "customer_id": cid, "author_id": _case(cidx, users),
        "kind": "CASE WHEN x % 3 = 0 THEN 'note' ELSE 'call' END",
        "created_at": _ts("%s", f"{cidx} * {step} + ((x - 1) / {n}) * 86400 + 7200"),
        "occurred_at": _ts("%s", f"{cidx} * {step} + ((x - 1) / {n}) * 86400 + 7200"),
        "flagged": "CASE WHEN x % 101 = 0 THEN 'zero' ELSE '' END",
    }, base)

    ctx.say("status changes, assignments, follow-ups, attendance, spend, candidates")
    new_id = statuses["new"]
    with connection.cursor() as cur:
        cur.execute(
            f"INSERT INTO sales_statuschange (customer_id, from_status_id, to_status_id, by_id, at, reason, details, backed_by_activity) "
            f"SELECT id, {new_id}, status_id, owner_id, status_entered_at, '', %s, %s FROM customers_customer WHERE status_id <> {new_id}",
            [StatusChange._meta.get_field("details").get_db_prep_save({}, connection), True],
        )
    _insert(Assignment, 0, {
        "customer_id": "id", "user_id": "owner_id", "team_id": "team_id", "started_at": "created_at", "reason": "'new'",
    }, source="FROM customers_customer")
    _insert(Assignment, 0, {
        "customer_id": "id", "user_id": "owner_id", "team_id": "team_id",
        "started_at": "status_entered_at", "reason": "'rotation'",
    }, source="FROM customers_customer WHERE id % 20 = 0")
    _insert(FollowUp, 0, {
        "customer_id": "id", "owner_id": "owner_id", "due_at": "status_entered_at", "created_at": "created_at",
        "done_at": "CASE WHEN id % 3 = 0 THEN NULL ELSE status_entered_at END",
    }, source="FROM customers_customer WHERE id % 2 = 0")
    _insert(Candidate, 0, {
        "customer_id": "id", "team_id": "team_id", "owner_id": "owner_id", "status_key": "'in_care'",
        "kind": "CASE WHEN id % 3 = 0 THEN 'neglected' ELSE 'hold' END",
        "state": "CASE WHEN id % 4 = 0 THEN 'kept' ELSE 'rotated' END", "rule": "'bench'",
        "due_at": "status_entered_at", "listed_at": "status_entered_at", "decide_by": "status_entered_at",
    }, source="FROM customers_customer WHERE id % 50 = 0")
    today = timezone.localdate()
    Attendance.objects.bulk_create(
        [Attendance(user_id=u, day=today - timedelta(days=d)) for u in users for d in range(120) if (u + d) % 7],
        batch_size=5000,
    )
    AdSpend.objects.bulk_create([
        AdSpend(day=today - timedelta(days=d), source_id=s, campaign=f"camp-{c}", project_id=projects[c % 10], amount=1_000_000 + c)
        for d in range(365) for s in source_ids for c in range(0, 40, 4)
    ], batch_size=5000)
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("ANALYZE")
    return {"seconds": time.perf_counter() - started, "manager": manager, "users": users}


# --- plain SQL recounts -----------------------------------------------------------------------------------------


def recount(f) -> dict:
    """The same figures straight from the base tables, without the summaries or the report code."""
    from django.db import connection

    from leadpool.customers.models import DIGITAL_CHANNELS
    from leadpool.reports.queries import first_call_limit
    from leadpool.reports.summaries import _day_sql, _param_time, day_bounds

    lo, hi = (_param_time(t) for t in day_bounds(f.start, f.end))
    out = {}
    with connection.cursor() as cur:
        cur.execute(
            "SELECT SUM(CASE WHEN is_test THEN 0 ELSE 1 END), SUM(CASE WHEN is_returning AND NOT is_test THEN 1 ELSE 0 END) "
            "FROM customers_lead WHERE received_at >= %s AND received_at < %s", [lo, hi])
        out["leads"], out["returning"] = (v or 0 for v in cur.fetchone())
        cur.execute(
            "SELECT source_id, COUNT(*) FROM customers_lead WHERE received_at >= %s AND received_at < %s AND NOT is_test "
            "GROUP BY source_id", [lo, hi])
        out["leads_by_source"] = dict(cur.fetchall())
        cur.execute(
            f"""SELECT c.first_source_id, COUNT(*) FROM customers_customer c JOIN customers_status cs ON cs.id = c.status_id
            WHERE c.merged_into_id IS NULL AND NOT c.is_test
              AND {_day_sql("COALESCE(c.first_lead_at, c.created_at)")} BETWEEN %s AND %s
              AND (cs.rank >= 3 OR EXISTS (SELECT 1 FROM sales_statuschange sc JOIN customers_status s ON s.id = sc.to_status_id
                                           WHERE sc.customer_id = c.id AND s.rank >= 3))
            GROUP BY c.first_source_id""", [f.start, f.end])
        out["qualified_by_source"] = dict(cur.fetchall())
        cur.execute(
            "SELECT author_id, COUNT(*) FROM sales_activity WHERE kind = 'call' AND flagged = '' "
            "AND occurred_at >= %s AND occurred_at < %s GROUP BY author_id", [lo, hi])
        out["calls_by_user"] = dict(cur.fetchall())
        cur.execute(
            "SELECT COUNT(*) FROM customers_assignment WHERE reason = 'rotation' AND started_at >= %s AND started_at < %s", [lo, hi])
        out["rotations"] = cur.fetchone()[0]
    # within-limit is a time comparison per row: written with the vendor's interval arithmetic
    limit = first_call_limit()
    plus = (f"received_at + interval '{limit} minutes'" if connection.vendor == "postgresql"
            else f"datetime(received_at, '+{limit} minutes')")
    channels = "', '".join(sorted(str(c) for c in DIGITAL_CHANNELS))
    with connection.cursor() as cur:
        cur.execute(
            f"SELECT owner_at_arrival_id, COUNT(*), SUM(CASE WHEN first_call_at IS NOT NULL AND first_call_at <= {plus}"
            f" THEN 1 ELSE 0 END) FROM customers_lead WHERE received_at >= %s AND received_at < %s AND NOT is_test"
            f" AND owner_at_arrival_id IS NOT NULL AND channel IN ('{channels}') GROUP BY owner_at_arrival_id",
            [lo, hi],
        )
        out["speed"] = {owner: (n, within) for owner, n, within in cur.fetchall()}
    return out


def _time(fn, repeat: int = 3) -> float:
    runs = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        runs.append((time.perf_counter() - started) * 1000)
    return statistics.median(runs)


def run(ctx) -> list[dict]:
    from django.test import Client, override_settings
    from django.urls import reverse

    from leadpool.reports import queries, summaries
    from leadpool.reports.filters import Filters
    from leadpool.reports.tables import BUILDERS

    n = int(os.environ.get("LEADPOOL_BENCH_REPORTS_CUSTOMERS") or (30_000 if ctx.quick else 1_000_000))
    rows: list[dict] = []
    data = generate(ctx, n)
    rows.append({"name": f"generate {n:,} customers, {3 * n:,} leads, {10 * n:,} activities", "value": data["seconds"],
                 "unit": "s", "target": "", "ok": None, "note": "set-based INSERT … SELECT"})
    ctx.say("rebuilding summaries")
    started = time.perf_counter()
    summaries.rebuild()
    rebuild_s = time.perf_counter() - started
    rows.append({"name": "nightly rebuild of the summary tables", "value": rebuild_s, "unit": "s", "target": "", "ok": None,
                 "note": "LeadDay, CustomerFact, UserDay from scratch"})
    refresh_ms = _time(summaries.refresh, repeat=1)
    rows.append({"name": "5-minute refresh (no new rows: last 3 days + changed customers)", "value": refresh_ms, "unit": "ms",
                 "target": "< 60,000 ms", "ok": refresh_ms < 60_000, "note": ""})

    # The bench signs in directly: no second factor, no per-minute request budget.
    overrides = override_settings(LEADPOOL_REQUIRE_OTP=False, LEADPOOL_RATE_LIMITS=False)
    overrides.enable()
    client = Client()
    client.force_login(data["manager"])
    today = summaries.local_today()
    ranges = {"30 days": (today - timedelta(days=29), today), "365 days": (today - timedelta(days=364), today)}
    for label, (start, end) in ranges.items():
        for slug in BUILDERS:
            url = reverse("reports:report", args=[slug]) + f"?start={start}&end={end}"
            response = client.get(url)
            assert response.status_code == 200, (slug, response.status_code)
            ms = _time(lambda url=url: client.get(url))
            rows.append({"name": f"/reports/{slug}/ over {label}", "value": ms, "unit": "ms", "target": f"< {TARGET_MS} ms",
                         "ok": ms < TARGET_MS, "note": "manager, whole company, server time in-process"})

    ctx.say("recounting with plain SQL")
    for label, (start, end) in ranges.items():
        f = Filters(start=start, end=end)
        plain = recount(f)
        leads = queries.leads(f)["total"]
        cost = {r["source_id"]: r for r in queries.cost(f)["by_source"]}
        people = {r["user_id"]: r["calls"] for r in queries.effectiveness(f)["rows"]}
        checks = {
            "leads": leads["leads"] == plain["leads"] and leads["returning"] == plain["returning"],
            "leads per source": all(cost.get(s, {}).get("leads", 0) == v for s, v in plain["leads_by_source"].items()),
            "qualified per source": all(cost.get(s, {}).get("qualified", 0) == v for s, v in plain["qualified_by_source"].items())
            and sum(r["qualified"] for r in cost.values()) == sum(plain["qualified_by_source"].values()),
            "calls per salesperson": all(people.get(u, 0) == v for u, v in plain["calls_by_user"].items()),
            "rotations": queries.rotation(f)["totals"]["rotation"] == plain["rotations"],
            "speed to lead (leads, within limit) per salesperson": {
                r["user_id"]: (r["leads"], r["within"]) for r in queries.speed(f)["people"]
            } == plain["speed"],
        }
        for name, ok in checks.items():
            rows.append({"name": f"{name} over {label} = plain SQL recount", "value": 1 if ok else 0, "unit": "", "target": "1",
                         "ok": ok, "note": f"{plain['leads']:,} leads in range" if name == "leads" else ""})
    overrides.disable()
    return rows

"""Keeping the summary tables: set-based rebuilds of day ranges or customers, run by the worker.

Dashboards never scan leads, activities or status changes wholesale; they read three summaries:
- LeadDay: leads per local day × source × campaign × first project × customer's team;
- CustomerFact: one row per live customer with first-touch source/campaign/project and the time each
  funnel stage was first reached;
- UserDay: each person's calls, follow-ups, upgrades, deals, rotations and attendance per day;
- SpeedMonth: speed-to-lead histograms (minutes to the first call) per month, owner on arrival, source,
  campaign and project.

`refresh()` (every 5 minutes) rebuilds the last few days plus every day touched by rows added since
the previous run, and the customers changed since then; `rebuild()` (nightly) redoes everything, which
also catches late edits to old rows (a follow-up closed days later, a customer moved to another team).
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Exists, OuterRef
from django.db.models.functions import TruncDate
from django.utils import timezone

from leadpool.customers.models import DIGITAL_CHANNELS, Assignment, Customer, Lead, Status
from leadpool.sales.models import Activity, StatusChange

from .models import SummaryState

ROTATION_REASONS = (Assignment.Reason.ROTATION, Assignment.Reason.FIRST_CALL, Assignment.Reason.REASSIGN)
STAGES = ("net", "appointment", "deposit", "booking")
RECENT_DAYS = 3
OVERLAP = timedelta(minutes=10)


def local_zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def day_bounds(start: date, end: date) -> tuple[datetime, datetime]:
    """Local days start..end (inclusive) as an aware [from, to) interval."""
    tz = local_zone()
    return datetime.combine(start, time.min, tz), datetime.combine(end + timedelta(days=1), time.min, tz)


def local_today() -> date:
    return timezone.localdate(timezone.now(), local_zone())


# --- vendor-specific SQL fragments ----------------------------------------------------------------


def _day_sql(column: str) -> str:
    if connection.vendor == "postgresql":
        return f"(({column}) AT TIME ZONE '{settings.TIME_ZONE}')::date"
    # SQLite keeps UTC text; the zone's offset today is applied (Asia/Ho_Chi_Minh has no DST).
    offset = datetime.now(local_zone()).utcoffset() or timedelta(0)
    return f"date({column}, '{int(offset.total_seconds())} seconds')"


def _month_sql(column: str) -> str:
    """First day of the local month of a timestamp."""
    if connection.vendor == "postgresql":
        return f"CAST(date_trunc('month', ({column}) AT TIME ZONE '{settings.TIME_ZONE}') AS date)"
    offset = datetime.now(local_zone()).utcoffset() or timedelta(0)
    return f"date({column}, '{int(offset.total_seconds())} seconds', 'start of month')"


def _minutes_sql(later: str, earlier: str) -> str:
    """Whole minutes from earlier to later rounded up, never below 0; NULL when later is NULL.

    Exact to the microsecond, as the live count: a call 30 min 0.000001 s after arrival is 31 minutes.
    """
    if connection.vendor == "postgresql":  # EXTRACT(EPOCH …) is numeric: no float rounding at the limit
        return (f"CASE WHEN {later} IS NULL THEN NULL"
                f" ELSE CAST(GREATEST(0, CEIL(EXTRACT(EPOCH FROM ({later} - {earlier})) / 60)) AS INTEGER) END")
    # SQLite keeps 'YYYY-MM-DD HH:MM:SS[.ffffff]' text: whole seconds and microseconds apart, in integers
    # ('%%s' because the statement also carries parameters).
    micros = (f"((CAST(strftime('%%s', substr({later}, 1, 19)) AS INTEGER) - CAST(strftime('%%s', substr({earlier}, 1, 19)) AS INTEGER)) * 1000000"
              f" + CAST(substr({later}, 21) AS INTEGER) - CAST(substr({earlier}, 21) AS INTEGER))")
    return (f"CASE WHEN {later} IS NULL THEN NULL WHEN {micros} <= 0 THEN 0"
            f" ELSE ({micros} + 59999999) / 60000000 END")


def _seconds_sql(later: str, earlier: str) -> str:
    if connection.vendor == "postgresql":
        return f"CAST(EXTRACT(EPOCH FROM ({later} - {earlier})) AS BIGINT)"
    return f"CAST(ROUND((julianday({later}) - julianday({earlier})) * 86400) AS INTEGER)"


def _greatest(a: str, b: str) -> str:
    return f"GREATEST({a}, {b})" if connection.vendor == "postgresql" else f"MAX({a}, {b})"


def _earliest(a: str, b: str) -> str:
    return f"(CASE WHEN {a} IS NULL THEN {b} WHEN {b} IS NULL THEN {a} WHEN {a} < {b} THEN {a} ELSE {b} END)"


def _FENCE() -> str:  # noqa: N802 - reads as SQL
    """Keeps the planner from inlining a subquery whose columns are used several times (and so re-running it)."""
    return "OFFSET 0" if connection.vendor == "postgresql" else "LIMIT -1 OFFSET 0"


def _param_time(value: datetime):
    """SQLite compares the stored UTC text; give it the same shape."""
    if connection.vendor == "postgresql":
        return value
    return connection.ops.adapt_datetimefield_value(value)


# --- LeadDay ----------------------------------------------------------------------------------------


def rebuild_lead_days(start: date | None = None, end: date | None = None) -> int:
    """Recount leads for local days start..end (all days when both are None)."""
    where, params = "", []
    with transaction.atomic(), connection.cursor() as cur:
        if start is not None and end is not None:
            lo, hi = day_bounds(start, end)
            cur.execute("DELETE FROM reports_leadday WHERE day >= %s AND day <= %s", [start, end])
            where, params = "WHERE l.received_at >= %s AND l.received_at < %s", [_param_time(lo), _param_time(hi)]
        else:
            cur.execute("DELETE FROM reports_leadday")
        cur.execute(
            f"""
            INSERT INTO reports_leadday
                (day, source_id, campaign, project_id, team_id, leads, new_customers, returning_leads, invalid_phone, test_leads)
            SELECT d, source_id, campaign, project_id, team_id,
                   SUM(CASE WHEN is_test THEN 0 ELSE 1 END),
                   SUM(CASE WHEN is_test OR is_returning THEN 0 ELSE 1 END),
                   SUM(CASE WHEN is_returning AND NOT is_test THEN 1 ELSE 0 END),
                   SUM(CASE WHEN phone_invalid_reason <> '' THEN 1 ELSE 0 END),
                   SUM(CASE WHEN is_test THEN 1 ELSE 0 END)
            FROM (
                SELECT {_day_sql("l.received_at")} AS d, l.source_id, l.campaign,
                       (SELECT MIN(lp.project_id) FROM customers_lead_projects lp WHERE lp.lead_id = l.id) AS project_id,
                       c.team_id, l.is_test, l.is_returning, l.phone_invalid_reason
                FROM customers_lead l JOIN customers_customer c ON c.id = l.customer_id
                {where}
                {_FENCE()}
            ) x
            GROUP BY d, source_id, campaign, project_id, team_id
            """,
            params,
        )
        return cur.rowcount


# --- SpeedMonth -------------------------------------------------------------------------------------


def month_start(day: date) -> date:
    return day.replace(day=1)


def month_end(day: date) -> date:
    return (day.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)


def rebuild_speed_months(start: date | None = None, end: date | None = None) -> int:
    """Recount the speed histograms of the local months of start..end (every month when both are None)."""
    channels = ", ".join(f"'{c}'" for c in sorted(str(c) for c in DIGITAL_CHANNELS))
    where, params = "", []
    with transaction.atomic(), connection.cursor() as cur:
        if start is not None and end is not None:
            first, last = month_start(start), month_end(end)
            lo, hi = day_bounds(first, last)
            cur.execute("DELETE FROM reports_speedmonth WHERE month >= %s AND month <= %s", [first, last])
            where, params = "AND l.received_at >= %s AND l.received_at < %s", [_param_time(lo), _param_time(hi)]
        else:
            cur.execute("DELETE FROM reports_speedmonth")
        # Each lead counts once under "any project" (NULL) and once under each project it belongs to.
        cur.execute(
            f"""
            INSERT INTO reports_speedmonth (month, owner_id, source_id, campaign, project_id, minutes, leads)
            WITH x AS (
                SELECT l.id, {_month_sql("l.received_at")} AS m, l.owner_at_arrival_id AS owner_id, l.source_id,
                       l.campaign, {_minutes_sql("l.first_call_at", "l.received_at")} AS minutes
                FROM customers_lead l
                WHERE l.is_test = %s AND l.owner_at_arrival_id IS NOT NULL AND l.channel IN ({channels}) {where}
            )
            SELECT m, owner_id, source_id, campaign, project_id, minutes, COUNT(*)
            FROM (
                SELECT x.m, x.owner_id, x.source_id, x.campaign, lp.project_id, x.minutes
                FROM x JOIN customers_lead_projects lp ON lp.lead_id = x.id
                UNION ALL
                SELECT x.m, x.owner_id, x.source_id, x.campaign, NULL, x.minutes FROM x
            ) y
            GROUP BY m, owner_id, source_id, campaign, project_id, minutes
            """,
            [False, *params],
        )
        return cur.rowcount


def late_called_days(last_activity_id: int) -> set[date]:
    """Arrival days of leads answered by calls logged since then: their minutes changed, maybe long ago.

    Logging a call sets first_call_at to the call's time on the customer's unanswered leads, so the
    leads answered are those of the new calls' customers whose first call is one of those calls.
    """
    calls = Activity.objects.filter(pk__gt=last_activity_id, kind=Activity.Kind.CALL)
    answered = calls.filter(customer_id=OuterRef("customer_id"), occurred_at=OuterRef("first_call_at"))
    return set(
        Lead.objects.filter(customer_id__in=calls.values("customer_id"), first_call_at__isnull=False)
        .filter(Exists(answered))
        .annotate(d=TruncDate("received_at", tzinfo=local_zone()))
        .values_list("d", flat=True)
        .distinct()
        .order_by()
    )


# --- CustomerFact ------------------------------------------------------------------------------------


def stage_ranks() -> dict[str, int]:
    ranks = dict(Status.objects.filter(key__in=STAGES, rank__isnull=False).values_list("key", "rank"))
    return {key: ranks.get(key, 10_000) for key in STAGES}


def rebuild_customer_facts(changed_since: datetime | None = None) -> int:
    """Recompute facts of customers changed since a moment (all customers when None)."""
    ranks = {key: int(rank) for key, rank in stage_ranks().items()}
    first_change = ",\n".join(
        f"(SELECT MIN(sc.at) FROM sales_statuschange sc JOIN customers_status s ON s.id = sc.to_status_id"
        f" WHERE sc.customer_id = c.id AND s.rank >= {ranks[key]}) AS {key}_chg"
        for key in STAGES
    )
    # Reached = the first move to that rank or higher, or the status held now when no move says so.
    reached = ",\n".join(
        _earliest(f"z.{key}_chg", f"(CASE WHEN z.cur_rank >= {ranks[key]} THEN z.status_entered_at END)") + f" AS {key}_at"
        for key in STAGES
    )
    after = ", ".join(
        f"CASE WHEN y.{k}_at IS NULL THEN NULL ELSE {_seconds_sql(f'y.{k}_at', 'y.first_lead_at')} END" for k in STAGES
    )
    params: list = []
    where_changed = ""
    delete_sql = "DELETE FROM reports_customerfact"
    delete_params: list = []
    if changed_since is not None:
        where_changed = "AND c.updated_at >= %s"
        params.append(_param_time(changed_since))
        delete_sql += " WHERE customer_id IN (SELECT id FROM customers_customer WHERE updated_at >= %s)"
        delete_params.append(_param_time(changed_since))
    left = "cs.kind = 'nurture'" if connection.vendor == "postgresql" else "CASE WHEN cs.kind = 'nurture' THEN 1 ELSE 0 END"
    max_change = (
        "COALESCE((SELECT MAX(s2.rank) FROM sales_statuschange sc2 JOIN customers_status s2 ON s2.id = sc2.to_status_id"
        " WHERE sc2.customer_id = c.id), -1)"
    )
    sql = f"""
        INSERT INTO reports_customerfact
            (customer_id, first_lead_at, first_day, source_id, campaign, project_id, team_id, owner_id, status_id,
             max_rank, net_at, appointment_at, deposit_at, booking_at,
             net_after, appointment_after, deposit_after, booking_after, left_funnel, is_test)
        SELECT y.id, y.first_lead_at, {_day_sql("y.first_lead_at")}, y.first_source_id,
               COALESCE(fl.campaign, ''),
               (SELECT MIN(lp.project_id) FROM customers_lead_projects lp WHERE lp.lead_id = y.first_lead_id),
               y.team_id, y.owner_id, y.status_id, y.max_rank,
               y.net_at, y.appointment_at, y.deposit_at, y.booking_at,
               {after}, y.left_funnel, y.is_test
        FROM (
            SELECT z.*, {reached}
            FROM (
                SELECT c.id, COALESCE(c.first_lead_at, c.created_at) AS first_lead_at, c.first_source_id,
                       c.team_id, c.owner_id, c.status_id, c.is_test, c.status_entered_at, cs.rank AS cur_rank,
                       (SELECT l.id FROM customers_lead l WHERE l.customer_id = c.id ORDER BY l.received_at, l.id LIMIT 1)
                           AS first_lead_id,
                       {_greatest("COALESCE(cs.rank, -1)", max_change)} AS max_rank,
                       {first_change},
                       {left} AS left_funnel
                FROM customers_customer c JOIN customers_status cs ON cs.id = c.status_id
                WHERE c.merged_into_id IS NULL {where_changed}
                {_FENCE()}
            ) z
            {_FENCE()}
        ) y LEFT JOIN customers_lead fl ON fl.id = y.first_lead_id
    """
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute(delete_sql, delete_params)
        cur.execute(sql, params)
        return cur.rowcount


# --- UserDay -------------------------------------------------------------------------------------------


USER_DAY_FIELDS = (
    "calls", "follow_ups_due", "follow_ups_on_time", "upgrades", "appointments", "deposits", "bookings",
    "rotated_in", "rotated_out", "first_call_violations", "attended",
)


def _user_day_parts(lo, hi, start: date, end: date, now) -> list[tuple[str, str, str, str, list]]:
    """(figure, FROM … WHERE …, day column, user column, params) for every figure of UserDay."""
    rotation = ", ".join(f"'{r}'" for r in ROTATION_REASONS)
    span = [_param_time(lo), _param_time(hi)]
    due = "sales_followup f WHERE f.cancelled_at IS NULL AND f.owner_id IS NOT NULL AND f.due_at <= %s AND f.due_at >= %s AND f.due_at < %s"
    moves = "sales_statuschange sc JOIN customers_status ts ON ts.id = sc.to_status_id"
    parts = [
        ("calls", "sales_activity a WHERE a.kind = 'call' AND a.flagged = '' AND a.author_id IS NOT NULL"
                  " AND a.occurred_at >= %s AND a.occurred_at < %s", "a.occurred_at", "a.author_id", span),
        ("follow_ups_due", due, "f.due_at", "f.owner_id", [_param_time(now), *span]),
        ("follow_ups_on_time", due + f" AND f.done_at IS NOT NULL AND {_day_sql('f.done_at')} <= {_day_sql('f.due_at')}",
         "f.due_at", "f.owner_id", [_param_time(now), *span]),
        ("upgrades", f"{moves} JOIN customers_status fs ON fs.id = sc.from_status_id WHERE sc.backed_by_activity"
                     " AND fs.rank IS NOT NULL AND ts.rank > fs.rank AND sc.by_id IS NOT NULL AND sc.at >= %s AND sc.at < %s",
         "sc.at", "sc.by_id", span),
    ]
    for key, name in (("appointment", "appointments"), ("deposit", "deposits"), ("booking", "bookings")):
        parts.append((name, f"{moves} WHERE ts.key = '{key}' AND sc.by_id IS NOT NULL AND sc.at >= %s AND sc.at < %s",
                      "sc.at", "sc.by_id", span))
    parts += [
        ("rotated_in", f"customers_assignment s WHERE s.reason IN ({rotation}) AND s.user_id IS NOT NULL"
                       " AND s.started_at >= %s AND s.started_at < %s", "s.started_at", "s.user_id", span),
        ("rotated_out", f"customers_assignment s WHERE s.end_reason IN ({rotation}) AND s.user_id IS NOT NULL"
                        " AND s.ended_at >= %s AND s.ended_at < %s", "s.ended_at", "s.user_id", span),
        ("first_call_violations", "customers_assignment s WHERE s.end_reason = 'first_call' AND s.user_id IS NOT NULL"
                                  " AND s.ended_at >= %s AND s.ended_at < %s", "s.ended_at", "s.user_id", span),
    ]
    return parts


def rebuild_user_days(start: date, end: date) -> int:
    """Recount each person's work for local days start..end in one set-based statement."""
    lo, hi = day_bounds(start, end)
    selects, params = [], []
    for name, source, day_col, user_col, part_params in _user_day_parts(lo, hi, start, end, timezone.now()):
        figures = ", ".join(f"{1 if f == name else 0} AS {f}" for f in USER_DAY_FIELDS)
        selects.append(f"SELECT {_day_sql(day_col)} AS d, {user_col} AS u, {figures} FROM {source}")
        params += part_params
    figures = ", ".join(f"{1 if f == 'attended' else 0} AS {f}" for f in USER_DAY_FIELDS)
    selects.append(f"SELECT t.day AS d, t.user_id AS u, {figures} FROM accounts_attendance t WHERE t.day >= %s AND t.day <= %s")
    params += [start, end]
    columns = ", ".join(USER_DAY_FIELDS)
    sums = ", ".join(f"SUM({f})" for f in USER_DAY_FIELDS)
    sql = (
        f"INSERT INTO reports_userday (day, user_id, {columns}) SELECT d, u, {sums} FROM ("
        + " UNION ALL ".join(selects)
        + ") x GROUP BY d, u"
    )
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute("DELETE FROM reports_userday WHERE day >= %s AND day <= %s", [start, end])
        cur.execute(sql, params)
        return cur.rowcount


# --- the periodic work ------------------------------------------------------------------------------------


@dataclass
class RefreshResult:
    lead_days: int = 0
    user_days: int = 0
    speed_months: int = 0
    customers: int = 0
    ranges: int = 0


def _state(name: str) -> SummaryState:
    state, _ = SummaryState.objects.get_or_create(name=name)
    return state


def _dirty_days(model, time_field: str, last_id: int) -> set[date]:
    return set(
        model.objects.filter(pk__gt=last_id)
        .annotate(d=TruncDate(time_field, tzinfo=local_zone()))
        .values_list("d", flat=True)
        .distinct()
        .order_by()
    )


def _ranges(days: set[date]) -> list[tuple[date, date]]:
    """Contiguous runs of days, so a backfill of a month is one statement, not thirty."""
    out: list[tuple[date, date]] = []
    for day in sorted(d for d in days if d is not None):
        if out and day == out[-1][1] + timedelta(days=1):
            out[-1] = (out[-1][0], day)
        else:
            out.append((day, day))
    return out


WATCHED = (
    ("lead", Lead, "received_at"),
    ("activity", Activity, "occurred_at"),
    ("status_change", StatusChange, "at"),
    ("assignment", Assignment, "started_at"),
)


def refresh() -> RefreshResult:
    """The 5-minute run: recent days, days touched by new rows, customers changed since last time."""
    started = timezone.now()
    today = local_today()
    days = {today - timedelta(days=i) for i in range(RECENT_DAYS)}
    marks = {}
    speed_days: set[date] = set()
    for name, model, field in WATCHED:
        state = _state(name)
        top = model.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        if top > state.last_id:
            days |= _dirty_days(model, field, state.last_id)
            if name == "activity":
                speed_days |= late_called_days(state.last_id)
        marks[name] = top
    result = RefreshResult()
    for lo, hi in _ranges(days):
        result.lead_days += rebuild_lead_days(lo, hi)
        result.user_days += rebuild_user_days(lo, hi)
        result.ranges += 1
    for month in sorted({month_start(d) for d in days | speed_days if d is not None}):
        result.speed_months += rebuild_speed_months(month, month)
    facts = _state("customer_fact")
    since = facts.last_at - OVERLAP if facts.last_at else None
    result.customers = rebuild_customer_facts(since)
    SummaryState.objects.filter(name="customer_fact").update(last_at=started, refreshed_at=timezone.now())
    for name, top in marks.items():
        SummaryState.objects.filter(name=name).update(last_id=top, refreshed_at=timezone.now())
    return result


def rebuild() -> RefreshResult:
    """The nightly run: everything from scratch."""
    started = timezone.now()
    marks = {name: model.objects.order_by("-pk").values_list("pk", flat=True).first() or 0 for name, model, _ in WATCHED}
    result = RefreshResult()
    result.lead_days = rebuild_lead_days()
    result.speed_months = rebuild_speed_months()
    first = Customer.objects.order_by("created_at").values_list("created_at", flat=True).first()
    earliest = min(
        [d for d in (first, Activity.objects.order_by("occurred_at").values_list("occurred_at", flat=True).first()) if d],
        default=started,
    )
    result.user_days = rebuild_user_days(timezone.localdate(earliest, local_zone()) - timedelta(days=1), local_today())
    result.customers = rebuild_customer_facts(None)
    result.ranges = 1
    _state("customer_fact")
    SummaryState.objects.filter(name="customer_fact").update(last_at=started, refreshed_at=timezone.now())
    for name, top in marks.items():
        _state(name)
        SummaryState.objects.filter(name=name).update(last_id=top, refreshed_at=timezone.now())
    return result


def last_refreshed() -> datetime | None:
    return SummaryState.objects.filter(name="customer_fact").values_list("refreshed_at", flat=True).first()

"""The periodic sweep: reads only the customers whose stored deadline is due and acts on them in sets."""

import json
import logging
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from django.db import connection, transaction
from django.db.models import OuterRef, Subquery
from django.tasks import task
from django.utils import timezone

from leadpool.accounts.models import Role, Team, User
from leadpool.customers.models import Customer, Status
from leadpool.notify.service import notify

from . import config, deadlines, decisions, facts
from . import rules as r
from .distribution import Distributor
from .models import Candidate, Clock, DeadlineWarning, Violation

logger = logging.getLogger("leadpool.rotation")
BATCH = 20_000
SWEEP_LOCK = 7_311_005
DECISION_BATCH = 500


@dataclass
class Report:
    first_call_warnings: int = 0
    hold_warnings: int = 0
    reclaimed: int = 0
    candidates: int = 0
    neglected: int = 0
    escalated: int = 0
    auto_rotated: int = 0
    refreshed: int = 0
    would_list: list = field(default_factory=list)

    def as_dict(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if k != "would_list"}


@task()
def sweep_task() -> dict:
    return sweep().as_dict()


CLOCK_FIELDS = (
    "hold_anchor_at", "hold_ends_at", "first_call_due_at", "appointment_at", "calls", "contacts", "interactions", "notes",
    "follow_ups_done", "follow_up_scheduled", "contacts_after_appointment", "flagged", "kept_until", "kept_at", "rule_version",
)


def due_rows(now: datetime, batch: int = BATCH) -> tuple[list[dict], dict[int, dict | None]]:
    """The due customers with their clocks, in one indexed read (the clock joined, never a list of ids)."""
    joined = [f"rotation_clock__{f}" for f in CLOCK_FIELDS]
    rows = list(
        Customer.objects.filter(next_deadline_at__lte=now, next_deadline_kind__in=r.SWEPT_KINDS, merged_into__isnull=True)
        .order_by("next_deadline_at")
        .values("id", "name", "owner_id", "team_id", "status_id", "next_deadline_kind", "next_deadline_at", *joined)[:batch]
    )
    clocks: dict[int, dict | None] = {}
    for row in rows:
        clock = {f: row.pop(f"rotation_clock__{f}") for f in CLOCK_FIELDS}
        clocks[row["id"]] = clock if clock["rule_version"] is not None else None
    return rows, clocks


def sweep(now: datetime | None = None, *, dry_run: bool = False, batch: int = BATCH) -> Report:
    """One pass. Idempotent: what it handles moves its deadline on, so a second pass finds nothing new."""
    now = now or timezone.now()
    with transaction.atomic():
        _lock_sweep()
        return _sweep(now, dry_run=dry_run, batch=batch)


def _sweep(now: datetime, *, dry_run: bool, batch: int) -> Report:
    rules = config.current_rules()
    cal = config.calendar()
    report = Report()
    rows, clocks = due_rows(now, batch)
    by_kind: dict[str, list[dict]] = defaultdict(list)
    for row in rows:
        clock = clocks.get(row["id"])
        if clock is None or clock["rule_version"] != rules.version:
            # Computed under another rule version (or never): recompute this one before acting on it.
            if not dry_run:
                customer = Customer.objects.get(pk=row["id"])
                deadlines.refresh(customer, rules=rules, cal=cal, now=now)
                report.refreshed += 1
                if customer.next_deadline_at is None or customer.next_deadline_at > now:
                    continue
                row["next_deadline_kind"] = customer.next_deadline_kind
                clocks[row["id"]] = Clock.objects.filter(pk=row["id"]).values().first()
        by_kind[row["next_deadline_kind"]].append(row)

    # A warning found late, after its deadline has passed too (the worker was down), is skipped: act at once.
    for warning, deadline, field_name in ((r.FIRST_CALL_WARNING, r.FIRST_CALL, "first_call_due_at"), (r.HOLD_WARNING, r.HOLD, "hold_ends_at")):
        late = [x for x in by_kind[warning] if clocks.get(x["id"]) and clocks[x["id"]][field_name] and clocks[x["id"]][field_name] <= now]
        if late:
            late_ids = {x["id"] for x in late}
            by_kind[warning] = [x for x in by_kind[warning] if x["id"] not in late_ids]
            by_kind[deadline].extend(late)
            if not dry_run:
                _move_to(sorted(late_ids), field_name, deadline)

    statuses = {s.pk: s for s in Status.objects.all()}
    if dry_run:
        for row in by_kind[r.HOLD]:
            report.would_list.append(_evidence_line(row, clocks.get(row["id"]), statuses, rules, now))
        for row in by_kind[r.FIRST_CALL]:
            report.would_list.append({"customer": row["id"], "name": row["name"], "kind": "first_call", "owner": row["owner_id"]})
        return report

    _first_call_warnings(by_kind[r.FIRST_CALL_WARNING], clocks, rules, now, report)
    _hold_warnings(by_kind[r.HOLD_WARNING], clocks, now, report)
    _reclaim(by_kind[r.FIRST_CALL], rules, cal, now, report)
    _list_candidates(by_kind[r.HOLD], clocks, statuses, rules, cal, now, report)
    _decisions_due(rules, now, report)
    return report


def _move_to(ids: list[int], field_name: str, kind: str) -> None:
    """Point each customer's next deadline at the deadline its warning was about, in one statement."""
    if ids:
        Customer.objects.filter(pk__in=ids).update(
            next_deadline_at=Subquery(Clock.objects.filter(customer_id=OuterRef("pk")).values(field_name)[:1]),
            next_deadline_kind=kind,
        )


def _first_call_warnings(rows, clocks, rules, now, report) -> None:
    for row in rows:
        due = clocks[row["id"]]["first_call_due_at"]
        if due is None:
            continue
        with transaction.atomic():
            _, created = DeadlineWarning.objects.get_or_create(customer_id=row["id"], kind=r.FIRST_CALL, deadline_at=due)
            if created and row["owner_id"]:
                minutes = max(0, int((due - now).total_seconds() // 60))
                notify(
                    User.objects.get(pk=row["owner_id"]),
                    kind="speed_to_lead",
                    title=f"Gọi ngay: {row['name'] or row['id']}",
                    body=f"Còn {minutes} phút trước hạn gọi đầu tiên ({timezone.localtime(due):%H:%M}). Quá hạn khách sẽ được chuyển người khác.",
                    url=f"/customers/{row['id']}/",
                    customer=Customer(pk=row["id"]),
                )
                report.first_call_warnings += 1
    _move_to([x["id"] for x in rows], "first_call_due_at", r.FIRST_CALL)


def _hold_warnings(rows, clocks, now, report) -> None:
    if not rows:
        return
    with transaction.atomic():
        fresh = []
        for row in rows:
            end = clocks[row["id"]]["hold_ends_at"]
            if end is not None:
                fresh.append(DeadlineWarning(customer_id=row["id"], kind=r.HOLD, deadline_at=end, sent_at=now))
        DeadlineWarning.objects.bulk_create(fresh, ignore_conflicts=True, batch_size=2000)
        per_owner: dict[int, list[dict]] = defaultdict(list)
        for row in rows:
            if row["owner_id"] and clocks[row["id"]]["hold_ends_at"] is not None:
                per_owner[row["owner_id"]].append(row)
        # One message per person per pass: a salesperson with many customers ending is told once, with a count.
        for owner_id, mine in per_owner.items():
            first = mine[0]
            end = clocks[first["id"]]["hold_ends_at"]
            if len(mine) == 1:
                title = f"Sắp hết thời gian giữ: {first['name'] or first['id']}"
                body = f"Hết hạn lúc {timezone.localtime(end):%H:%M %d/%m}. Cập nhật chăm sóc để giữ khách."
                url = f"/customers/{first['id']}/"
            else:
                title = f"{len(mine)} khách sắp hết thời gian giữ"
                body = "Cập nhật chăm sóc trước khi khách vào danh sách đảo."
                url = "/"
            notify(User(pk=owner_id), kind="hold_warning", title=title, body=body, url=url)
            report.hold_warnings += len(mine)
        _move_to([x["id"] for x in rows], "hold_ends_at", r.HOLD)


def _reclaim(rows, rules, cal, now, report) -> None:
    distributors: dict[int | None, Distributor] = {}
    for row in rows:
        customer = Customer.objects.get(pk=row["id"])
        f, _ = facts.gather(customer, rules, now)
        if not r.first_call_violated(f, rules, cal, now):
            deadlines.refresh(customer, rules=rules, cal=cal, now=now)  # a call was logged meanwhile
            continue
        if customer.team_id not in distributors:
            distributors[customer.team_id] = Distributor(customer.team, at=now, rules=rules, cal=cal)
        try:
            decisions.reclaim_first_call(customer, at=now, rules=rules, distributor=distributors[customer.team_id])
        except Exception:  # one broken customer must not stop every later sweep
            logger.exception("first-call reclaim failed for customer %s", customer.pk)
            continue
        report.reclaimed += 1


def _facts_from_clock(row: dict, clock: dict, statuses: dict) -> r.Facts:
    status = statuses[row["status_id"]]
    care = r.Care(
        calls=clock["calls"], contacts=clock["contacts"], interactions=clock["interactions"], notes=clock["notes"],
        follow_ups_done=clock["follow_ups_done"], follow_up_scheduled=clock["follow_up_scheduled"],
        contacts_after_appointment=clock["contacts_after_appointment"], flagged=clock["flagged"],
    )
    return r.Facts(
        customer_id=row["id"], status_key=status.key, status_kind=status.kind, owner_id=row["owner_id"],
        hold_anchor_at=clock["hold_anchor_at"] or row["next_deadline_at"], appointment_at=clock["appointment_at"],
        care=care, kept_until=clock["kept_until"], kept_at=clock["kept_at"],
    )


def _evidence_line(row, clock, statuses, rules, now) -> dict:
    f = _facts_from_clock(row, clock, statuses)
    missing = r.minimum_care(f.care, rules)
    return {
        "customer": row["id"], "name": row["name"], "owner": row["owner_id"], "status": f.status_key,
        "kind": "neglected" if missing else "hold", "hold_ended": clock["hold_ends_at"], "missing_care": missing,
    }


def _list_candidates(rows, clocks, statuses, rules, cal, now, report) -> None:
    if not rows:
        return
    decide_by = r.decision_deadline(now, rules, cal)
    adapt = connection.ops.adapt_datetimefield_value
    listed_at, decide_at = adapt(now), adapt(decide_by)
    new_candidates, violations, per_team = [], [], defaultdict(int)
    for row in rows:
        clock = clocks[row["id"]]
        f = _facts_from_clock(row, clock, statuses)
        missing = r.minimum_care(f.care, rules)
        kind = Candidate.Kind.NEGLECTED if missing else Candidate.Kind.HOLD
        held_since = clock["hold_anchor_at"]
        days = rules.hold_days(f.status_key)
        rule = f"hold:{f.status_key}:{days:g}d" if days else f"hold:{f.status_key}"
        if f.kept_until is not None and f.kept_at is not None and held_since is not None and f.kept_at >= held_since:
            rule = f"keep:{f.status_key}"
        evidence = {
            "held_since": held_since.isoformat() if held_since else None,
            "hold_ended": clock["hold_ends_at"].isoformat() if clock["hold_ends_at"] else None,
            "days_held": round((now - held_since).total_seconds() / 86400, 1) if held_since else None,
            "checklist": r.checklist(f, rules),
            "missing_care": missing,
            "care": {k: clock[k] for k in ("calls", "contacts", "interactions", "notes", "follow_ups_done", "flagged")},
        }
        new_candidates.append(
            (row["id"], row["team_id"], row["owner_id"], f.status_key, kind, Candidate.State.OPEN, rule, rules.version,
             adapt(clock["hold_ends_at"] or now), listed_at, decide_at, json.dumps(evidence, ensure_ascii=False), "")
        )
        if missing and row["owner_id"]:
            violations.append(
                (row["owner_id"], row["id"], row["team_id"], Violation.Kind.NEGLECTED_CARE, listed_at, "; ".join(missing)[:300])
            )
            report.neglected += 1
        else:
            report.candidates += 1
        per_team[row["team_id"]] += 1
    with transaction.atomic():
        if connection.vendor == "postgresql":
            _pg_list(new_candidates)
        else:
            _insert(Candidate, CANDIDATE_COLUMNS, new_candidates, skip_conflicts=True)
            Customer.objects.filter(pk__in=[x["id"] for x in rows]).update(next_deadline_at=None, next_deadline_kind=r.CANDIDATE)
        _insert(Violation, VIOLATION_COLUMNS, violations)
        leaders = dict(Team.objects.filter(pk__in=[t for t in per_team if t]).values_list("pk", "leader_id"))
        for team_id, n in per_team.items():
            if leaders.get(team_id):
                notify(User(pk=leaders[team_id]), kind="rotation_candidates", title=f"{n} khách vào danh sách đảo",
                       body="Quyết định giữ, đảo hay phân lại.", url="/rotation/")


CANDIDATE_COLUMNS = (
    "customer_id", "team_id", "owner_id", "status_key", "kind", "state", "rule", "rule_version", "due_at", "listed_at",
    "decide_by", "evidence", "decision_reason",
)


VIOLATION_COLUMNS = ("user_id", "customer_id", "team_id", "kind", "at", "detail")
PG_TYPES = {
    "customer_id": "bigint", "team_id": "bigint", "owner_id": "bigint", "user_id": "bigint", "rule_version": "integer",
    "due_at": "timestamptz", "listed_at": "timestamptz", "decide_by": "timestamptz", "at": "timestamptz", "evidence": "text",
}


def _insert(model, columns: tuple, values: list[tuple], *, skip_conflicts: bool = False) -> None:
    """Many rows in one statement: unnest(arrays) on PostgreSQL, one prepared statement on SQLite.

    bulk_create spends ~0.3 ms a row on model objects we do not need; with skip_conflicts a customer
    already listed is skipped, never doubled.
    """
    if not values:
        return
    table = model._meta.db_table
    names = ", ".join(columns)
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            arrays = ", ".join(f"%s::{PG_TYPES.get(c, 'text')}[]" for c in columns)
            picked = ", ".join(f"u.{c}::jsonb" if c == "evidence" else f"u.{c}" for c in columns)
            sql = f"INSERT INTO {table} ({names}) SELECT {picked} FROM unnest({arrays}) AS u({names})"
            cur.execute(sql + (" ON CONFLICT DO NOTHING" if skip_conflicts else ""), [list(col) for col in zip(*values, strict=True)])
        else:
            marks = ", ".join("%s" for _ in columns)
            cur.executemany(f"INSERT {'OR IGNORE ' if skip_conflicts else ''}INTO {table} ({names}) VALUES ({marks})", values)


def _pg_list(values: list[tuple]) -> None:
    """COPY the new candidates into a scratch table, then insert them and park their customers, set-based.

    COPY is the cheapest way in (no 10,000-element parameter lists to render and parse); the insert skips
    a customer already listed; the customers' update joins the scratch table instead of a list of ids.
    """
    names = ", ".join(CANDIDATE_COLUMNS)
    with connection.cursor() as cur:
        cur.execute(
            "CREATE TEMP TABLE rotation_new_candidates ("
            + ", ".join(f"{c} {PG_TYPES.get(c, 'text')}" for c in CANDIDATE_COLUMNS)
            + ") ON COMMIT DROP"
        )
        with cur.cursor.copy(f"COPY rotation_new_candidates ({names}) FROM STDIN") as copy:
            for row in values:
                copy.write_row(row)
        picked = ", ".join(f"{c}::jsonb" if c == "evidence" else c for c in CANDIDATE_COLUMNS)
        cur.execute(f"INSERT INTO {Candidate._meta.db_table} ({names}) SELECT {picked} FROM rotation_new_candidates ON CONFLICT DO NOTHING")
        cur.execute(
            f"UPDATE {Customer._meta.db_table} AS c SET next_deadline_at = NULL, next_deadline_kind = %s "
            "FROM rotation_new_candidates n WHERE c.id = n.customer_id",
            [r.CANDIDATE],
        )
        cur.execute("DROP TABLE rotation_new_candidates")


def _lock_sweep() -> None:
    """One sweep at a time (PostgreSQL): two workers never list or reclaim the same customer twice."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("SELECT pg_advisory_xact_lock(%s)", [SWEEP_LOCK])


def _decisions_due(rules, now, report) -> None:
    """Undecided past the decision time: rotate by itself where the company turned that on, else escalate."""
    overdue = Candidate.objects.filter(state=Candidate.State.OPEN, decide_by__lte=now).select_related("customer__team")
    if rules.auto_rotate:
        distributors: dict[int | None, Distributor] = {}
        for candidate in overdue.filter(kind=Candidate.Kind.HOLD).order_by("decide_by", "id")[:DECISION_BATCH]:
            team = candidate.customer.team
            if candidate.team_id not in distributors:
                distributors[candidate.team_id] = Distributor(team, at=now, rules=rules)
            try:
                decisions.rotate(candidate, by=None, auto=True, distributor=distributors[candidate.team_id], at=now)
            except Exception:
                logger.exception("auto-rotation failed for candidate %s", candidate.pk)
                continue
            report.auto_rotated += 1
    to_escalate = list(overdue.filter(escalated_at__isnull=True).values_list("pk", flat=True)[:BATCH])
    if to_escalate:
        with transaction.atomic():
            report.escalated = Candidate.objects.filter(pk__in=to_escalate, escalated_at__isnull=True).update(escalated_at=now)
            managers = User.objects.filter(is_active=True).filter(role=Role.MANAGER) | User.objects.filter(is_active=True, is_superuser=True)
            for manager in managers.distinct():
                notify(manager, kind="rotation_escalated", title=f"{report.escalated} khách quá hạn quyết định đảo",
                       body="Trưởng nhóm chưa quyết định trong thời gian quy định.", url="/rotation/?escalated=1")

"""Importing CSV and XLSX files: streamed, normalized and matched in batches, written set-based.

Memory stays flat: rows are read as a stream (csv module; python-calamine for XLSX), handled a batch at a
time, and only the batch is held. Every row becomes a lead on exactly one customer, or is reported invalid
with its reason; imported customers get owners in bulk, balanced within the team, with assignment rows.
"""

from __future__ import annotations

import csv
import heapq
import io
import json
from array import array
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils import timezone

from leadpool import events
from leadpool.accounts.models import Membership, Role
from leadpool.customers.models import (
    Assignment,
    CapturePoint,
    Channel,
    Customer,
    Email,
    Group,
    Lead,
    Phone,
    Project,
    Status,
)
from leadpool.customers.normalize import (
    OLD_MOBILE_PREFIXES,
    clean_name,
    name_key,
    normalize_email,
    normalize_phone,
)
from leadpool.rotation import distribution

from . import bulk
from .fields import guess_mapping, status_for_relationship

BATCH_SIZE = 10_000
INVALID_SAMPLE = 100
XLSX_SUFFIXES = {".xlsx", ".xlsm", ".xlsb", ".xls", ".ods"}
ERR_NO_CONTACT = "Thiếu số điện thoại và e-mail"


# --- Reading -------------------------------------------------------------------------------------


class RowReader:
    """The header and then each row of a CSV or XLSX file, with how far through the file we are."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.size = self.path.stat().st_size
        self.xlsx = self.path.suffix.lower() in XLSX_SUFFIXES
        self._rows: Iterator[list] | None = None
        self._done_rows = 0
        self._total_rows = 0
        self._raw = None
        if self.xlsx:
            from python_calamine import CalamineWorkbook

            sheet = CalamineWorkbook.from_path(str(self.path)).get_sheet_by_index(0)
            self._total_rows = max(1, sheet.height)
            self._rows = iter(sheet.iter_rows())
        else:
            self._raw = open(self.path, "rb")  # noqa: SIM115 - closed in close()
            head = self._raw.read(8192)
            self._raw.seek(0)
            text = io.TextIOWrapper(self._raw, encoding="utf-8-sig", errors="replace", newline="")
            sample = head.decode("utf-8", errors="replace").split("\n", 1)[0]
            delimiter = max([",", ";", "\t"], key=sample.count)
            self._rows = csv.reader(text, delimiter=delimiter)
        try:
            header = next(self._rows)
        except StopIteration:
            header = []
        self.headers = [str(h).strip() if h is not None else "" for h in header]

    def __iter__(self) -> Iterator[list]:
        for row in self._rows:
            self._done_rows += 1
            yield row

    @property
    def position(self) -> int:
        """Bytes read so far (an estimate for XLSX, from rows read)."""
        if self.xlsx:
            return int(self.size * self._done_rows / self._total_rows)
        try:
            return self._raw.tell()
        except (OSError, ValueError):
            return 0

    def close(self) -> None:
        if self._raw is not None:
            self._raw.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def preview(path: str | Path, rows: int = 10) -> tuple[list[str], list[list[str]]]:
    with RowReader(path) as reader:
        out = []
        for row in reader:
            out.append([_text(v) for v in row])
            if len(out) >= rows:
                break
        return reader.headers, out


# --- Normalizing, fast ---------------------------------------------------------------------------

_SEPARATORS = str.maketrans("", "", " .-()\u00a0")
_FAST_PREFIX: dict[str, tuple[str | None, str, str | None]] = {}


def phone(raw) -> tuple[str | None, str, str | None]:
    """(e164, kind, error) like normalize_phone, with a fast path for the common Vietnamese mobile shapes.

    A 9-digit mobile's validity depends only on its first three digits (libphonenumber's VN metadata),
    so the slow verdict is taken once per prefix and reused; anything unusual goes the slow way.
    """
    if isinstance(raw, str):
        text = raw.strip().translate(_SEPARATORS)
        if text.startswith("+84"):
            nsn = text[3:]
        elif text.startswith("84") and len(text) >= 11:
            nsn = text[2:]
        elif text.startswith("0"):
            nsn = text[1:]
        else:
            nsn = ""
        if nsn.startswith("0"):
            nsn = nsn[1:]
        if nsn.isascii() and nsn.isdigit():
            if len(nsn) == 10 and nsn[:3] in OLD_MOBILE_PREFIXES:
                nsn = OLD_MOBILE_PREFIXES[nsn[:3]] + nsn[3:]
            if len(nsn) == 9 and nsn[0] in "35789":
                verdict = _FAST_PREFIX.get(nsn[:3])
                if verdict is None:
                    result = normalize_phone("+84" + nsn)
                    verdict = (result.e164 is not None and "ok", result.kind, result.error)
                    _FAST_PREFIX[nsn[:3]] = verdict
                if verdict[0]:
                    return "+84" + nsn, verdict[1], None
                return None, "", verdict[2]
    result = normalize_phone(raw)
    return result.e164, result.kind, result.error


@lru_cache(maxsize=200_000)
def _name(raw: str) -> tuple[str, str]:
    name = clean_name(raw)
    return name, name_key(name)


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


# --- Outcome -------------------------------------------------------------------------------------


@dataclass
class Outcome:
    rows: int = 0
    new: int = 0
    merged: int = 0
    invalid: int = 0
    reasons: Counter = field(default_factory=Counter)
    invalid_sample: list = field(default_factory=list)
    new_customer_ids: array = field(default_factory=lambda: array("q"))
    owners: Counter = field(default_factory=Counter)

    @property
    def line(self) -> str:
        return f"{self.rows} rows: {self.new} new customers, {self.merged} merged, {self.invalid} invalid"


@dataclass
class _Row:
    number: int
    name: str
    key: str
    phones: list  # [(e164, raw, kind)]
    emails: list
    projects: list[int]
    status: str | None
    group: str
    external_id: str
    campaign: str
    note: str
    raw: dict
    answers: dict
    phone_error: str


# --- The importer --------------------------------------------------------------------------------


class Importer:
    """One file into customers and leads. `dry_run` decides and counts exactly the same without writing."""

    def __init__(
        self,
        *,
        source,
        project=None,
        mapping: dict | None = None,
        dry_run: bool = False,
        by=None,
        batch_size: int = BATCH_SIZE,
        on_progress: Callable[[Outcome, int], None] | None = None,
        invalid_report: Path | None = None,
        label: str = "",
    ):
        self.source = source
        self.project = project
        self.mapping = mapping
        self.dry_run = dry_run
        self.by = by
        self.batch_size = batch_size
        self.on_progress = on_progress
        self.invalid_report = invalid_report
        self.label = label
        self.outcome = Outcome()
        self.now = timezone.now()
        # Dry runs write nothing, so repeats across batches are remembered here instead of in the tables.
        self._seen_phones: dict[str, int] = {}
        self._seen_emails: dict[str, int] = {}
        self._fake_id = 0
        self._statuses = dict(Status.objects.values_list("key", "pk"))
        self._projects: dict[str, int | None] = {}
        self._groups: dict[str, int] = {}
        self._teams: dict[tuple, object] = {}
        self._members: dict[int, list] = {}
        self._pairs: list = []

    # Reading and normalizing ------------------------------------------------------------------

    def _columns(self, headers: list[str]) -> dict[str, list[int]]:
        mapping = self.mapping or guess_mapping(headers)
        cols: dict[str, list[int]] = defaultdict(list)
        for i, header in enumerate(headers):
            target = mapping.get(header)
            if target:
                cols[{"phone2": "phone", "email2": "email"}.get(target, target)].append(i)
        return cols

    def _project_id(self, text: str) -> int | None:
        if text not in self._projects:
            project = Project.objects.filter(Q(code__iexact=text) | Q(name__iexact=text)).first()
            self._projects[text] = project.pk if project else None
        return self._projects[text]

    def _prepare(self, headers: list[str], cols: dict) -> None:
        """Column positions worked out once per file, so each row costs only its own values."""
        self._headers = [h or f"col{i + 1}" for i, h in enumerate(headers)]
        self._width = len(headers)
        self._single = {name: idx for name, idx in cols.items() if name not in ("phone", "email")}
        self._phone_idx = cols.get("phone", [])
        self._email_idx = cols.get("email", [])
        mapped = {i for idx in cols.values() for i in idx}
        self._answer_idx = [i for i in range(self._width) if i not in mapped]
        self._default_projects = (
            [self.project.pk] if self.project is not None
            else [self.source.default_project_id] if self.source.default_project_id else []
        )

    def _get(self, row: list, name: str) -> str:
        for i in self._single.get(name, ()):
            if i < len(row):
                value = row[i]
                if value is not None and value != "":
                    return _text(value)
        return ""

    def _parse(self, number: int, row: list) -> _Row:
        headers = self._headers
        raw = {}
        for i, value in enumerate(row[: self._width]):
            if value is not None and value != "":
                raw[headers[i]] = value if isinstance(value, (int, float, str)) else str(value)
        phones, errors = [], []
        for i in self._phone_idx:
            value = row[i] if i < len(row) else None
            if value is None or value == "":
                continue
            e164, kind, error = phone(value)
            if e164:
                if all(p[0] != e164 for p in phones):
                    phones.append((e164, _text(value)[:40], kind))
            else:
                errors.append(f"{_text(value)[:30]}: {error}")
        emails = []
        for i in self._email_idx:
            value = row[i] if i < len(row) else None
            if value:
                email = normalize_email(str(value))
                if email and email not in emails:
                    emails.append(email)
        get = self._get
        name, key = _name(get(row, "name"))
        projects = []
        project_text = get(row, "project")
        if project_text:
            pid = self._project_id(project_text)
            if pid:
                projects.append(pid)
        if not projects:
            projects = self._default_projects
        answers = {headers[i]: raw[headers[i]] for i in self._answer_idx if headers[i] in raw}
        relationship = get(row, "relationship")
        note, address = get(row, "note"), get(row, "address")
        return _Row(
            number=number,
            name=name,
            key=key,
            phones=phones,
            emails=emails,
            projects=projects,
            status=status_for_relationship(relationship) if relationship else None,
            group=get(row, "group"),
            external_id=get(row, "external_id")[:120],
            campaign=get(row, "campaign")[:200],
            note=f"{note}; {address}" if note and address else note or address,
            raw=raw,
            answers=answers,
            phone_error="; ".join(errors)[:120],
        )

    # Running ----------------------------------------------------------------------------------

    def run(self, path: str | Path) -> Outcome:
        report = None
        writer = None
        if self.invalid_report is not None:
            report = open(self.invalid_report, "w", newline="", encoding="utf-8-sig")  # noqa: SIM115
            writer = csv.writer(report)
        try:
            with RowReader(path) as reader:
                headers = reader.headers
                if writer:
                    writer.writerow(["dòng", "lý do", *headers])
                self._prepare(headers, self._columns(headers))
                batch: list[_Row] = []
                number = 1
                for row in reader:
                    number += 1
                    if not any(v is not None and v != "" for v in row):
                        continue
                    parsed = self._parse(number, row)
                    self.outcome.rows += 1
                    if not parsed.phones and not parsed.emails:
                        reason = parsed.phone_error or ERR_NO_CONTACT
                        self._invalid(parsed, reason, writer, row)
                        continue
                    batch.append(parsed)
                    if len(batch) >= self.batch_size:
                        self._batch(batch)
                        batch = []
                        if self.on_progress:
                            self.on_progress(self.outcome, reader.position)
                if batch:
                    self._batch(batch)
                if self.on_progress:
                    self.on_progress(self.outcome, reader.size)
        finally:
            if report is not None:
                report.close()
        if not self.dry_run:
            self._after()
        return self.outcome

    def _invalid(self, parsed: _Row, reason: str, writer, row: list) -> None:
        self.outcome.invalid += 1
        # Group reasons by their kind, not by the number that carried them.
        self.outcome.reasons[reason.split(": ", 1)[-1]] += 1
        if len(self.outcome.invalid_sample) < INVALID_SAMPLE:
            self.outcome.invalid_sample.append({"row": parsed.number, "reason": reason, "values": parsed.raw})
        if writer is not None:
            writer.writerow([parsed.number, reason, *[_text(v) for v in row]])

    def _batch(self, rows: list[_Row]) -> None:
        if self.dry_run:
            self._decide(rows, self._seen_phones, self._seen_emails, remember=True)
            return
        for attempt in range(3):
            saved = (self.outcome.new, self.outcome.merged, len(self.outcome.new_customer_ids),
                     Counter(self.outcome.owners), len(self._pairs))
            try:
                with transaction.atomic():
                    self._write(rows)
                return
            except IntegrityError:
                # Someone captured the same person between our lookup and our write: look again.
                self.outcome.new, self.outcome.merged = saved[0], saved[1]
                del self.outcome.new_customer_ids[saved[2]:]
                self.outcome.owners = saved[3]
                del self._pairs[saved[4]:]
                if attempt == 2:
                    raise

    def _lookup(self, rows: list[_Row]) -> tuple[dict, dict]:
        phones = {p[0] for r in rows for p in r.phones}
        emails = {e for r in rows for e in r.emails}
        by_phone = bulk.pairs_where_in(Phone, "e164", "customer_id", phones)
        by_email = bulk.pairs_where_in(Email, "address", "customer_id", emails)
        found = set(by_phone.values()) | set(by_email.values())
        if found:
            moved = {k: v for k, v in bulk.pairs_where_in(Customer, "id", "merged_into_id", found).items() if v}
            if moved:
                by_phone = {k: moved.get(v, v) for k, v in by_phone.items()}
                by_email = {k: moved.get(v, v) for k, v in by_email.items()}
        return by_phone, by_email

    def _decide(self, rows: list[_Row], by_phone: dict, by_email: dict, *, remember: bool):
        """Which customer each row belongs to: (row, customer id or a negative placeholder, new contacts)."""
        if remember:
            db_phone, db_email = self._lookup(rows)
            for k, v in db_phone.items():
                by_phone.setdefault(k, v)
            for k, v in db_email.items():
                by_email.setdefault(k, v)
        decided = []
        for r in rows:
            hits = [by_phone[p[0]] for p in r.phones if p[0] in by_phone] + [by_email[e] for e in r.emails if e in by_email]
            if hits:
                cid = hits[0]
                for other in set(hits[1:]) - {cid}:
                    if cid > 0 and other > 0:
                        self._pairs.append((cid, other))
                self.outcome.merged += 1
                created = False
            else:
                self._fake_id -= 1
                cid = self._fake_id
                self.outcome.new += 1
                created = True
            new_phones = [p for p in r.phones if p[0] not in by_phone]
            new_emails = [e for e in r.emails if e not in by_email]
            for p in new_phones:
                by_phone[p[0]] = cid
            for e in new_emails:
                by_email[e] = cid
            decided.append((r, cid, created, new_phones, new_emails))
        return decided

    # Writing ----------------------------------------------------------------------------------

    def _team(self, project_ids: list[int]):
        key = tuple(project_ids)
        if key not in self._teams:
            projects = list(Project.objects.filter(pk__in=project_ids))
            self._teams[key] = distribution.team_for(projects, self.source)
        return self._teams[key]

    def _heap(self, team) -> list:
        """Eligible salespeople of a team as a heap of (open customers, tie-breaker, user id)."""
        if team.pk not in self._members:
            ids = list(
                Membership.objects.filter(team=team, active=True, user__is_active=True, user__role=Role.SALES)
                .values_list("user_id", flat=True)
            )
            load = dict(
                Customer.objects.live()
                .filter(owner_id__in=ids, status__kind=Status.Kind.OPEN)
                .values("owner_id")
                .annotate(n=Count("id"))
                .values_list("owner_id", "n")
            )
            # Ties go to a hash of the id, never to who joined first.
            heap = [(load.get(uid, 0), hash((uid, "import")) & 0xFFFF, uid) for uid in ids]
            heapq.heapify(heap)
            self._members[team.pk] = heap
        return self._members[team.pk]

    def _owner_for(self, project_ids: list[int]) -> tuple[int | None, int | None]:
        team = self._team(project_ids)
        if team is None:
            return None, None
        heap = self._heap(team)
        if not heap:
            return None, team.pk
        load, tie, uid = heapq.heappop(heap)
        heapq.heappush(heap, (load + 1, tie, uid))
        return uid, team.pk

    def _group_id(self, name: str) -> int:
        if name not in self._groups:
            group, _ = Group.objects.get_or_create(parent=None, name=name[:120])
            self._groups[name] = group.pk
        return self._groups[name]

    def _write(self, rows: list[_Row]) -> None:
        by_phone, by_email = self._lookup(rows)
        decided = self._decide(rows, dict(by_phone), dict(by_email), remember=False)
        now = self.now
        new = [d for d in decided if d[2]]
        ids = bulk.allocate_ids(Customer, len(new))
        real = {d[1]: cid for d, cid in zip(new, ids, strict=True)}
        lead_ids = bulk.allocate_ids(Lead, len(decided))

        customers = bulk.Table(Customer, now=now)
        phones_t = bulk.Table(Phone, now=now)
        emails_t = bulk.Table(Email, now=now)
        leads_t = bulk.Table(Lead, now=now)
        assign_t = bulk.Table(Assignment, now=now, with_pk=False)
        at = customers.prep_value("created_at", now)
        at_lead = leads_t.prep_value("received_at", now)
        at_phone = phones_t.prep_value("created_at", now)
        at_assign = assign_t.prep_value("started_at", now)
        new_status = self._statuses["new"]
        source_id = self.source.pk

        customer_rows, assignment_rows, owner_of = [], [], {}
        for r, placeholder, _created, _p, _e in new:
            cid = real[placeholder]
            owner, team = self._owner_for(r.projects)
            owner_of[cid] = owner
            if owner:
                self.outcome.owners[owner] += 1
            customer_rows.append(
                customers.row(
                    {
                        "id": cid, "name": r.name[:160], "name_key": r.key[:160],
                        "status_id": self._statuses.get(r.status, new_status) if r.status else new_status,
                        "status_entered_at": at, "owner_id": owner, "owner_since": at if owner else None,
                        "team_id": team, "first_source_id": source_id, "latest_source_id": source_id,
                        "first_lead_at": at, "last_lead_at": at, "created_at": at, "updated_at": at,
                    }
                )
            )
            assignment_rows.append(
                assign_t.row(
                    {
                        "customer_id": cid, "user_id": owner, "team_id": team, "started_at": at_assign,
                        "reason": Assignment.Reason.IMPORT if owner else Assignment.Reason.POOL,
                        "rule": "import", "note": self.label[:200],
                        "explanation": '{"method": "import_least_load"}',
                    }
                )
            )
            self.outcome.new_customer_ids.append(cid)

        phone_rows, email_rows, lead_rows = [], [], []
        lead_projects, customer_projects, customer_groups = [], [], []
        merged_ids = set()
        owners_now = {}
        existing = [d[1] for d in decided if not d[2]]
        if existing:
            owners_now = bulk.pairs_where_in(Customer, "id", "owner_id", {cid for cid in existing if cid > 0})
        for (r, placeholder, created, new_phones, new_emails), lead_id in zip(decided, lead_ids, strict=True):
            cid = real.get(placeholder, placeholder)
            if not created:
                merged_ids.add(cid)
            for e164, raw, kind in new_phones:
                phone_rows.append((cid, e164, raw, kind, at_phone))
            for email in new_emails:
                email_rows.append((cid, email, at_phone))
            lead_rows.append(
                leads_t.row(
                    {
                        "id": lead_id, "customer_id": cid, "source_id": source_id, "channel": Channel.IMPORT,
                        "capture_point": CapturePoint.IMPORT, "external_id": r.external_id,
                        "campaign": r.campaign, "name": r.name[:160],
                        "phone_raw": ", ".join(p[1] for p in r.phones)[:60], "email_raw": ", ".join(r.emails)[:254],
                        "phone_invalid_reason": r.phone_error, "answers": bulk._json(r.answers), "note": r.note,
                        "raw_payload": bulk._json(r.raw), "is_returning": not created, "received_at": at_lead,
                        "owner_at_arrival_id": owner_of.get(cid) if created else owners_now.get(cid),
                    }
                )
            )
            for pid in r.projects:
                lead_projects.append((lead_id, pid))
                customer_projects.append((cid, pid))
            if r.group:
                customer_groups.append((cid, self._group_id(r.group)))

        bulk.insert(customers, customer_rows)
        bulk.insert(phones_t, phone_rows, columns=["customer_id", "e164", "raw", "kind", "created_at"])
        bulk.insert(emails_t, email_rows, columns=["customer_id", "address", "created_at"])
        bulk.insert(leads_t, lead_rows)
        bulk.insert(assign_t, assignment_rows)
        if lead_projects:
            through = Lead.projects.through
            bulk.insert_pairs(through._meta.db_table, "lead_id", "project_id", lead_projects)
        if customer_projects:
            through = Customer.projects.through
            bulk.insert_pairs(through._meta.db_table, "customer_id", "project_id", customer_projects)
        if customer_groups:
            through = Customer.groups.through
            bulk.insert_pairs(through._meta.db_table, "customer_id", "group_id", customer_groups)
        if merged_ids:
            bulk.update_where_in(Customer, merged_ids, {"latest_source_id": source_id, "last_lead_at": now, "updated_at": now})
        # Listeners (rotation's deadlines) get the whole batch at once rather than one event per customer.
        events.emit("customers_imported", customer_ids=list(real.values()), merged_ids=sorted(merged_ids), at=now)

    def _after(self) -> None:
        from leadpool.audit import log as audit
        from leadpool.customers import matching
        from leadpool.notify.service import notify

        if self._pairs:
            matching.record(matching.Pair.of(a, b, matching.SHARED_CONTACT, "import") for a, b in self._pairs)
        from leadpool.accounts.models import User

        users = User.objects.in_bulk(list(self.outcome.owners))
        for uid, count in self.outcome.owners.items():
            notify(
                users[uid],
                kind="customer.assigned",
                title=f"Bạn được giao {count} khách từ file nhập",
                body=f"{self.label} · nguồn {self.source.name}",
                url="/customers/",
            )
        audit.record(
            "intake.imported",
            actor=self.by,
            data={
                "file": self.label, "source": self.source.key, "rows": self.outcome.rows, "new": self.outcome.new,
                "merged": self.outcome.merged, "invalid": self.outcome.invalid,
                "owners": {str(k): v for k, v in self.outcome.owners.items()},
            },
        )


def run_file(path, *, source, project=None, mapping=None, dry_run=False, by=None, **kwargs) -> Outcome:
    return Importer(source=source, project=project, mapping=mapping, dry_run=dry_run, by=by, **kwargs).run(path)


def as_json(outcome: Outcome) -> dict:
    return json.loads(json.dumps({"reasons": dict(outcome.reasons), "sample": outcome.invalid_sample}, default=str))

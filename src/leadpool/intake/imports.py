"""Importing CSV and XLSX files: streamed, normalized and matched in batches, written set-based.

Memory stays flat: rows are read as a stream (csv module; python-calamine for XLSX), handled a batch at a
time, and only the batch is held. Every row becomes a lead on exactly one customer, or is reported invalid
with its reason; imported customers get owners in bulk, balanced within the team, with assignment rows.
"""

from __future__ import annotations

import csv
import gc
import heapq
import io
import json
import queue
import re
import sys
import threading
import zlib
from array import array
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils import timezone

from leadpool import events
from leadpool.accounts.models import Membership, Role, Team, User
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
    Source,
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
from leadpool.rotation.models import Clock

from . import bulk
from .fields import guess_mapping, status_for_relationship

BATCH_SIZE = 10_000
INVALID_SAMPLE = 100
XLSX_SUFFIXES = {".xlsx", ".xlsm", ".xlsb", ".xls", ".ods"}
STREAMED_XLSX = {".xlsx", ".xlsm"}  # the ones openpyxl reads row by row (read_only)
XLSX_IN_MEMORY_BYTES = 16 * 1024 * 1024  # up to ~400k rows: the fast reader's whole sheet stays < 100 MB
XLSX_BYTES_PER_ROW = 40  # compressed, for the progress estimate of a streamed workbook
ERR_NO_CONTACT = "Thiếu số điện thoại và e-mail"
SWITCH_INTERVAL = 0.0005  # seconds; see read_ahead()


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
        self._book = None
        if self.xlsx and self.path.suffix.lower() in STREAMED_XLSX and self.size > XLSX_IN_MEMORY_BYTES:
            # calamine holds the whole sheet (~250 bytes a row): a big workbook is streamed instead, slower.
            import openpyxl

            self._book = openpyxl.load_workbook(self.path, read_only=True, data_only=True)
            self._total_rows = max(1, self.size // XLSX_BYTES_PER_ROW)
            self._rows = self._book.worksheets[0].iter_rows(values_only=True)
        elif self.xlsx:
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
        if not self.xlsx:
            return iter(self._rows)  # its position is the file's, no count needed
        return self._counted()

    def _counted(self) -> Iterator[list]:
        for row in self._rows:
            self._done_rows += 1
            yield row

    @property
    def position(self) -> int:
        """Bytes read so far (an estimate for XLSX, from rows read)."""
        if self.xlsx:
            return min(self.size, int(self.size * self._done_rows / self._total_rows))
        try:
            return self._raw.tell()
        except (OSError, ValueError):
            return 0

    def close(self) -> None:
        if self._raw is not None:
            self._raw.close()
        if self._book is not None:
            self._book.close()

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

_SEPARATORS = (" ", ".", "-", "(", ")", "\u00a0")
_FAST_PREFIX: dict[str, tuple[str | None, str, str | None]] = {}


def phone(raw) -> tuple[str | None, str, str | None]:
    """(e164, kind, error) like normalize_phone, with a fast path for the common Vietnamese mobile shapes.

    A 9-digit mobile's validity depends only on its first three digits (libphonenumber's VN metadata),
    so the slow verdict is taken once per prefix and reused; anything unusual goes the slow way.
    """
    if isinstance(raw, str):
        text = raw.strip()
        for separator in _SEPARATORS:  # str.replace finds an absent one in one pass: cheaper than translate()
            if separator in text:
                text = text.replace(separator, "")
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


_PLAIN_EMAIL = re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)+")


def email(raw) -> str | None:
    """normalize_email, with a fast path for the plain ASCII addresses nearly every file holds.

    Such an address has nothing to strip, fold or reject except a numeric or one-letter top-level domain.
    """
    text = raw.strip() if isinstance(raw, str) else ""
    if len(text) <= 254 and _PLAIN_EMAIL.fullmatch(text):
        tld = text.rsplit(".", 1)[1]
        if len(tld) >= 2 and not tld.isdigit():
            return text.lower()
    return normalize_email(str(raw))


@lru_cache(maxsize=200_000)
def _name(raw: str) -> tuple[str, str]:
    name = clean_name(raw)
    return name, name_key(name)


_encode = json.encoder.encode_basestring  # the C encoder when available


def _json_object(values: dict) -> str:
    """json.dumps(values, ensure_ascii=False) for a flat dict of str keys and scalars, a few times faster."""
    if not values:
        return "{}"
    return "{" + ", ".join(
        [_encode(k) + ": " + (_encode(v) if isinstance(v, str) else json.dumps(v)) for k, v in values.items()]
    ) + "}"


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


@contextmanager
def _fewer_collections():
    """The garbage collector, less often while a file is imported.

    A batch allocates a few hundred thousand small containers (rows, tuples, dicts) without cycles, and the
    collector ran ~400 young collections per 100,000 rows, each also walking what the batches in flight
    hold: a quarter of the importer's CPU (still ~10% with a 50,000 threshold at a million rows). So the
    automatic collections pause while the file is imported, and what the process held before is frozen out
    of them; the few cycles a batch leaves are collected once the import ends.
    """
    enabled = gc.isenabled()
    gc.freeze()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
        gc.unfreeze()


def _nothing(row: list) -> str:
    return ""


def _getter(idx: list[int], plain: bool) -> Callable[[list], str]:
    """row → the field's text: its first non-empty column among `idx` (one column nearly always)."""
    if len(idx) == 1:
        i = idx[0]
        if plain:
            return lambda row: row[i].strip() if i < len(row) else ""
        return lambda row: _text(row[i]) if i < len(row) and row[i] is not None and row[i] != "" else ""

    def first(row: list) -> str:
        for i in idx:
            if i < len(row):
                value = row[i]
                if value is not None and value != "":
                    return _text(value)
        return ""

    return first


def read_ahead(items: Iterator, depth: int = 1) -> Iterator:
    """Iterate `items` produced by a thread up to `depth` items ahead (bounded, so memory stays flat).

    Parsing is pure Python while writing mostly waits on the database, so the two overlap. An error in
    the producer is raised here; stopping early (an error while writing) ends the producer.
    """
    done = object()
    slots: queue.Queue = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def put(item) -> bool:
        while not stop.is_set():
            try:
                slots.put(item, timeout=0.2)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        try:
            for item in items:
                if not put((item, None)):
                    return
            put((done, None))
        except BaseException as exc:  # noqa: BLE001 - handed to the consumer, which raises it
            put((done, exc))

    thread = threading.Thread(target=produce, name="import-reader", daemon=True)
    # The writer hands the GIL to the reader at each database call and wants it back when the answer comes:
    # by default it waits up to 5 ms for the reader to let go, ~20 times a batch, with the server idle.
    interval = sys.getswitchinterval()
    sys.setswitchinterval(SWITCH_INTERVAL)
    thread.start()
    try:
        while True:
            item, error = slots.get()
            if item is done:
                if error is not None:
                    raise error
                return
            yield item
    finally:
        stop.set()
        thread.join()
        sys.setswitchinterval(interval)


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


@dataclass(slots=True)
class _Row:
    number: int
    name: str
    key: str
    phones: list  # [(e164, raw, kind)]
    emails: list
    projects: list[int] | str
    status: str | None
    group: str
    external_id: str
    campaign: str
    note: str
    raw: dict
    phone_error: str
    # The lead's texts, made while parsing (in the read-ahead thread, while the database writes a batch).
    phone_raw: str
    email_raw: str
    answers_json: str
    raw_json: str


@dataclass(slots=True)
class _Plan:
    """A batch decided and given its ids and owners, ready to be written."""

    decided: list  # (row, customer id or placeholder, created, new phones, new e-mails)
    cids: list[int]  # the customer id of each decided row
    lead_ids: list[int]
    fresh: list[tuple]  # see Importer._hand_out
    owners: dict  # customer id → owner id, for the leads' owner at arrival
    returning: set  # customers on file before the batch
    tags: tuple  # see Importer._tags
    created: list[int]
    phones: dict  # the batch's new phones and e-mails → customer id, for the next batch's plan
    emails: dict
    new_owners: dict
    tables: dict  # table → rows, see Importer._table_rows


class _Writer:
    """A thread storing planned batches one at a time, each in its own transaction, on its own connection.

    put() hands over the next plan (waiting while one is still queued); wait(k) returns once batch k is
    committed or a batch failed. After a failure the rest of the queue is dropped, unwritten.
    """

    def __init__(self, importer: Importer, *, committed: int = -1):
        self.importer = importer
        self.committed = committed
        self.failed: int | None = None  # the batch that could not be stored
        self.error: BaseException | None = None
        self._slots: queue.Queue = queue.Queue(maxsize=1)
        self._changed = threading.Condition()
        self._thread = threading.Thread(target=self._run, name="import-writer", daemon=True)
        self._thread.start()

    def put(self, index: int, plan: _Plan, position: int) -> None:
        self._slots.put((index, plan, position))

    def wait(self, index: int) -> None:
        with self._changed:
            self._changed.wait_for(lambda: self.committed >= index or self.failed is not None)

    def close(self) -> None:
        if self._thread.is_alive():
            self._slots.put(None)
            self._thread.join()

    def _run(self) -> None:
        from django.db import connection

        importer = self.importer
        try:
            while (item := self._slots.get()) is not None:
                index, plan, position = item
                if self.failed is not None:
                    continue
                try:
                    with transaction.atomic():
                        bulk.begin_batch(row_triggers=not importer._references_per_batch())
                        importer._store(plan)
                    importer._progress(position)  # after the commit: progress never claims unwritten rows
                except BaseException as exc:  # noqa: BLE001 - handed to the importer's thread
                    with self._changed:
                        self.failed, self.error = index, exc
                        self._changed.notify_all()
                    continue
                with self._changed:
                    self.committed = index
                    self._changed.notify_all()
        finally:
            connection.close()


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
        self._per_batch: bool | None = None
        self._rotation = None
        self._deadlines: dict[tuple, dict] = {}
        self._status_rows = {pk: (key, kind) for pk, key, kind in Status.objects.values_list("pk", "key", "kind")}
        self._project_codes = {pk: (code, phase) for pk, code, phase in Project.objects.values_list("pk", "code", "phase")}

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

    def _prepare(self, headers: list[str], cols: dict, *, plain: bool = False) -> None:
        """Column positions worked out once per file, so each row costs only its own values.

        `plain`: every value is a str, "" when empty (CSV), which allows the cheaper tests.
        """
        self._headers = [h or f"col{i + 1}" for i, h in enumerate(headers)]
        self._width = len(headers)
        self._plain = plain
        self._get = {name: _getter(idx, plain) for name, idx in cols.items() if name not in ("phone", "email")}
        for name in ("name", "relationship", "note", "address", "project", "group", "external_id", "campaign"):
            self._get.setdefault(name, _nothing)
        self._phone_idx = cols.get("phone", [])
        self._email_idx = cols.get("email", [])
        mapped = {i for idx in cols.values() for i in idx}
        self._answer_idx = [i for i in range(self._width) if i not in mapped]
        self._statuses_by_relationship: dict[str, str | None] = {}
        self._default_projects = (
            [self.project.pk] if self.project is not None
            else [self.source.default_project_id] if self.source.default_project_id else []
        )

    def _status_for(self, relationship: str) -> str | None:
        if relationship not in self._statuses_by_relationship:
            self._statuses_by_relationship[relationship] = status_for_relationship(relationship)
        return self._statuses_by_relationship[relationship]

    def _contacts(self, row: list) -> tuple[list, list, list]:
        """The row's phones [(e164, raw, kind)] and e-mails, each once, and the reasons of its bad numbers."""
        phones, errors, width = [], [], len(row)
        for i in self._phone_idx:
            value = row[i] if i < width else None
            if value is None or value == "":
                continue
            e164, kind, error = phone(value)
            if e164:
                if not phones or all(p[0] != e164 for p in phones):
                    phones.append((e164, _text(value)[:40], kind))
            else:
                errors.append(f"{_text(value)[:30]}: {error}")
        emails = []
        for i in self._email_idx:
            value = row[i] if i < width else None
            if value:
                address = email(value)
                if address and address not in emails:
                    emails.append(address)
        return phones, emails, errors

    def _parse(self, number: int, row: list) -> _Row:
        headers = self._headers
        if self._plain:
            raw = {h: v for h, v in zip(headers, row, strict=False) if v}
        else:
            raw = {h: v if isinstance(v, (int, float, str)) else str(v)
                   for h, v in zip(headers, row, strict=False) if v is not None and v != ""}
        phones, emails, errors = self._contacts(row)
        get = self._get
        name, key = _name(get["name"](row))
        answers = {headers[i]: raw[headers[i]] for i in self._answer_idx if headers[i] in raw}
        relationship = get["relationship"](row)
        note, address = get["note"](row), get["address"](row)
        return _Row(
            number=number,
            name=name,
            key=key,
            phones=phones,
            emails=emails,
            projects=get["project"](row),  # its name or code until _resolve() makes it ids
            status=self._status_for(relationship) if relationship else None,
            group=get["group"](row),
            external_id=get["external_id"](row)[:120],
            campaign=get["campaign"](row)[:200],
            note=f"{note}; {address}" if note and address else note or address,
            raw=raw,
            phone_error="; ".join(errors)[:120],
            phone_raw=", ".join([p[1] for p in phones])[:60],
            email_raw=", ".join(emails)[:254],
            answers_json=_json_object(answers),
            raw_json=_json_object(raw),
        )

    # Running ----------------------------------------------------------------------------------

    def run(self, path: str | Path) -> Outcome:
        report = None
        writer = None
        if self.invalid_report is not None:
            report = open(self.invalid_report, "w", newline="", encoding="utf-8-sig")  # noqa: SIM115
            writer = csv.writer(report)
        try:
            with RowReader(path) as reader, _fewer_collections():
                headers = reader.headers
                if writer:
                    writer.writerow(["dòng", "lý do", *headers])
                self._prepare(headers, self._columns(headers), plain=not reader.xlsx)
                # A thread reads and normalizes the next batch while this one is matched and written.
                batches = read_ahead(self._batches(reader, writer))
                if self._pipelined():
                    self._run_pipelined(batches)
                else:
                    for batch, position in batches:
                        self._resolve(batch)
                        self._batch(batch)
                        self._progress(position)
                if self.on_progress:
                    self.on_progress(self.outcome, reader.size)
        finally:
            if report is not None:
                report.close()
        if not self.dry_run:
            self._after()
        return self.outcome

    def _progress(self, position: int) -> None:
        if self.on_progress:
            self.on_progress(self.outcome, position)

    def _pipelined(self) -> bool:
        """Whether batches are written by a thread of their own while the next one is planned.

        On PostgreSQL, and only outside a transaction: the writer has its own connection, so inside the
        caller's transaction (a test, a caller wanting all or nothing) everything stays on the caller's.
        """
        return not self.dry_run and bulk.is_postgres() and not transaction.get_connection().in_atomic_block

    def _run_pipelined(self, batches: Iterator) -> None:
        """Plan batch k while the writer stores batch k-1, on two connections (two server processes).

        Batch k's look-up waits until k-2 is committed and takes what k-1 created from k-1's plan. When the
        writer cannot store a batch (someone captured the same person meanwhile), it and the batch planned
        after it are planned and written again, one at a time, as without the writer.
        """
        writer = _Writer(self)
        pending: list[tuple[int, list, int, _Plan, tuple]] = []  # handed to the writer, not known committed
        try:
            for index, (rows, position) in enumerate(batches):
                self._resolve(rows)
                writer.wait(index - 2)
                if writer.failed is not None:
                    writer = self._recover(writer, pending)
                pending = [p for p in pending if p[0] > writer.committed]
                saved = self._saved()
                with transaction.atomic():
                    bulk.begin_batch(row_triggers=True)  # settings only: planning writes nothing
                    plan = self._plan(rows, unwritten=pending[-1][3] if pending else None)
                pending.append((index, rows, position, plan, saved))
                writer.put(index, plan, position)
            if pending:
                writer.wait(pending[-1][0])
            if writer.failed is not None:
                writer = self._recover(writer, pending)
        finally:
            writer.close()
        if writer.error is not None:
            raise writer.error

    def _recover(self, writer: _Writer, pending: list) -> _Writer:
        """The writer failed on a batch: write it and those planned after it again, one at a time."""
        writer.close()
        if not isinstance(writer.error, IntegrityError):
            raise writer.error
        failed_at = writer.failed
        todo = [p for p in pending if p[0] >= failed_at]
        self._restore(todo[0][4])
        for _index, rows, position, _plan, _saved in todo:
            self._batch(rows)
            self._progress(position)
        pending.clear()
        return _Writer(self, committed=todo[-1][0])

    def _batches(self, reader: RowReader, writer) -> Iterator[tuple[list[_Row], int]]:
        """Parsed rows in batches, with the file position after each; invalid rows reported on the way.

        Runs in the read-ahead thread, so it touches no database (projects are resolved by _resolve).
        """
        batch: list[_Row] = []
        number = 1
        plain = self._plain
        for row in reader:
            number += 1
            if not (any(row) if plain else any(v is not None and v != "" for v in row)):
                continue
            parsed = self._parse(number, row)
            self.outcome.rows += 1
            if not parsed.phones and not parsed.emails:
                self._invalid(parsed, parsed.phone_error or ERR_NO_CONTACT, writer, row)
                continue
            batch.append(parsed)
            if len(batch) >= self.batch_size:
                yield batch, reader.position
                batch = []
        if batch:
            yield batch, reader.position

    def _resolve(self, rows: list[_Row]) -> None:
        """A row's project column (name or code) to ids; without one, the import's or the source's project."""
        for r in rows:
            pid = self._project_id(r.projects) if r.projects else None
            r.projects = [pid] if pid else self._default_projects

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
            with transaction.atomic():
                bulk.begin_batch(row_triggers=True)  # settings only: a dry run writes nothing
                self._decide(rows, self._seen_phones, self._seen_emails, remember=True)
            return
        for attempt in range(3):
            saved = self._saved()
            try:
                with transaction.atomic():
                    bulk.begin_batch(row_triggers=not self._references_per_batch())
                    self._store(self._plan(rows))
                return
            except IntegrityError:
                # Someone captured the same person between our lookup and our write: look again.
                self._restore(saved)
                if attempt == 2:
                    raise

    def _saved(self) -> tuple:
        """What planning a batch changes in the importer, to undo it when the batch is not written."""
        return (self.outcome.new, self.outcome.merged, len(self.outcome.new_customer_ids), Counter(self.outcome.owners),
                len(self._pairs), {team: list(heap) for team, heap in self._members.items()})

    def _restore(self, saved: tuple) -> None:
        self.outcome.new, self.outcome.merged = saved[0], saved[1]
        del self.outcome.new_customer_ids[saved[2]:]
        self.outcome.owners = Counter(saved[3])
        del self._pairs[saved[4]:]
        self._members = {team: list(heap) for team, heap in saved[5].items()}

    def _lookup(self, rows: list[_Row]) -> tuple[dict, dict, dict]:
        """The batch's phones and e-mails already on file: one query for the whole batch."""
        phones = {p[0] for r in rows for p in r.phones}
        emails = {e for r in rows for e in r.emails}
        return bulk.contacts(phones, emails)

    def _decide(self, rows: list[_Row], by_phone: dict, by_email: dict, *, remember: bool):
        """Which customer each row belongs to: (row, customer id or a negative placeholder, new contacts)."""
        if remember:
            db_phone, db_email, _owners = self._lookup(rows)
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
            people = dict(
                Membership.objects.filter(team=team, active=True, user__is_active=True, user__role=Role.SALES)
                .values_list("user_id", "user__username")
            )
            ids = list(people)
            load = dict(
                Customer.objects.live()
                .filter(owner_id__in=ids, status__kind=Status.Kind.OPEN)
                .values("owner_id")
                .annotate(n=Count("id"))
                .values_list("owner_id", "n")
            )
            # Ties go to a hash of the username, never to who joined first: crc32 rather than hash(), which
            # changes with every process, so the same file onto the same data hands out the same owners.
            heap = [(load.get(uid, 0), zlib.crc32(people[uid].encode()), uid) for uid in ids]
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

    def _rules(self):
        if self._rotation is None:
            from leadpool.rotation import config

            self._rotation = (config.current_rules(), config.calendar())
        return self._rotation

    def _deadline(self, status_id: int, owned: bool, project_ids: list[int]) -> dict:
        """A new imported customer's rotation clock: the same for every one alike, so worked out once.

        Such a customer has no activity, follow-up, status change or digital lead waiting for a first
        call (an import is not a digital channel): only its hold, from now, under its owner.
        """
        key = (status_id, owned, tuple(project_ids))
        if key not in self._deadlines:
            from leadpool.rotation import rules as r

            rules, cal = self._rules()
            status = self._status_rows[status_id]
            facts = r.Facts(
                customer_id=0, status_key=status[0], status_kind=status[1], owner_id=-1 if owned else None,
                hold_anchor_at=self.now, projects=[self._project_codes[p] for p in project_ids if p in self._project_codes],
            )
            deadline = r.next_deadline(facts, rules, cal)
            self._deadlines[key] = {"at": deadline.at, "kind": deadline.kind, "hold_ends_at": r.hold_end(facts, rules, cal)}
        return self._deadlines[key]

    def _references_per_batch(self) -> bool:
        if self._per_batch is None:
            self._per_batch = bulk.can_check_references_per_batch()
        return self._per_batch

    def _plan(self, rows: list[_Row], *, unwritten: _Plan | None = None) -> _Plan:
        """Who each row is, who owns each new customer, and every id: all of a batch but its writing.

        `unwritten`: the batch before, planned but perhaps not committed yet, whose new phones and e-mails
        the database cannot show: they are taken from its plan.
        """
        by_phone, by_email, owners = self._lookup(rows)
        if unwritten is not None:
            for e164, cid in unwritten.phones.items():
                by_phone.setdefault(e164, cid)
            for address, cid in unwritten.emails.items():
                by_email.setdefault(address, cid)
            for cid, owner in unwritten.new_owners.items():
                owners.setdefault(cid, owner)
        decided = self._decide(rows, dict(by_phone), dict(by_email), remember=False)
        new = [d for d in decided if d[2]]
        real = dict(zip((d[1] for d in new), bulk.allocate_ids(Customer, len(new)), strict=True))
        lead_ids = bulk.allocate_ids(Lead, len(decided))
        cids = [real.get(d[1], d[1]) for d in decided]
        new_owners: dict = {}
        fresh = self._hand_out(new, real, new_owners)
        owners.update(new_owners)
        # Customers on file before this batch: their latest source and lead time move.
        returning = {cid for cid, d in zip(cids, decided, strict=True) if d[1] > 0}
        phones = {p[0]: cid for d, cid in zip(decided, cids, strict=True) for p in d[3]}
        emails = {e: cid for d, cid in zip(decided, cids, strict=True) for e in d[4]}
        return _Plan(decided, cids, lead_ids, fresh, owners, returning, self._tags(decided, cids, lead_ids),
                     list(real.values()), phones, emails, new_owners,
                     self._table_rows(fresh, decided, cids, lead_ids, owners))

    def _store(self, plan: _Plan) -> None:
        """Write a planned batch, inside the caller's transaction (begun with bulk.begin_batch)."""
        now, source_id = self.now, self.source.pk
        lead_projects, new_pairs, old_pairs, new_groups, old_groups = plan.tags
        self._write_rows(plan.tables)  # one COPY each
        bulk.copy_pairs(Lead.projects.through._meta.db_table, "lead_id", "project_id", lead_projects)
        customer_projects = Customer.projects.through._meta.db_table
        bulk.copy_pairs(customer_projects, "customer_id", "project_id", new_pairs)
        bulk.insert_pairs(customer_projects, "customer_id", "project_id", old_pairs)
        customer_groups = Customer.groups.through._meta.db_table
        bulk.copy_pairs(customer_groups, "customer_id", "group_id", new_groups)
        bulk.insert_pairs(customer_groups, "customer_id", "group_id", old_groups)
        # Customers created in this batch already carry this source and time; only those on file change.
        returning = plan.returning
        touched = bulk.update_where_in(Customer, returning, {"latest_source_id": source_id, "last_lead_at": now, "updated_at": now})
        if touched != len(returning):
            raise IntegrityError("a customer matched in this batch was deleted meanwhile")
        if self._references_per_batch():
            group_ids = {g for _c, g in new_groups} | {g for _c, g in old_groups}
            bulk.check_references({
                Source: [source_id], Status: set(self._statuses.values()),
                User: [o for o in plan.owners.values() if o], Team: {f[4] for f in plan.fresh},
                Project: {p for _l, p in lead_projects}, Group: group_ids,
            })
            bulk.row_triggers(on=True)
        # Listeners (rotation's deadlines) get the whole batch at once rather than one event per customer.
        events.emit("customers_imported", customer_ids=plan.created, merged_ids=sorted(returning), at=now)

    def _hand_out(self, new: list, real: dict, owners: dict) -> list[tuple]:
        """Owner, team, status and rotation clock of each customer created in this batch.

        Returns (customer id, row, status id, owner id, team id, deadline) and fills `owners` for the leads.
        """
        new_status = self._statuses["new"]
        fresh = []
        for r, placeholder, _created, _p, _e in new:
            cid = real[placeholder]
            owner, team = self._owner_for(r.projects)
            owners[cid] = owner
            if owner:
                self.outcome.owners[owner] += 1
            status = self._statuses.get(r.status, new_status) if r.status else new_status
            fresh.append((cid, r, status, owner, team, self._deadline(status, owner is not None, r.projects)))
            self.outcome.new_customer_ids.append(cid)
        return fresh

    def _tags(self, decided: list, cids: list[int], lead_ids: list[int]) -> tuple[list, ...]:
        """Projects of each lead and customer, groups of each customer: pairs new to this batch go by COPY,
        a customer already on file may already carry the project or group."""
        lead_projects, new_pairs, old_pairs, new_groups, old_groups = [], [], [], [], []
        for (r, placeholder, _created, _p, _e), cid, lead_id in zip(decided, cids, lead_ids, strict=True):
            pairs = old_pairs if placeholder > 0 else new_pairs
            for pid in r.projects:
                lead_projects.append((lead_id, pid))
                pairs.append((cid, pid))
            if r.group:
                (old_groups if placeholder > 0 else new_groups).append((cid, self._group_id(r.group)))
        return lead_projects, new_pairs, old_pairs, new_groups, old_groups

    def _table_rows(self, fresh: list, decided: list, cids: list[int], lead_ids: list[int], owners: dict) -> dict:
        """Each table's rows (their varying values), made while planning: the writer thread then only streams
        them, and the server, not Python, sets its pace."""
        now = self.now
        imported, pooled = Assignment.Reason.IMPORT, Assignment.Reason.POOL
        rows = list(zip(decided, cids, strict=True))
        return {
            "customers": [(cid, r.name[:160], r.key[:160], status, owner, now if owner else None, team, d["at"], d["kind"])
                          for cid, r, status, owner, team, d in fresh],
            "clocks": [(cid, now if owner else None, d["hold_ends_at"]) for cid, _r, _s, owner, _t, d in fresh],
            "assignments": [(cid, owner, team, imported if owner else pooled) for cid, _r, _s, owner, team, _d in fresh],
            "phones": [(cid, e164, raw, kind) for d, cid in rows for e164, raw, kind in d[3]],
            "emails": [(cid, address) for d, cid in rows for address in d[4]],
            "leads": [(lead_id, cid, r.external_id, r.campaign, r.name[:160], r.phone_raw, r.email_raw, r.phone_error,
                       r.answers_json, r.note, r.raw_json, not created, owners.get(cid))
                      for ((r, _placeholder, created, _p, _e), cid), lead_id in zip(rows, lead_ids, strict=True)],
        }

    def _write_rows(self, tables: dict) -> None:
        now, source_id = self.now, self.source.pk
        bulk.Rows(
            Customer,
            ["id", "name", "name_key", "status_id", "owner_id", "owner_since", "team_id", "next_deadline_at",
             "next_deadline_kind"],
            fixed={"status_entered_at": now, "first_source_id": source_id, "latest_source_id": source_id,
                   "first_lead_at": now, "last_lead_at": now, "created_at": now, "updated_at": now},
            now=now,
        ).write(tables["customers"])
        bulk.Rows(Clock, ["customer_id", "hold_anchor_at", "hold_ends_at"],
                  fixed={"rule_version": self._rules()[0].version}, now=now).write(tables["clocks"])
        bulk.Rows(
            Assignment,
            ["customer_id", "user_id", "team_id", "reason"],
            fixed={"started_at": now, "rule": "import", "note": self.label[:200],
                   "explanation": '{"method": "import_least_load"}'},
            now=now,
        ).write(tables["assignments"])
        bulk.Rows(Phone, ["customer_id", "e164", "raw", "kind"], fixed={"created_at": now}, now=now).write(tables["phones"])
        bulk.Rows(Email, ["customer_id", "address"], fixed={"created_at": now}, now=now).write(tables["emails"])
        bulk.Rows(
            Lead,
            ["id", "customer_id", "external_id", "campaign", "name", "phone_raw", "email_raw", "phone_invalid_reason",
             "answers", "note", "raw_payload", "is_returning", "owner_at_arrival_id"],
            fixed={"source_id": source_id, "channel": Channel.IMPORT, "capture_point": CapturePoint.IMPORT,
                   "received_at": now},
            now=now,
        ).write(tables["leads"])

    def _after(self) -> None:
        from leadpool.audit import log as audit
        from leadpool.customers import matching
        from leadpool.notify.service import notify

        if self._pairs:
            matching.record(matching.Pair.of(a, b, matching.SHARED_CONTACT, "import") for a, b in self._pairs)
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

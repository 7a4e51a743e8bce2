"""Every row an import writes, compared with a snapshot taken before the write path was rewritten for speed.

Generated files (repeat persons in mixed writings, second phones and e-mails, invalid numbers, statuses,
groups, projects by name and by code, notes carrying COPY's separators, numeric XLSX cells) go onto a
database that already holds customers, one of them merged away; a second file with another source then
comes back onto the first one's customers. The snapshot names rows by their order and people by their
usernames and keys, so it is the same on SQLite and PostgreSQL.

    LEADPOOL_WRITE_IMPORT_SNAPSHOT=1 pytest tests/intake/test_intake_import_snapshot.py   # re-take it
"""

import csv
import json
import os
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

import openpyxl
import pytest
import time_machine
from bench import intake_data
from django.db import models

from leadpool.audit.models import AuditEntry
from leadpool.customers.models import Assignment, Customer, Email, Lead, Phone
from leadpool.intake import imports
from leadpool.intake.models import DuplicateCandidate
from leadpool.notify.models import Notification
from leadpool.rotation.models import Clock

SNAPSHOT = Path(__file__).with_name("import_snapshot.json")
T0 = datetime(2026, 3, 2, 2, 30, tzinfo=UTC)  # a Monday, 09:30 in Ho Chi Minh City
HEADERS = ["Mã khách hàng", "Tên khách hàng", "Điện thoại", "Điện thoại 2", "Email", "Email 2", "Mối quan hệ",
           "Nhóm khách hàng", "Dự án", "Chiến dịch", "Ghi chú", "Địa chỉ", "Nghề nghiệp", "Thu nhập"]
NOTES = ["", "", "", "gọi chiều", "tab\tở giữa", "hai\ndòng", "C:\\dự án\\mới", "cuối\r\n", "\\N"]


def _rows(total: int, seed: int, known: list[str]) -> list[list]:
    """intake_data's people and writings, widened with every column the importer reads."""
    rng = random.Random(seed)
    out = []
    for _pid, (ext, name, phone, email, _project, note) in intake_data.rows(total, seed=seed):
        second = rng.choice(["", "", "", "", "", "", "12345", phone, "0168 612 3456", "abc"])
        if rng.random() < 0.01:
            second = rng.choice(known)  # a customer on file, met again through a second number
        if rng.random() < 0.03:
            phone, email = "", ""  # nothing to reach, or only a bad number
            second = rng.choice(["", "0999"])
        out.append([
            ext, name if rng.random() < 0.95 else "", phone, second,
            email.upper() if email and rng.random() < 0.2 else email,
            rng.choice(["", "", "", "", "mailto:Chung@Example.vn", email]),
            rng.choice(["", "", "Tiềm năng", "Mới", "Mất", "Chốt", "khác"]),
            rng.choice(["", "", "VIP", "Nhóm A"]),
            rng.choice(["", "", "lotus", "Sông Hàn Residence", "không có"]),
            rng.choice(["", "", "Tết 2026"]),
            note or rng.choice(NOTES), rng.choice(["", "", "Đà Nẵng"]), rng.choice(["", "Kỹ sư"]),
            rng.choice(["", "15 triệu", "20"]),
        ])
    return out


def _write_csv(path: Path, rows: list[list]) -> Path:
    with open(path, "w", newline="", encoding="utf-8-sig") as f:
        writer = csv.writer(f)
        writer.writerow(HEADERS)
        writer.writerows(rows)
    return path


def _write_xlsx(path: Path, rows: list[list]) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(HEADERS)
    for row in rows:
        row = list(row)
        digits = row[2].replace(" ", "").replace(".", "").replace("-", "")
        if digits.startswith("0") and digits.isdigit():
            row[2] = int(digits)  # typed as a number: the leading 0 is gone, as in real exports
        if row[13] == "20":
            row[13] = 20.5
        sheet.append(row)
    book.save(path)
    return path


def _value(field, value, names):
    if value is None:
        return None
    if isinstance(field, models.DateTimeField):
        return (value - T0).total_seconds()
    if isinstance(field, models.ForeignKey):
        return names(field.related_model, value)
    return value


def _row(obj, names, skip=("id",)) -> dict:
    return {
        f.name: _value(f, getattr(obj, f.attname), names)
        for f in obj._meta.concrete_fields
        if f.name not in skip
    }


def snapshot(outcomes: list) -> dict:
    """The database's customers and what hangs off them, ids replaced by order and natural keys."""
    customer_rank = {pk: i for i, pk in enumerate(Customer.objects.order_by("id").values_list("id", flat=True))}

    def names(model, pk):
        if model is Customer:
            return customer_rank[pk]
        obj = model.objects.get(pk=pk)
        for attr in ("username", "key", "code", "name"):
            if hasattr(obj, attr):
                return getattr(obj, attr)
        return pk

    customers = []
    for customer in Customer.objects.order_by("id"):
        row = _row(customer, names)
        row["projects"] = sorted(customer.projects.values_list("code", flat=True))
        row["groups"] = sorted(customer.groups.values_list("name", flat=True))
        row["phones"] = [_row(p, names, ("id", "customer")) for p in Phone.objects.filter(customer=customer).order_by("id")]
        row["emails"] = [_row(e, names, ("id", "customer")) for e in Email.objects.filter(customer=customer).order_by("id")]
        # A capture's explanation lists the candidates by id and generated name: only the import's own is kept.
        row["assignments"] = [_row(a, names, ("id", "customer") if a.rule == "import" else ("id", "customer", "explanation"))
                              for a in Assignment.objects.filter(customer=customer).order_by("id")]
        clock = Clock.objects.filter(customer=customer).first()
        row["clock"] = _row(clock, names, ("customer",)) if clock else None
        customers.append(row)
    leads = []
    for lead in Lead.objects.order_by("id"):
        row = _row(lead, names)
        row["projects"] = sorted(lead.projects.values_list("code", flat=True))
        leads.append(row)
    from leadpool.accounts.models import User

    username = dict(User.objects.values_list("id", "username"))
    return {
        "outcomes": [
            {"line": o.line, "reasons": dict(sorted(o.reasons.items())), "sample": o.invalid_sample,
             "new_customers": [customer_rank.get(c) for c in o.new_customer_ids],
             "owners": {username[u]: n for u, n in o.owners.items()}}
            for o in outcomes
        ],
        "customers": customers,
        "leads": leads,
        "candidates": sorted([customer_rank[c.customer_id], customer_rank[c.other_id], c.reason, c.state]
                             for c in DuplicateCandidate.objects.all()),
        "notifications": sorted([n.user.username, n.kind, n.title, n.body] for n in Notification.objects.all()),
        "audit": [e.data | {"owners": {username[int(k)]: v for k, v in e.data["owners"].items()}}
                  for e in AuditEntry.objects.filter(action="intake.imported").order_by("id")],
    }


def _existing(world, make_customer):
    """Customers on file before the import: one per salesperson of team A, and one merged into another."""
    from leadpool.customers import merge

    known = ["0912000001", "0912000002", "0912000003", "0912000004"]
    with time_machine.travel(T0 - timedelta(days=2), tick=False):
        first = make_customer(known[0], name="Khách Cũ Một", emails=["cu1@example.vn"]).customer
        make_customer(known[1], name="Khách Cũ Hai")
        make_customer(known[2], name="Khách Cũ Ba", project=world.songhan)
        twin = make_customer(known[3], name="Khách Cũ Bốn", emails=["cu4@example.vn"]).customer
        merge.merge(first, twin)
    return known


def _import_and_compare(world, make_customer, tmp_path) -> None:
    known = _existing(world, make_customer)
    first = _write_csv(tmp_path / "first.csv", _rows(1400, 5, known))
    second_rows = _rows(400, 5, known)[::-1][:250] + _rows(150, 9, known)  # many persons of the first file again
    second = _write_xlsx(tmp_path / "second.xlsx", second_rows)
    outcomes = []
    with time_machine.travel(T0, tick=False):
        outcomes.append(imports.run_file(first, source=world.facebook, project=world.lotus, batch_size=300, label="first"))
        outcomes.append(imports.run_file(first, source=world.facebook, dry_run=True, batch_size=500, label="dry"))
    with time_machine.travel(T0 + timedelta(hours=1), tick=False):
        outcomes.append(imports.run_file(second, source=world.google, batch_size=100, label="second"))
    taken = json.loads(json.dumps(snapshot(outcomes), default=str, ensure_ascii=False, sort_keys=True))
    if os.environ.get("LEADPOOL_WRITE_IMPORT_SNAPSHOT"):
        SNAPSHOT.write_text(json.dumps(taken, ensure_ascii=False, sort_keys=True, indent=0) + "\n")
    expected = json.loads(SNAPSHOT.read_text())
    assert taken["outcomes"] == expected["outcomes"]
    assert len(taken["customers"]) == len(expected["customers"]) and len(taken["leads"]) == len(expected["leads"])
    for got, want in zip(taken["customers"], expected["customers"], strict=True):
        assert got == want
    for got, want in zip(taken["leads"], expected["leads"], strict=True):
        assert got == want
    assert taken == expected


@pytest.mark.parametrize("per_batch", [True, False], ids=["references-per-batch", "row-triggers"])
def test_imports_write_what_they_wrote_before_the_fast_path(world, make_customer, tmp_path, monkeypatch, per_batch):
    from leadpool.intake import bulk

    if not per_batch:  # as for a database role that may not set session_replication_role
        monkeypatch.setattr(bulk, "can_check_references_per_batch", lambda: False)
    _import_and_compare(world, make_customer, tmp_path)


@pytest.fixture
def catalogs(transactional_db):
    """Committed data for the import's writer connection; the flush between transactional tests also wipes
    what the data migrations loaded (statuses, sources, rotation rules): load it again."""
    import importlib

    from django.apps import apps
    from django.db import connection

    from leadpool.customers.models import Status

    if not Status.objects.exists():
        for app, name in [("customers", "0003_default_catalogs"), ("rotation", "0002_defaults"),
                          ("sales", "0003_default_nurture_script")]:
            module = importlib.import_module(f"leadpool.{app}.migrations.{name}")
            with connection.schema_editor() as editor:
                module.load(apps, editor)


def test_imports_outside_a_transaction_write_the_same_rows(catalogs, world, make_customer, tmp_path):
    # Outside a transaction, on PostgreSQL, batches are written by a thread on a connection of its own while
    # the next one is planned: the rows must be the very same.
    from django.db import connection

    assert imports.Importer(source=world.facebook)._pipelined() == (connection.vendor == "postgresql")
    _import_and_compare(world, make_customer, tmp_path)


def test_a_batch_whose_person_was_captured_meanwhile_is_planned_and_written_again(
    catalogs, world, make_customer, tmp_path, monkeypatch
):
    # Someone captures a person of batch 3 after it was planned and before it is written: writing it fails on
    # the phone's uniqueness, and it is planned and written again (with the writer thread, so is the batch
    # planned after it). On SQLite, without the writer, the capture happens inside the batch's own
    # transaction and is rolled back with it: the retry then creates that person.
    from django.db import connection

    rows = [["", f"Người {i}", f"09{i:08d}", "", "", "", "", "", "", "", "", "", "", ""] for i in range(1, 61)]
    path = _write_csv(tmp_path / "f.csv", rows)
    plan = imports.Importer._plan
    planned = []

    def plan_then_capture(importer, batch, **kwargs):
        planned.append(batch[0].number)
        result = plan(importer, batch, **kwargs)
        if len(planned) == 3:
            make_customer("0900000025", name="Đến qua hotline", src=world.hotline)
        return result

    monkeypatch.setattr(imports.Importer, "_plan", plan_then_capture)
    outcome = imports.run_file(path, source=world.facebook, project=world.lotus, batch_size=10)
    assert planned.count(22) == 2 and set(planned) == {2, 12, 22, 32, 42, 52}  # the 3rd batch planned again
    assert Lead.objects.filter(channel="import").count() == 60 and Phone.objects.count() == 60
    assert sorted(outcome.new_customer_ids) == sorted(
        Assignment.objects.filter(rule="import").values_list("customer_id", flat=True))
    captured = Phone.objects.get(e164="+84900000025").customer
    if connection.vendor == "postgresql":
        assert outcome.line == "60 rows: 59 new customers, 1 merged, 0 invalid"
        assert captured.name == "Đến Qua Hotline" and captured.leads.count() == 2
        assert Customer.objects.count() == 60 and Assignment.objects.filter(rule="import").count() == 59
    else:
        assert outcome.line == "60 rows: 60 new customers, 0 merged, 0 invalid"
        assert captured.name == "Người 25" and Customer.objects.count() == 60

"""CSV/XLSX import: mapping, dry run, Getfly columns, set-based writes, owners, the command's summary line."""

import csv
from io import StringIO

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from leadpool.customers.models import Assignment, Customer, Group, Lead, Phone
from leadpool.intake import imports
from leadpool.intake.models import ImportJob

GETFLY_HEADERS = ["Mã khách hàng", "Tên khách hàng", "Điện thoại", "Email", "Mối quan hệ", "Nhóm khách hàng", "Dự án", "Ghi chú", "Nghề nghiệp"]


def write_csv(path, rows, headers=GETFLY_HEADERS, delimiter=","):
    with open(path, "w", newline="", encoding="utf-8-sig") as f:
        writer = csv.writer(f, delimiter=delimiter)
        writer.writerow(headers)
        writer.writerows(rows)
    return path


def write_xlsx(path, rows, headers=GETFLY_HEADERS):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


ROWS = [
    ["KH1", "nguyễn văn an", "0912.345.678", "an@example.com", "Tiềm năng", "Khách VIP", "lotus", "gọi chiều", "Kỹ sư"],
    ["KH2", "Trần Bình", "0168 612 3456", "", "Mới", "", "", "", ""],
    ["KH3", "Trần Bình", "038 6123 456", "binh@example.com", "", "", "", "", ""],   # same person, old and new number
    ["KH4", "Lê C", "12345", "", "", "", "", "", ""],                                  # invalid phone, no email
    ["KH5", "Không Liên Lạc", "", "", "", "", "", "", ""],                             # nothing to reach
    ["KH6", "Phạm D", "", "AN@example.com", "", "", "", "", ""],                       # same e-mail as KH1
]


def test_dry_run_counts_and_writes_nothing(world, tmp_path):
    path = write_csv(tmp_path / "getfly.csv", ROWS)
    outcome = imports.run_file(path, source=world.facebook, project=world.lotus, dry_run=True)
    assert outcome.line == "6 rows: 2 new customers, 2 merged, 2 invalid"
    assert outcome.reasons == {"Số điện thoại quá ngắn": 1, "Thiếu số điện thoại và e-mail": 1}
    assert Customer.objects.count() == 0 and Lead.objects.count() == 0


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "semicolon"])
def test_import_writes_customers_leads_owners_and_assignments(world, tmp_path, fmt):
    if fmt == "xlsx":
        path = write_xlsx(tmp_path / "getfly.xlsx", ROWS)
    else:
        path = write_csv(tmp_path / "getfly.csv", ROWS, delimiter=";" if fmt == "semicolon" else ",")
    outcome = imports.run_file(path, source=world.facebook, project=world.songhan)
    assert outcome.line == "6 rows: 2 new customers, 2 merged, 2 invalid"
    assert Customer.objects.count() == 2 and Lead.objects.count() == 4
    an = Phone.objects.get(e164="+84912345678").customer
    assert an.name == "Nguyễn Văn An" and an.status.key == "net"        # "Tiềm năng" mapped
    assert an.leads.count() == 2 and set(an.emails.values_list("address", flat=True)) == {"an@example.com"}
    # KH1 names its project; KH6 (same e-mail, no project column value) falls back to --project.
    assert sorted(an.projects.values_list("code", flat=True)) == ["lotus", "song-han"]
    assert list(an.groups.values_list("name", flat=True)) == ["Khách VIP"]
    assert an.owner in {world.sale1, world.sale2, world.sale3} and an.team == world.team_a
    binh = Phone.objects.get(e164="+84386123456").customer
    assert binh.leads.count() == 2 and binh.phones.count() == 1
    assert binh.emails.get().address == "binh@example.com"           # the second row's e-mail joined the profile
    assert binh.owner in {world.sale4, world.sale5}                  # --project decides the team
    assert Assignment.objects.filter(reason="import").count() == 2
    lead = Lead.objects.filter(customer=an).order_by("id").first()
    assert lead.channel == "import" and lead.raw_payload["Mã khách hàng"] == "KH1"
    assert lead.answers == {"Nghề nghiệp": "Kỹ sư"} and lead.external_id == "KH1"
    assert Group.objects.filter(name="Khách VIP").count() == 1
    assert world.sale1.notifications.exists() or world.sale2.notifications.exists() or world.sale3.notifications.exists()


def test_import_onto_existing_customers_and_balanced_owners(world, tmp_path, make_customer):
    existing = make_customer("0912345678", name="An").customer
    rows = [["", f"Người {i}", f"09{i:08d}", "", "", "", "", "", ""] for i in range(1, 31)]
    rows.append(["", "An", "+84 912 345 678", "", "", "", "", "", ""])
    path = write_csv(tmp_path / "f.csv", rows)
    outcome = imports.run_file(path, source=world.google, project=world.lotus, batch_size=7)
    assert outcome.line == "31 rows: 30 new customers, 1 merged, 0 invalid"
    existing.refresh_from_db()
    assert existing.leads.count() == 2 and existing.latest_source == world.google
    loads = sorted(Customer.objects.filter(owner__isnull=False).values_list("owner__username", flat=True))
    counts = {name: loads.count(name) for name in set(loads)}
    assert set(counts) == {"sale1", "sale2", "sale3"} and max(counts.values()) - min(counts.values()) <= 1


def test_command_prints_exactly_one_summary_line(world, tmp_path):
    path = write_csv(tmp_path / "f.csv", ROWS)
    out = StringIO()
    call_command("import", str(path), "--source", "old_data", "--project", "lotus", "--dry-run", stdout=out)
    assert out.getvalue() == "6 rows: 2 new customers, 2 merged, 2 invalid\n"
    out = StringIO()
    call_command("import", str(path), "--source", "old_data", stdout=out)
    assert out.getvalue().strip().splitlines() == ["6 rows: 2 new customers, 2 merged, 2 invalid"]
    assert Customer.objects.count() == 2


def test_fast_phone_path_agrees_with_normalize_phone():
    import random

    from leadpool.customers.normalize import normalize_phone

    rng = random.Random(7)
    for first in "35789":
        for second in "0123456789":
            for third in "0123456789":
                for _ in range(3):
                    nsn = first + second + third + "".join(rng.choice("0123456789") for _ in range(6))
                    for raw in (f"0{nsn}", f"+84 {nsn[:3]} {nsn[3:6]} {nsn[6:]}", f"84{nsn}", f"0{nsn[:3]}.{nsn[3:6]}.{nsn[6:]}"):
                        slow = normalize_phone(raw)
                        assert imports.phone(raw)[0] == slow.e164, raw
    for old in ("0168 612 3456", "01212345678", "+84 1686123456", "0912345678.0", 912345678.0, "abc"):
        assert imports.phone(old)[0] == normalize_phone(old).e164


def test_import_pages_preview_dry_run_then_import(world, login, tmp_path, run_tasks, django_capture_on_commit_callbacks):
    client = login(world.mkt)
    content = (tmp_path / "x.csv")
    write_csv(content, ROWS)
    upload = SimpleUploadedFile("getfly.csv", content.read_bytes(), content_type="text/csv")
    response = client.post("/intake/import/", {"file": upload, "source": world.facebook.pk, "project": world.lotus.pk})
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response.url == f"/intake/import/{job.pk}/"
    assert job.mapping["Điện thoại"] == "phone" and job.mapping["Mối quan hệ"] == "relationship"
    page = client.get(response.url)
    assert "0912.345.678" in page.content.decode()
    mapping = {f"map_{i}": job.mapping.get(h, "") for i, h in enumerate(GETFLY_HEADERS)}
    with django_capture_on_commit_callbacks(execute=True):
        client.post(response.url, {**mapping, "action": "dry_run"})
    progress = client.get(f"/intake/import/{job.pk}/progress/", headers={"HX-Request": "true"})
    assert "hx-trigger=\"every 1s\"" in progress.content.decode()
    run_tasks()
    job.refresh_from_db()
    assert job.state == "done" and job.dry_run and job.summary == "6 rows: 2 new customers, 2 merged, 2 invalid"
    assert Customer.objects.count() == 0
    done = client.get(f"/intake/import/{job.pk}/progress/", headers={"HX-Request": "true"})
    assert done.headers.get("HX-Refresh") == "true"
    report = client.get(f"/intake/import/{job.pk}/invalid.csv")
    assert "Thiếu số điện thoại và e-mail" in b"".join(report.streaming_content).decode("utf-8-sig")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(response.url, {**mapping, "action": "import"})
    run_tasks()
    job.refresh_from_db()
    assert job.state == "done" and not job.dry_run and Customer.objects.count() == 2
    assert login(world.sale1).get("/intake/import/").status_code == 403


def test_fast_email_path_agrees_with_normalize_email():
    from leadpool.customers.normalize import normalize_email

    samples = ["A@b.vn", " a.b+c@x.co ", "a@b.1", "a@b.c", "mailto:a@b.vn", "<a@b.vn>", "a@@b.vn", "a@b..vn",
               "a b@c.vn", "a@b.vn\u200b", "Ä@b.vn", "x" * 250 + "@b.vn", "", "  ", 12345]
    for raw in samples:
        assert imports.email(raw) == normalize_email(str(raw)), raw


def test_copy_keeps_tabs_newlines_and_backslashes_and_returning_rows_know_their_owner(world, tmp_path):
    # Values travel in COPY's text format on PostgreSQL: separators inside a value must survive intact.
    note = "gọi lại\tsau 5h\nhỏi C:\\dự án"
    rows = [["KH1", "An", "0912345678", "", "", "", "", note, "x\ty"],
            ["KH2", "An", "+84 912 345 678", "", "", "", "", "", ""]]     # same person, same batch
    path = write_csv(tmp_path / "f.csv", rows)
    outcome = imports.run_file(path, source=world.facebook, project=world.lotus)
    assert outcome.line == "2 rows: 1 new customers, 1 merged, 0 invalid"
    first, second = Lead.objects.order_by("id")
    assert first.note == note and first.answers == {"Nghề nghiệp": "x\ty"}
    assert first.raw_payload["Ghi chú"] == note
    customer = first.customer
    assert second.customer == customer and second.is_returning and not first.is_returning
    assert first.owner_at_arrival == customer.owner == second.owner_at_arrival
    assert list(customer.projects.values_list("code", flat=True)) == ["lotus"]
    assert list(first.projects.values_list("code", flat=True)) == ["lotus"]


def test_read_ahead_hands_on_errors_and_stops_the_reader():
    def items():
        yield 1
        yield 2
        raise ValueError("hỏng")

    got = []
    with pytest.raises(ValueError, match="hỏng"):
        for item in imports.read_ahead(items()):
            got.append(item)
    assert got == [1, 2]
    endless = imports.read_ahead(iter(range(10**9)))
    assert next(endless) == 0
    endless.close()  # the producer thread ends instead of filling memory


def test_references_checked_per_batch_on_postgresql(world, tmp_path):
    from django.db import IntegrityError, connection, transaction

    from leadpool.accounts.models import User
    from leadpool.intake import bulk

    if connection.vendor != "postgresql":
        assert not bulk.can_check_references_per_batch()
        return
    path = write_csv(tmp_path / "f.csv", ROWS)
    assert imports.run_file(path, source=world.facebook, project=world.lotus).new == 2
    with connection.cursor() as cursor:  # the per-row triggers are back on after the batch
        cursor.execute("SHOW session_replication_role")
        assert cursor.fetchone()[0] == "origin"
    bulk.check_references({User: [world.sale1.pk]})
    with pytest.raises(IntegrityError), transaction.atomic():
        bulk.check_references({User: [world.sale1.pk, 10**9]})


def test_big_workbooks_are_streamed_with_the_same_outcome(world, tmp_path, monkeypatch):
    path = write_xlsx(tmp_path / "big.xlsx", ROWS)
    monkeypatch.setattr(imports, "XLSX_IN_MEMORY_BYTES", 0)  # every workbook counts as big
    with imports.RowReader(path) as reader:
        assert reader._book is not None and reader.headers == GETFLY_HEADERS
    outcome = imports.run_file(path, source=world.facebook, project=world.songhan)
    assert outcome.line == "6 rows: 2 new customers, 2 merged, 2 invalid"
    assert Phone.objects.get(e164="+84912345678").customer.name == "Nguyễn Văn An"


def test_imported_customers_get_the_rotation_clock_a_refresh_would_give(world, tmp_path):
    from leadpool.rotation import deadlines
    from leadpool.rotation.models import Clock

    path = write_csv(tmp_path / "f.csv", ROWS)
    imports.run_file(path, source=world.facebook, project=world.songhan)
    assert Customer.objects.filter(next_deadline_at__isnull=False).exists()
    for customer in Customer.objects.all():
        stored = (customer.next_deadline_at, customer.next_deadline_kind, Clock.objects.get(pk=customer.pk).hold_ends_at)
        deadline = deadlines.refresh(customer, now=customer.created_at)
        assert stored == (deadline.at, deadline.kind, Clock.objects.get(pk=customer.pk).hold_ends_at)

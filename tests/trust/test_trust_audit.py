"""The audit log: chain verification, the `audit verify` command, what gets written, the managers' page."""

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from leadpool.audit import log
from leadpool.audit.models import AuditEntry
from leadpool.customers.models import Source


def test_verify_passes_on_an_untouched_chain(world):
    for n in range(5):
        log.record("test.event", actor=world.manager, data={"n": n})
    result = log.verify()
    assert result.ok and result.checked == AuditEntry.objects.count()


def test_altering_one_row_makes_audit_verify_fail_naming_it(world, capsys):
    entries = [log.record("test.event", actor=world.sale1, data={"n": n}) for n in range(6)]
    call_command("audit", "verify")
    assert "intact" in capsys.readouterr().out
    tampered = entries[3]
    # Someone with database access edits the row behind the application's back.
    AuditEntry.objects.filter(pk=tampered.pk).update(data={"n": 99})
    with pytest.raises(CommandError) as exc:
        call_command("audit", "verify")
    assert f"#{tampered.pk}" in str(exc.value)


def test_deleting_a_row_breaks_the_chain_at_the_next_one(world):
    entries = [log.record("test.event", data={"n": n}) for n in range(4)]
    AuditEntry.objects.filter(pk=entries[1].pk)._raw_delete(AuditEntry.objects.db)
    result = log.verify()
    assert not result.ok and result.broken_id == entries[2].pk


def test_rewriting_a_row_and_its_hash_is_still_caught_by_the_next_entry(world):
    entries = [log.record("test.event", data={"n": n}) for n in range(4)]
    row = AuditEntry.objects.get(pk=entries[1].pk)
    row.data = {"n": 42}
    row.data_hash = log.data_digest(row.data)
    AuditEntry.objects.filter(pk=row.pk).update(
        data=row.data, data_hash=row.data_hash, hash=log._digest(row.prev_hash, row)
    )
    result = log.verify()
    assert not result.ok and result.broken_id == entries[2].pk


def test_entries_are_append_only(world):
    entry = log.record("test.event")
    with pytest.raises(ValueError):
        entry.save()
    with pytest.raises(ValueError):
        entry.delete()


def test_log_in_and_failed_log_in_are_audited(world):
    client = Client()
    client.post("/login/", {"username": "sale1", "password": "wrong"})
    failed = AuditEntry.objects.filter(action="auth.login_failed").first()
    assert failed is not None and failed.data["username"] == "sale1"
    assert "wrong" not in str(failed.data)
    client.post("/login/", {"username": "sale1", "password": world.password})
    ok = AuditEntry.objects.filter(action="auth.login").first()
    assert ok is not None and ok.actor == world.sale1 and ok.ip == "127.0.0.1"


def test_configuration_changes_are_audited_with_their_author(world, login):
    source = Source.objects.get(key="hotline")
    source.name = "Tổng đài 1900"
    source.save()
    entry = AuditEntry.objects.filter(action="config.changed", target_type="customers.source").first()
    assert entry is not None and entry.data["model"] == "customers.Source"
    # Through the admin, the manager is named.
    client = login(world.manager)
    response = client.post(
        "/admin/customers/project/add/",
        {"name": "Dự án Mới", "code": "du-an-moi", "phase": "nurture", "location": "", "active": "on",
         "created_at_0": "2026-01-01", "created_at_1": "08:00:00"},
    )
    assert response.status_code in (200, 302)
    created = AuditEntry.objects.filter(action="config.created", target_type="customers.project").first()
    if response.status_code == 302:
        assert created is not None and created.actor == world.manager


def test_status_changes_and_assignments_are_audited(world, make_customer):
    from leadpool.customers.models import Status
    from leadpool.sales.actions import change_status

    customer = make_customer("0912345678").customer
    assert AuditEntry.objects.filter(action="customer.assigned", target_id=str(customer.pk)).exists()
    change_status(customer, to=Status.objects.get(key="in_care"), by=customer.owner)
    assert AuditEntry.objects.filter(action="customer.status_changed", target_id=str(customer.pk)).exists()


def test_audit_page_is_for_managers_only(world, login, client):
    assert client.get("/audit/").status_code == 302
    for user in (world.sale1, world.leader_a, world.mkt):
        assert login(user).get("/audit/").status_code == 403
    assert login(world.manager).get("/audit/").status_code == 200


def test_audit_page_searches_and_pages(world, login, django_assert_max_num_queries):
    for n in range(60):
        log.record("customer.phone_viewed", actor=world.sale2, data={"n": n})
    log.record("auth.login_failed", data={"username": "ghost"}, ip="10.1.2.3")
    client = login(world.manager)
    with django_assert_max_num_queries(8):
        page = client.get("/audit/")
    assert page.status_code == 200 and "Trang 1 / 2" in page.text
    hx = {"HX-Request": "true"}
    found = client.get("/audit/", {"action": "auth.login_failed"}, headers=hx)
    assert "ghost" in found.text and "customer.phone_viewed" not in found.text
    by_ip = client.get("/audit/", {"q": "10.1.2.3"}, headers=hx)
    assert "ghost" in by_ip.text and "customer.phone_viewed" not in by_ip.text
    by_actor = client.get("/audit/", {"actor": "sale2"}, headers=hx)
    assert by_actor.text.count("customer.phone_viewed") == 50
    partial = client.get("/audit/", {"actor": "nobody"}, headers={"HX-Request": "true"})
    assert "<html" not in partial.text and "Không có mục nào" in partial.text


def test_audit_page_reports_a_broken_chain(world, login):
    entry = log.record("test.event")
    log.record("test.event")
    AuditEntry.objects.filter(pk=entry.pk).update(action="test.other")
    page = login(world.manager).get("/audit/", {"verify": "1"})
    assert f"#{entry.pk}" in page.text


def test_redaction_keeps_the_chain_verifiable_and_is_itself_logged(world):
    first = log.record("customer.status_changed", data={"reason": "Gọi chị Lan 0912345678"})
    log.record("test.event")
    changed = log.redact([first], lambda data: {**data, "reason": "[đã xoá]"}, actor=world.manager)
    assert changed == [first.pk]
    assert AuditEntry.objects.get(pk=first.pk).data == {"reason": "[đã xoá]"}
    assert log.verify().ok
    assert AuditEntry.objects.filter(action=log.REDACTION, data__entries=[first.pk]).exists()


def test_marking_a_row_redacted_by_hand_is_caught(world):
    from django.utils import timezone

    entry = log.record("test.event", data={"n": 1})
    log.record("test.event")
    AuditEntry.objects.filter(pk=entry.pk).update(data={"n": 2}, redacted_at=timezone.now())
    result = log.verify()
    assert not result.ok and result.broken_id == entry.pk

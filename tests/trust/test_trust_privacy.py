"""Personal-data rights: consent withdrawal, erasure that leaves no trace, the export, raw-payload retention."""

import json
import re
from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.utils import timezone

from leadpool.audit.models import AuditEntry
from leadpool.customers import privacy
from leadpool.customers.models import Customer, Lead, Phone

NAME = "Trần Thị Bích Ngọc"
PHONE_DIGITS = "987654321"


def _every_value_in_the_database():
    """Yield (table, column, text) for every non-empty value of every column of every table."""
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            columns = [c[0] for c in cursor.description]
            for row in cursor.fetchall():
                for column, value in zip(columns, row, strict=True):
                    if value is None:
                        continue
                    if isinstance(value, memoryview):
                        value = value.tobytes()
                    if isinstance(value, bytes):
                        value = value.decode("utf-8", errors="replace")
                    elif isinstance(value, (dict, list)):
                        value = json.dumps(value, ensure_ascii=False)
                    else:
                        value = str(value)
                    yield table, column, value


def _traces(needles: list[str]) -> list[tuple[str, str, str]]:
    found = []
    for table, column, text in _every_value_in_the_database():
        digits = re.sub(r"\D", "", text)
        if PHONE_DIGITS in digits or any(n.lower() in text.lower() for n in needles):
            # JSON stored as text escapes accents; decode it to search what a person would read.
            found.append((table, column, text[:120]))
        elif "\\u" in text:
            try:
                decoded = json.loads(text)
            except ValueError:
                continue
            if any(n.lower() in json.dumps(decoded, ensure_ascii=False).lower() for n in needles):
                found.append((table, column, text[:120]))
    return found


def test_the_search_finds_the_person_before_erasure(rich_customer):
    found = _traces([NAME, "ngoc.tran@example.vn"])
    tables = {t for t, _, _ in found}
    assert {"customers_customer", "customers_phone", "customers_lead", "intake_inboxitem", "sales_activity"} <= tables


def test_erasure_leaves_no_trace_of_name_or_phone_anywhere(rich_customer, world):
    counts = privacy.erase(rich_customer, by=world.manager, reason="Yêu cầu #12")
    assert counts["leads"] == 1
    leftovers = _traces([NAME, "ngoc.tran@example.vn"])
    assert leftovers == [], leftovers


def test_erasure_keeps_the_rows_that_reports_count(rich_customer, world):
    from leadpool.sales.models import Activity, StatusChange

    before = (Lead.objects.count(), Activity.objects.count(), StatusChange.objects.count(), Phone.objects.count())
    privacy.erase(rich_customer, by=world.manager)
    after = (Lead.objects.count(), Activity.objects.count(), StatusChange.objects.count(), Phone.objects.count())
    assert before == after
    customer = Customer.objects.get(pk=rich_customer.pk)
    assert customer.erased_at is not None and customer.consent_withdrawn_at is not None
    assert customer.status.key == "in_care" and customer.owner == rich_customer.owner
    lead = customer.leads.get()
    assert lead.source == world.facebook and lead.consent_text  # what was agreed stays; who agreed does not


def test_erasure_is_audited_without_the_data(rich_customer, world):
    privacy.erase(rich_customer, by=world.manager, reason="Yêu cầu #12")
    entry = AuditEntry.objects.get(action="customer.erased")
    assert entry.actor == world.manager and entry.target_id == str(rich_customer.pk)
    assert NAME not in json.dumps(entry.data, ensure_ascii=False)
    from leadpool.audit.log import verify

    assert verify().ok


def test_erasure_reaches_duplicates_merged_into_the_person(rich_customer, world, make_customer):
    duplicate = make_customer("0911222333", name=NAME).customer
    Customer.objects.filter(pk=duplicate.pk).update(merged_into=rich_customer)
    privacy.erase(rich_customer, by=world.manager)
    assert Customer.objects.get(pk=duplicate.pk).erased_at is not None
    assert not Phone.objects.filter(e164="+84911222333").exists()


def test_a_new_lead_after_erasure_starts_a_new_profile(rich_customer, world, make_customer):
    privacy.erase(rich_customer, by=world.manager)
    again = make_customer("0987654321", name=NAME)
    assert again.created and again.customer.pk != rich_customer.pk


def test_erase_page_is_for_managers_and_needs_confirmation(rich_customer, world, login):
    url = f"/customers/{rich_customer.pk}/privacy/erase/"
    assert login(rich_customer.owner).post(url, {"confirm": "XOA"}).status_code == 403
    assert login(world.leader_a).post(url, {"confirm": "XOA"}).status_code == 403
    assert login(world.sale4).post(url, {"confirm": "XOA"}).status_code == 404
    manager = login(world.manager)
    manager.post(url, {"confirm": "nope"})
    assert Customer.objects.get(pk=rich_customer.pk).erased_at is None
    response = manager.post(url, {"confirm": "XOA", "reason": "Khách gọi yêu cầu"})
    assert response.status_code == 302
    assert Customer.objects.get(pk=rich_customer.pk).erased_at is not None


def test_privacy_page_shows_consent_and_the_right_buttons(rich_customer, world, login):
    url = f"/customers/{rich_customer.pk}/privacy/"
    owner_page = login(rich_customer.owner).get(url)
    assert owner_page.status_code == 200
    assert "Tôi đồng ý để Redland liên hệ tư vấn." in owner_page.text
    assert "privacy/withdraw/" in owner_page.text and "privacy/export/" not in owner_page.text
    manager_page = login(world.manager).get(url)
    assert "privacy/export/" in manager_page.text and "privacy/erase/" in manager_page.text
    assert login(world.sale4).get(url).status_code == 404


def test_consent_withdrawal_stops_marketing_and_is_audited(rich_customer, world, login):
    from leadpool.sales.models import FollowUp

    scripted = FollowUp.objects.create(
        customer=rich_customer, owner=rich_customer.owner, due_at=timezone.now() + timedelta(days=3),
        script_step="nurture-day-30",
    )
    assert privacy.marketing_contactable(Customer.objects.all()).filter(pk=rich_customer.pk).exists()
    response = login(rich_customer.owner).post(f"/customers/{rich_customer.pk}/privacy/withdraw/", {"channel": "zalo"})
    assert response.status_code == 302
    customer = Customer.objects.get(pk=rich_customer.pk)
    assert customer.consent_withdrawn_at is not None
    assert not privacy.marketing_contactable(Customer.objects.all()).filter(pk=customer.pk).exists()
    scripted.refresh_from_db()
    assert scripted.cancelled_at is not None
    # The salesperson's own follow-up, asked for by the customer, stays.
    assert FollowUp.objects.filter(customer=customer, script_step="", cancelled_at__isnull=True).exists()
    entry = AuditEntry.objects.get(action="customer.consent_withdrawn")
    assert entry.data["channel"] == "zalo" and entry.actor == rich_customer.owner


def test_export_holds_everything_and_is_audited(rich_customer, world, login):
    response = login(world.manager).post(f"/customers/{rich_customer.pk}/privacy/export/")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    data = json.loads(response.content)
    assert data["customer"][0]["name"] == NAME
    assert data["phones"][0]["e164"] == "+84987654321"
    assert data["leads"][0]["raw_payload"]["field_data"][0]["values"] == [NAME]
    assert "Trần Thị Bích Ngọc" in data["inbox_items"][0]["body"]
    assert any("0987.654.321" in a["body"] for a in data["sales.activity"])
    assert data["sales.statuschange"] and data["customers.assignment"]
    assert AuditEntry.objects.filter(action="customer.personal_data_exported", actor=world.manager).exists()


@pytest.mark.parametrize("who", ["owner", "leader_a", "mkt"])
def test_no_one_below_manager_exports(rich_customer, world, login, who):
    user = rich_customer.owner if who == "owner" else getattr(world, who)
    response = login(user).post(f"/customers/{rich_customer.pk}/privacy/export/")
    assert response.status_code == 403
    assert not AuditEntry.objects.filter(action="customer.personal_data_exported").exists()


def test_raw_payloads_are_scrubbed_after_the_retention_period(world, make_customer, settings, run_tasks):
    from leadpool.intake.models import InboxItem

    settings.LEADPOOL = {**settings.LEADPOOL, "RAW_RETENTION_DAYS": 30}
    old_item = InboxItem.objects.create(channel="generic", body=b'{"phone": "0912000111"}')
    old = make_customer("0912000111", raw_payload={"phone": "0912000111"}, inbox_item=old_item).lead
    InboxItem.objects.filter(pk=old_item.pk).update(received_at=timezone.now() - timedelta(days=40))
    Lead.objects.filter(pk=old.pk).update(received_at=timezone.now() - timedelta(days=40))
    fresh = make_customer("0912000222", raw_payload={"phone": "0912000222"}).lead
    with time_machine.travel(timezone.now() + timedelta(days=1)):
        privacy.retention_sweep.enqueue()
        assert run_tasks() >= 1
    old.refresh_from_db()
    fresh.refresh_from_db()
    old_item.refresh_from_db()
    assert old.raw_payload == {} and bytes(old_item.body) == b""
    assert fresh.raw_payload == {"phone": "0912000222"}
    assert old.phone_raw  # the parsed lead stays
    assert AuditEntry.objects.filter(action="retention.scrubbed").exists()
    # Idempotent: a second sweep changes nothing.
    assert privacy.scrub_expired_raw_payloads() == {"leads": 0, "inbox_items": 0}


@pytest.mark.parametrize(
    "written",
    ["0987654321", "+84 987 654 321", "0987.654.321", "84987654321", "(+84) 987-654-321", "0987 654 321"],
)
def test_phone_pattern_finds_a_number_however_written(written):
    pattern = privacy.phone_pattern("+84987654321")
    assert pattern.sub("X", f"gọi {written} nhé") == "gọi X nhé"


def test_phone_pattern_leaves_other_numbers():
    pattern = privacy.phone_pattern("+84987654321")
    assert pattern.search("0987654322") is None and pattern.search("3 tỷ 500") is None


def test_traces_scrub_keeps_json_shape():
    traces = privacy.Traces()
    traces.add_word("Lê Văn Tám")
    traces.add_phone("+84912345678")
    value = {"a": ["Lê Văn Tám", 3, None], "b": {"c": "gọi 0912 345 678"}}
    assert traces.scrub_value(value) == {"a": [privacy.ERASED, 3, None], "b": {"c": f"gọi {privacy.ERASED}"}}

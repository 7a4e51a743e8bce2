"""What people see: today's sending page, the customer's timeline, the care-script editor; and the schedule."""

from datetime import datetime

import httpx
import pytest
import respx
import time_machine
from django.core.exceptions import ValidationError

from leadpool.nurture import sending
from leadpool.nurture.models import Send
from leadpool.sales.models import CareStep
from leadpool.worker import PERIODIC, load_task

from .conftest import EMAIL_STEP, ESMS_SEND, SMS_STEP, VN, esms_ok

TEN = datetime(2026, 11, 23, 10, 0, tzinfo=VN)


@respx.mock
def test_leader_sees_what_went_out_today_failures_and_cap_use(world, consenting, script, enter_no_need, login):
    respx.post(ESMS_SEND).mock(side_effect=[httpx.Response(200, json=esms_ok()),
                                            httpx.Response(200, json={"CodeResult": "108", "ErrorMessage": "Bad phone"})])
    with time_machine.travel(TEN, tick=False):
        script([(0, "email", EMAIL_STEP), (0, "sms", SMS_STEP)])
        an = consenting("0912345678", "an@example.vn")
        binh = consenting("0987654321", "", name="Trần Thị Bình")
        enter_no_need(an)
        enter_no_need(binh)
        sending.send_due()
        page = login(world.leader_a).get("/nurture/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Chăm sóc tự động hôm nay" in html
    assert "Hạn mức hôm nay: <strong>1</strong> / 100" in html  # e-mail
    assert "Bad phone" in html and "Trần Thị Bình" in html
    sent = page.context["sent"]
    assert {(s.customer_id, s.channel) for s in sent} == {(an.pk, "email"), (an.pk, "sms")}
    assert [s.customer_id for s in page.context["failures"]] == [binh.pk]
    assert page.context["skipped"] == 1  # Bình has no e-mail address


def test_salespeople_do_not_see_the_sending_page(world, login):
    assert login(world.sale1).get("/nurture/").status_code == 403
    assert login(world.manager).get("/nurture/").status_code == 200


@respx.mock
def test_sends_show_on_the_customer_page(world, consenting, script, enter_no_need, login):
    respx.post(ESMS_SEND).mock(return_value=httpx.Response(503))
    with time_machine.travel(TEN, tick=False):
        script([(0, "sms", SMS_STEP)])
        customer = consenting("0912345678")
        enter_no_need(customer)
        sending.send_due()
        html = login(world.sale1).get(f"/customers/{customer.pk}/").content.decode()
    assert "Chăm sóc tự động" in html and "Gửi SMS lỗi (lần 1): eSMS HTTP 503" in html


def test_automatic_sends_do_not_count_as_the_salespersons_care(world, consenting):
    from leadpool.rotation.facts import tally

    customer = consenting("0912345678")
    activity = sending.record(customer.pk, "sms", "Đã tự động gửi SMS", at=TEN)
    counts = tally([{"kind": activity.kind, "flagged": activity.flagged, "call_outcome": "", "duration_seconds": None,
                     "body": activity.body, "occurred_at": activity.occurred_at}])
    assert counts["contacts"] == 0 and counts["interactions"] == 0


def test_steps_are_edited_in_the_care_script_admin(world, login):
    from leadpool.sales.models import CareScript

    client = login(world.manager)
    script = CareScript.objects.create(name="Thử")
    form = client.get(f"/admin/sales/carescript/{script.pk}/change/").content.decode()
    for field in ("automatic", "subject", "body", "zns_template_id", "zns_template_data"):
        assert f'name="steps-0-{field}"' in form
    data = {
        "name": "Thử", "description": "", "active": "on",
        "steps-TOTAL_FORMS": "1", "steps-INITIAL_FORMS": "0", "steps-MIN_NUM_FORMS": "0", "steps-MAX_NUM_FORMS": "1000",
        "steps-0-day_offset": "2", "steps-0-kind": "sms", "steps-0-automatic": "on", "steps-0-note": "",
        "steps-0-subject": "", "steps-0-body": "", "steps-0-zns_template_id": "", "steps-0-zns_template_data": "{}",
    }
    refused = client.post(f"/admin/sales/carescript/{script.pk}/change/", data)
    assert refused.status_code == 200 and "SMS tự động cần nội dung tin." in refused.content.decode()
    data["steps-0-body"] = "Chao {{ ten }}"
    saved = client.post(f"/admin/sales/carescript/{script.pk}/change/", data)
    assert saved.status_code == 302
    step = script.steps.get()
    assert step.is_automatic and step.body == "Chao {{ ten }}"


@pytest.mark.parametrize("kind, fields, message", [
    ("call", {}, "Chỉ bước E-mail, SMS hoặc Zalo ZNS"),
    ("email", {"subject": "x"}, "E-mail tự động cần tiêu đề và nội dung."),
    ("zns", {}, "Tin ZNS cần mã mẫu"),
    ("zns", {"zns_template_id": "1", "zns_template_data": ["a"]}, "Dữ liệu mẫu ZNS"),
])
def test_step_validation(db, kind, fields, message):
    with pytest.raises(ValidationError, match=message):
        CareStep(kind=kind, automatic=True, **fields).clean()


def test_manual_steps_stay_follow_ups(world, consenting, script, enter_no_need):
    from leadpool.sales.models import CareScript, FollowUp

    s = script([(1, "email", EMAIL_STEP)])
    CareStep.objects.create(script=s, day_offset=2, kind="sms", automatic=False, note="Nhắn tay")
    customer = consenting("0912345678")
    enter_no_need(customer)
    assert list(FollowUp.objects.filter(customer=customer, script_step__startswith=s.key_prefix)
                .values_list("kind", flat=True)) == ["sms"]
    assert list(Send.objects.filter(customer=customer).values_list("channel", flat=True)) == ["email"]
    assert CareScript.objects.filter(name="Nuôi dưỡng dài hạn").exists()


@respx.mock
def test_the_periodic_task_is_registered_and_runs_in_the_worker(consenting, script, enter_no_need, run_tasks):
    respx.post(ESMS_SEND).mock(return_value=httpx.Response(200, json=esms_ok()))
    every, path = PERIODIC["nurture.send_due"]
    assert every <= 300
    with time_machine.travel(TEN, tick=False):
        script([(0, "sms", SMS_STEP)])
        customer = consenting("0912345678")
        enter_no_need(customer)
        load_task(path).enqueue()
        run_tasks()
    assert Send.objects.get(customer=customer).state == "sent"

"""Acceptance: a script with an e-mail and an SMS step sends both on their day, to nobody who withdrew."""

import json
import re
from datetime import datetime

import httpx
import respx
import time_machine
from django.core import mail

from leadpool.audit.models import AuditEntry
from leadpool.nurture import sending
from leadpool.nurture.models import Send
from leadpool.sales.models import Activity, FollowUp

from .conftest import EMAIL_STEP, ESMS_SEND, SMS_STEP, START, VN, esms_ok


def nurture_activities(customer):
    return list(Activity.objects.filter(customer=customer, kind=Activity.Kind.NURTURE).order_by("occurred_at", "id"))


@respx.mock
def test_email_and_sms_steps_go_out_on_their_day_to_the_consenting_customer_only(
    world, consenting, script, enter_no_need
):
    sms = respx.post(ESMS_SEND).mock(return_value=httpx.Response(200, json=esms_ok()))
    with time_machine.travel(START, tick=False):
        s = script([(1, "email", EMAIL_STEP), (3, "sms", SMS_STEP)])
        agreed = consenting("0912345678", "an@example.vn")
        withdrew = consenting("0987654321", "binh@example.vn", name="Trần Thị Bình")
        never = consenting("0903333444", "cuong@example.vn", name="Lê Cường", consent=False)
        for customer in (agreed, withdrew, never):
            enter_no_need(customer)
        from leadpool.customers import privacy

        privacy.withdraw_consent(withdrew, by=world.sale1, channel="phone")
        # Automatic steps are not chores for the salesperson.
        assert not FollowUp.objects.filter(customer=agreed, script_step__startswith=s.key_prefix).exists()
        assert sending.send_due() == {"stale": 0}
    assert Send.objects.filter(script=s).count() == 6

    with time_machine.travel(datetime(2026, 11, 24, 9, 1, tzinfo=VN), tick=False):
        sending.send_due()
    assert [m.to for m in mail.outbox] == [["an@example.vn"]]
    message = mail.outbox[0]
    assert message.subject == "Nguyễn Văn An ơi, Lotus Garden có chính sách mới"
    assert "Dự án Lotus Garden vừa mở bán" in message.body
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message.extra_headers["List-Unsubscribe"].startswith("<https://crm.example.vn/nurture/u/")
    assert not sms.called  # the SMS is due two days later

    with time_machine.travel(datetime(2026, 11, 26, 9, 0, tzinfo=VN), tick=False):
        sending.send_due()
    assert sms.call_count == 1
    sent = json.loads(sms.calls[0].request.content)
    assert sent["Phone"] == "0912345678" and sent["Brandname"] == "LOTUSLAND" and sent["SmsType"] == "2"
    assert sent["Content"].startswith("LOTUSLAND: Chao Nguyễn Văn An, du an Lotus Garden")
    assert sent["ApiKey"] == "esms-key" and sent["RequestId"].startswith("lp-")
    assert sent["CallbackUrl"].startswith("https://crm.example.vn/nurture/callback/esms/")
    assert len(mail.outbox) == 1

    assert [a.channel for a in nurture_activities(agreed)] == ["E-mail", "SMS"]
    assert all(a.author_id is None for a in nurture_activities(agreed))
    assert nurture_activities(withdrew) == [] and nurture_activities(never) == []
    states = dict(Send.objects.filter(customer=agreed).values_list("channel", "state"))
    assert states == {"email": "sent", "sms": "sent"}
    assert set(Send.objects.filter(customer=withdrew).values_list("state", flat=True)) == {"skipped"}
    assert set(Send.objects.filter(customer=never).values_list("state", flat=True)) == {"skipped"}


@respx.mock
def test_running_twice_or_re_entering_the_script_sends_a_step_once(world, consenting, script, enter_no_need):
    from leadpool.customers.models import Status
    from leadpool.sales import actions

    respx.post(ESMS_SEND).mock(return_value=httpx.Response(200, json=esms_ok()))
    with time_machine.travel(START, tick=False):
        script([(0, "sms", SMS_STEP)])
        customer = consenting("0912345678")
        enter_no_need(customer)
        first = sending.send_due()
        again = sending.send_due()
        send = Send.objects.get(customer=customer)
        assert sending.process(send.pk) is None  # a second worker holding the same id finds nothing to do
        actions.change_status(customer, to=Status.objects.get(key="in_care"), by=world.sale1)
        enter_no_need(customer)
        sending.send_due()
    assert first == {"stale": 0, "sent": 1} and again == {"stale": 0}
    assert Send.objects.filter(customer=customer).count() == 1
    assert len(respx.calls) == 1
    assert len([a for a in nurture_activities(customer) if a.body.startswith("Đã tự động gửi")]) == 1


@respx.mock
def test_the_unsubscribe_link_works_end_to_end(world, consenting, script, enter_no_need, client):
    sms = respx.post(ESMS_SEND).mock(return_value=httpx.Response(200, json=esms_ok()))
    with time_machine.travel(START, tick=False):
        script([(0, "email", EMAIL_STEP), (2, "sms", SMS_STEP)])
        customer = consenting("0912345678")
        enter_no_need(customer)
        sending.send_due()
    body = mail.outbox[0].body
    url = re.search(r"https://crm\.example\.vn(/nurture/u/\S+/)", body).group(1)
    assert mail.outbox[0].extra_headers["List-Unsubscribe"] == f"<https://crm.example.vn{url}>"

    page = client.get(url)  # a mailbox's link scanner opening the link changes nothing
    assert page.status_code == 200 and "Ngừng nhận tin chăm sóc?" in page.content.decode()
    customer.refresh_from_db()
    assert customer.consent_withdrawn_at is None

    done = client.post(url)
    assert done.status_code == 200 and "Bạn đã huỷ đăng ký" in done.content.decode()
    customer.refresh_from_db()
    assert customer.consent_withdrawn_at is not None
    entry = AuditEntry.objects.get(action="customer.consent_withdrawn")
    assert entry.target_id == str(customer.pk) and entry.data["channel"] == "email_unsubscribe" and entry.actor is None
    assert Send.objects.get(customer=customer, channel="sms").state == "cancelled"
    assert "huỷ đăng ký" in nurture_activities(customer)[-1].body

    with time_machine.travel(datetime(2026, 11, 25, 9, 0, tzinfo=VN), tick=False):
        sending.send_due()
    assert not sms.called
    assert client.post(url).status_code == 200  # twice is still fine, and audited once
    assert AuditEntry.objects.filter(action="customer.consent_withdrawn").count() == 1
    assert client.get("/nurture/u/forged-token/").status_code == 404


def test_one_click_unsubscribe_from_the_mail_app(world, consenting, client):
    from leadpool.nurture.unsubscribe import url_for

    customer = consenting("0912345678")
    path = url_for(customer.pk).removeprefix("https://crm.example.vn")
    response = client.post(path, data="List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded")
    assert response.status_code == 200
    customer.refresh_from_db()
    assert customer.consent_withdrawn_at is not None

"""The sender's limits and failures: quiet hours, the daily cap, provider errors and retries, ZNS, callbacks."""

import hashlib
import json
from datetime import datetime

import httpx
import pytest
import respx
import time_machine
from django.core import mail
from django.test import Client

from leadpool.intake.models import InboxItem
from leadpool.nurture import sending
from leadpool.nurture.models import DailyCount, Send
from leadpool.nurture.unsubscribe import read_callback_token
from leadpool.sales.models import Activity

from .conftest import EMAIL_STEP, ESMS_SEND, SMS_STEP, VN, ZNS_SEND, ZNS_STEP, esms_ok


def bodies(customer):
    return [a.body for a in Activity.objects.filter(customer=customer, kind=Activity.Kind.NURTURE).order_by("id")]


@respx.mock
def test_quiet_hours_hold_sms_and_zns_until_morning_but_not_email(consenting, script, enter_no_need):
    sms = respx.post(ESMS_SEND).mock(return_value=httpx.Response(200, json=esms_ok()))
    zns = respx.post(ZNS_SEND).mock(return_value=httpx.Response(200, json={"error": 0, "message": "Success",
                                                                           "data": {"msg_id": "z1", "sent_time": "1"}}))
    night = datetime(2026, 11, 23, 22, 30, tzinfo=VN)
    with time_machine.travel(night, tick=False):
        script([(0, "email", EMAIL_STEP), (0, "sms", SMS_STEP), (0, "zns", ZNS_STEP)])
        customer = consenting("0912345678")
        enter_no_need(customer)
        sending.send_due()
    assert len(mail.outbox) == 1 and not sms.called and not zns.called
    held = Send.objects.get(customer=customer, channel="sms")
    assert held.state == "pending" and held.next_try_at == datetime(2026, 11, 24, 8, 0, tzinfo=VN)
    assert held.attempts == 0  # deferred, not a failed try

    with time_machine.travel(datetime(2026, 11, 24, 7, 59, tzinfo=VN), tick=False):
        sending.send_due()
    assert not sms.called
    with time_machine.travel(datetime(2026, 11, 24, 8, 0, tzinfo=VN), tick=False):
        sending.send_due()
    assert sms.call_count == 1 and zns.call_count == 1


@respx.mock
def test_the_daily_cap_is_counted_in_the_database_and_the_rest_waits_for_tomorrow(
    nurture_settings, consenting, script, enter_no_need
):
    nurture_settings.LEADPOOL["NURTURE"]["DAILY_CAPS"] = {"email": 100, "sms": 2, "zns": 100}
    sms = respx.post(ESMS_SEND).mock(return_value=httpx.Response(200, json=esms_ok()))
    with time_machine.travel(datetime(2026, 11, 23, 10, 0, tzinfo=VN), tick=False):
        script([(0, "sms", SMS_STEP)])
        customers = [consenting(f"09123456{i:02d}", f"k{i}@example.vn", name=f"Khách {i}") for i in range(3)]
        for c in customers:
            enter_no_need(c)
        sending.send_due()
        sending.send_due()
    assert sms.call_count == 2
    assert DailyCount.objects.get(channel="sms").used == 2
    waiting = Send.objects.get(state="pending")
    assert waiting.next_try_at == datetime(2026, 11, 24, 8, 0, tzinfo=VN)
    assert "hạn mức" in waiting.error

    with time_machine.travel(datetime(2026, 11, 24, 8, 5, tzinfo=VN), tick=False):
        sending.send_due()
    assert sms.call_count == 3
    assert DailyCount.objects.get(channel="sms", day=datetime(2026, 11, 24).date()).used == 1


def test_reserve_never_passes_the_cap(db):
    day = datetime(2026, 11, 23).date()
    taken = [sending.reserve("sms", day, 3) for _ in range(5)]
    assert taken == [True, True, True, False, False]
    sending.release("sms", day)
    assert sending.reserve("sms", day, 3) is True
    assert sending.reserve("email", day, 0) is False


@respx.mock
def test_a_retryable_provider_failure_is_a_failure_activity_and_is_tried_again(consenting, script, enter_no_need):
    sms = respx.post(ESMS_SEND).mock(side_effect=[
        httpx.Response(503, text="Service Unavailable"),
        httpx.ConnectError("connection refused"),
        httpx.Response(200, json=esms_ok("abc123")),
    ])
    with time_machine.travel(datetime(2026, 11, 23, 10, 0, tzinfo=VN), tick=False):
        script([(0, "sms", SMS_STEP)])
        customer = consenting("0912345678")
        enter_no_need(customer)
        sending.send_due()
    send = Send.objects.get(customer=customer)
    assert send.state == "pending" and send.attempts == 1 and "503" in send.error
    assert send.next_try_at == datetime(2026, 11, 23, 10, 5, tzinfo=VN)
    assert DailyCount.objects.get(channel="sms").used == 0  # nothing went out
    with time_machine.travel(datetime(2026, 11, 23, 10, 4, tzinfo=VN), tick=False):
        sending.send_due()
    assert sms.call_count == 1
    with time_machine.travel(datetime(2026, 11, 23, 10, 5, tzinfo=VN), tick=False):
        sending.send_due()
    with time_machine.travel(datetime(2026, 11, 23, 10, 15, tzinfo=VN), tick=False):
        sending.send_due()
    send.refresh_from_db()
    assert sms.call_count == 3 and send.state == "sent" and send.provider_message_id == "abc123" and send.attempts == 3
    texts = bodies(customer)
    assert texts[0].startswith("Gửi SMS lỗi (lần 1): eSMS HTTP 503. Sẽ thử lại lúc 10:05")
    assert texts[1].startswith("Gửi SMS lỗi (lần 2): eSMS: ConnectError")
    assert texts[2].startswith("Đã tự động gửi SMS")


@respx.mock
def test_a_refusal_is_final_and_retries_stop_after_the_last_attempt(nurture_settings, consenting, script, enter_no_need):
    nurture_settings.LEADPOOL["NURTURE"]["MAX_ATTEMPTS"] = 2
    respx.post(ESMS_SEND).mock(return_value=httpx.Response(200, json={
        "CodeResult": "101", "CountRegenerate": 0, "ErrorMessage": "Authorize Failed"}))
    respx.post(ZNS_SEND).mock(return_value=httpx.Response(502))
    with time_machine.travel(datetime(2026, 11, 23, 10, 0, tzinfo=VN), tick=False):
        script([(0, "sms", SMS_STEP), (0, "zns", ZNS_STEP)])
        customer = consenting("0912345678")
        enter_no_need(customer)
        sending.send_due()
    with time_machine.travel(datetime(2026, 11, 23, 11, 0, tzinfo=VN), tick=False):
        sending.send_due()
        sending.send_due()
    states = dict(Send.objects.filter(customer=customer).values_list("channel", "state"))
    assert states == {"sms": "failed", "zns": "failed"}
    assert len(respx.calls) == 3  # SMS once (refused), ZNS twice (server errors, then out of attempts)
    texts = bodies(customer)
    assert any(t.startswith("Gửi SMS thất bại, không thử lại: eSMS 101: Authorize Failed") for t in texts)
    assert any(t.startswith("Gửi Zalo ZNS thất bại, không thử lại: Zalo ZNS HTTP 502") for t in texts)


@respx.mock
def test_zns_step_posts_the_template_with_the_access_token_and_a_signed_receipt_marks_it_delivered(
    consenting, script, enter_no_need, client
):
    zns = respx.post(ZNS_SEND).mock(return_value=httpx.Response(200, json={
        "error": 0, "message": "Success",
        "data": {"msg_id": "a2a5d3a5c1a4b0e9", "sent_time": "1764036000000", "quota": {"dailyQuota": "500"}}}))
    with time_machine.travel(datetime(2026, 11, 23, 10, 0, tzinfo=VN), tick=False):
        script([(0, "zns", ZNS_STEP)])
        customer = consenting("0912345678")
        enter_no_need(customer)
        sending.send_due()
    request = zns.calls[0].request
    assert request.headers["access_token"] == "oa-token"
    payload = json.loads(request.content)
    send = Send.objects.get(customer=customer)
    assert payload == {"phone": "84912345678", "template_id": "231477",
                       "template_data": {"customer_name": "Nguyễn Văn An", "project": "Lotus Garden"},
                       "tracking_id": f"lp-{send.pk}"}
    assert send.provider_message_id == "a2a5d3a5c1a4b0e9"

    event = {"app_id": "app-1", "event_name": "user_received_message", "timestamp": "1764036005000",
             "sender": {"id": "579745863508352884"}, "recipient": {"id": "84912345678"},
             "message": {"msg_id": "a2a5d3a5c1a4b0e9", "delivery_time": "1764036004000",
                         "tracking_id": f"lp-{send.pk}"}}
    body = json.dumps(event).encode()
    mac = hashlib.sha256(b"app-1" + body + b"1764036005000" + b"oa-secret").hexdigest()
    bad = client.post("/nurture/callback/zalo/", body, content_type="application/json",
                      HTTP_X_ZEVENT_SIGNATURE="mac=" + "0" * 64)
    assert bad.status_code == 403
    ok = client.post("/nurture/callback/zalo/", body, content_type="application/json",
                     HTTP_X_ZEVENT_SIGNATURE="mac=" + mac)
    assert ok.status_code == 200
    client.post("/nurture/callback/zalo/", body, content_type="application/json", HTTP_X_ZEVENT_SIGNATURE="mac=" + mac)
    send.refresh_from_db()
    assert send.state == "delivered"
    # Each callback was kept verbatim before it was judged, the forged one too.
    kept = list(InboxItem.objects.filter(channel="zns").order_by("id").values_list("state", "error"))
    assert kept == [("rejected", "bad signature"), ("processed", ""), ("processed", "")]
    assert bytes(InboxItem.objects.filter(channel="zns").order_by("id").first().body) == body
    assert [t for t in bodies(customer) if "đã đến khách" in t] == ["Zalo ZNS tự động đã đến khách."]


@respx.mock
@pytest.mark.parametrize("query, state, text", [
    ({"SendStatus": "5", "SendSuccess": "1", "SendFailed": "0"}, "delivered", "SMS tự động đã đến khách."),
    ({"SendStatus": "4", "SendSuccess": "0", "SendFailed": "1"}, "undelivered", "SMS tự động không đến được khách"),
    ({"SendStatus": "7", "SendSuccess": "0", "SendFailed": "0"}, "sent", None),
])
def test_esms_delivery_callback(consenting, script, enter_no_need, client, query, state, text):
    respx.post(ESMS_SEND).mock(return_value=httpx.Response(200, json=esms_ok("dc712784")))
    with time_machine.travel(datetime(2026, 11, 23, 10, 0, tzinfo=VN), tick=False):
        script([(0, "sms", SMS_STEP)])
        customer = consenting("0912345678")
        enter_no_need(customer)
        sending.send_due()
    send = Send.objects.get(customer=customer)
    sent_body = json.loads(respx.calls[0].request.content)
    url = sent_body["CallbackUrl"].removeprefix("https://crm.example.vn")
    assert url.startswith("/nurture/callback/esms/")
    assert read_callback_token(url.split("/")[-2]) == send.pk
    params = {"SMSID": "dc712784", "TotalPrice": "0.0000", "TotalReceiver": "1", "TotalSent": "1",
              "RequestId": sent_body["RequestId"], "TypeId": "2", "telcoid": "1", "phonenumber": "0912345678", **query}
    assert client.get(url, params).status_code == 200
    assert client.get(url, params).status_code == 200  # eSMS retries its callback: counted once
    send.refresh_from_db()
    assert send.state == state
    received = [t for t in bodies(customer) if "đến" in t and "khách" in t and not t.startswith("Đã tự động")]
    assert (received == []) if text is None else (len(received) == 1 and received[0].startswith(text))
    assert client.get("/nurture/callback/esms/forged/", params).status_code == 403
    assert client.get(url, {**params, "SMSID": "someone-else"}).status_code == 400
    kept = list(InboxItem.objects.filter(channel="esms").order_by("id").values_list("state", flat=True))
    assert kept == ["processed", "processed", "rejected", "rejected"]
    assert "SMSID=dc712784" in bytes(InboxItem.objects.filter(channel="esms").order_by("id").first().body).decode()


@respx.mock
def test_erased_customers_never_receive_and_a_dead_worker_claim_is_not_resent(world, consenting, script, enter_no_need):
    from datetime import timedelta

    from leadpool.customers import privacy

    sms = respx.post(ESMS_SEND).mock(return_value=httpx.Response(200, json=esms_ok()))
    with time_machine.travel(datetime(2026, 11, 23, 10, 0, tzinfo=VN), tick=False):
        script([(0, "sms", SMS_STEP), (1, "email", EMAIL_STEP)])
        erased = consenting("0912345678")
        stuck = consenting("0987654321", "binh@example.vn", name="Trần Thị Bình")
        enter_no_need(erased)
        enter_no_need(stuck)
        privacy.erase(erased, by=world.manager, reason="Khách yêu cầu xoá")
        claimed = Send.objects.get(customer=stuck, channel="sms")
        Send.objects.filter(pk=claimed.pk).update(state="sending", claimed_at=datetime(2026, 11, 23, 10, 0, tzinfo=VN))
        sending.send_due()
    with time_machine.travel(datetime(2026, 11, 23, 10, 0, tzinfo=VN) + timedelta(minutes=16), tick=False):
        result = sending.send_due()
    assert result["stale"] == 1
    assert not sms.called
    assert set(Send.objects.filter(customer=erased).values_list("state", flat=True)) <= {"skipped", "pending"}
    claimed.refresh_from_db()
    assert claimed.state == "failed" and "gián đoạn" in claimed.error
    assert any("bị gián đoạn" in t for t in bodies(stuck))
    with time_machine.travel(datetime(2026, 11, 24, 9, 0, tzinfo=VN), tick=False):
        sending.send_due()
    assert [m.to for m in mail.outbox] == [["binh@example.vn"]]
    assert Send.objects.get(customer=erased, channel="email").state == "skipped"


@respx.mock
def test_the_oa_webhook_of_intake_hands_a_zns_delivery_over_to_nurture(
    world, consenting, script, enter_no_need, run_tasks, django_capture_on_commit_callbacks
):
    """Zalo allows one webhook per app: the OA connection's URL receives ZNS delivery reports too."""
    from leadpool.intake.models import ChannelConfig

    respx.post(ZNS_SEND).mock(return_value=httpx.Response(200, json={
        "error": 0, "message": "Success", "data": {"msg_id": "b7c1", "sent_time": "1764036000000"}}))
    with time_machine.travel(datetime(2026, 11, 23, 10, 0, tzinfo=VN), tick=False):
        script([(0, "zns", ZNS_STEP)])
        customer = consenting("0912345678")
        enter_no_need(customer)
        sending.send_due()
    send = Send.objects.get(customer=customer)
    oa = ChannelConfig.objects.create(kind="zalo", name="OA Lotus", source=world.facebook, app_id="app-1",
                                      secret="oa-secret")
    event = {"app_id": "app-1", "event_name": "user_received_message", "timestamp": "1764036005000",
             "sender": {"id": "579745863508352884"}, "recipient": {"id": "84912345678"},
             "message": {"msg_id": "b7c1", "delivery_time": "1764036004000", "tracking_id": f"lp-{send.pk}"}}
    body = json.dumps(event).encode()
    mac = hashlib.sha256(b"app-1" + body + b"1764036005000" + b"oa-secret").hexdigest()
    with django_capture_on_commit_callbacks(execute=True):
        response = Client().post(f"/intake/hook/zalo/{oa.token}/", body, content_type="application/json",
                                 HTTP_X_ZEVENT_SIGNATURE="mac=" + mac)
    assert response.status_code == 200
    run_tasks()
    send.refresh_from_db()
    item = InboxItem.objects.get(channel="zalo")
    assert (send.state, item.state, item.response) == ("delivered", "processed", {"zns_delivered": True})
    assert not customer.leads.filter(channel="zalo").exists()  # a delivery report is not a lead

"""Zalo OA chat: the person's messages and the OA's own make one thread on the customer page, answered via the OA API."""

import hashlib
import json
import time
from datetime import timedelta

import httpx
import respx
import time_machine
from django.utils import timezone

from leadpool.conversations.models import Conversation, Message
from leadpool.customers.models import Customer, Lead
from leadpool.intake.models import InboxItem

ZALO_API = "https://openapi.zalo.me"
HX = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "conversations"}
USER = "2512523625412515"
OA = "579745863508352884"
NOW_MS = int((time.time() - 600) * 1000)


def zalo_signed(payload: dict, app_id="4321", secret="zalo-oa-secret"):
    body = json.dumps(payload, ensure_ascii=False).encode()
    mac = hashlib.sha256(app_id.encode() + body + str(payload["timestamp"]).encode() + secret.encode()).hexdigest()
    return body, {"X-ZEvent-Signature": f"mac={mac}"}


def user_text(msg_id, text, ts):
    # Zalo's documented user_send_text event (timestamps in milliseconds, as strings).
    return {"app_id": "4321", "user_id_by_app": "552177279717587730", "event_name": "user_send_text",
            "timestamp": str(ts), "sender": {"id": USER}, "recipient": {"id": OA},
            "message": {"msg_id": msg_id, "text": text}}


def oa_text(msg_id, text, ts):
    return {"app_id": "4321", "oa_id": OA, "user_id_by_app": "552177279717587730", "event_name": "oa_send_text",
            "timestamp": str(ts), "sender": {"id": OA}, "recipient": {"id": USER},
            "message": {"msg_id": msg_id, "text": text}}


def send(post, channels, payload):
    body, headers = zalo_signed(payload)
    response = post(channels["zalo"], body, headers=headers)
    assert response.status_code == 200
    return response


def zalo_thread(world, channels, post, run_tasks):
    config = channels["zalo"]
    config.access_token = "OA-ACCESS-TOKEN"
    config.save()
    send(post, channels, user_text("z1", "Chào OA, cho em hỏi dự án Lotus", NOW_MS))
    send(post, channels, oa_text("z2", "Dạ chào anh, anh cần căn mấy phòng ngủ ạ?", NOW_MS + 30_000))
    send(post, channels, user_text("z3", "2PN, sđt em 0903 222 333", NOW_MS + 60_000))
    run_tasks()
    return Conversation.objects.select_related("customer__owner").get()


def test_zalo_chat_is_one_thread_on_the_customer(world, channels, post, run_tasks, login):
    conversation = zalo_thread(world, channels, post, run_tasks)
    customer = Customer.objects.get()
    assert conversation.platform == "zalo" and conversation.user_id == USER and conversation.customer == customer
    rows = list(conversation.messages.values_list("direction", "state", "text"))
    assert rows == [("in", "received", "Chào OA, cho em hỏi dự án Lotus"),
                    ("out", "sent", "Dạ chào anh, anh cần căn mấy phòng ngủ ạ?"),
                    ("in", "received", "2PN, sđt em 0903 222 333")]
    # The existing Zalo intake still makes its leads; the OA's own message is not one.
    assert Lead.objects.count() == 2 and customer.phones.get().e164 == "+84903222333"
    html = login(customer.owner).get(f"/conversations/customers/{customer.pk}/", **HX).content.decode()
    assert "Dạ chào anh, anh cần căn mấy phòng ngủ ạ?" in html and "Zalo OA" in html
    # Re-delivered events change nothing.
    send(post, channels, oa_text("z2", "Dạ chào anh, anh cần căn mấy phòng ngủ ạ?", NOW_MS + 30_000))
    run_tasks()
    assert Message.objects.count() == 3 and InboxItem.objects.count() == 3


@respx.mock
def test_reply_goes_through_the_oa_api_and_its_echo_is_not_a_second_message(
        world, channels, post, run_tasks, login, django_capture_on_commit_callbacks):
    conversation = zalo_thread(world, channels, post, run_tasks)
    route = respx.post(f"{ZALO_API}/v3.0/oa/message/cs").mock(side_effect=[
        httpx.Response(502, text="Bad Gateway"),
        httpx.Response(200, json={"data": {"message_id": "z-reply-1", "user_id": USER}, "error": 0,
                                  "message": "Success"}),
    ])
    with django_capture_on_commit_callbacks(execute=True):
        response = login(conversation.customer.owner).post(
            f"/conversations/{conversation.pk}/reply/", {"text": "Dạ em gọi anh lúc 3h nhé"}, **HX)
    assert response.status_code == 200
    run_tasks()
    reply = Message.objects.get(sent_by__isnull=False)
    assert reply.state == "queued" and reply.attempts == 1
    with time_machine.travel(timezone.now() + timedelta(seconds=31)):
        run_tasks()
    reply.refresh_from_db()
    assert (reply.state, reply.platform_message_id) == ("sent", "z-reply-1")
    request = route.calls.last.request
    assert request.headers["access_token"] == "OA-ACCESS-TOKEN"
    assert json.loads(request.content) == {"recipient": {"user_id": USER}, "message": {"text": "Dạ em gọi anh lúc 3h nhé"}}
    # Zalo then reports the OA's message on the webhook: the thread keeps one copy.
    send(post, channels, oa_text("z-reply-1", "Dạ em gọi anh lúc 3h nhé", NOW_MS + 700_000))
    run_tasks()
    assert Message.objects.filter(direction="out").count() == 2


@respx.mock
def test_zalo_refusal_is_shown_and_not_retried(world, channels, post, run_tasks, login,
                                               django_capture_on_commit_callbacks):
    conversation = zalo_thread(world, channels, post, run_tasks)
    route = respx.post(f"{ZALO_API}/v3.0/oa/message/cs").mock(
        return_value=httpx.Response(200, json={"error": -213, "message": "User has not followed OA"}))
    with django_capture_on_commit_callbacks(execute=True):
        login(conversation.customer.owner).post(f"/conversations/{conversation.pk}/reply/", {"text": "Dạ"}, **HX)
    run_tasks()
    reply = Message.objects.get(sent_by__isnull=False)
    assert reply.state == "failed" and "-213" in reply.error and route.call_count == 1


@respx.mock
def test_zalo_window_is_seven_days_from_the_last_message(world, channels, post, run_tasks, login,
                                                         django_capture_on_commit_callbacks):
    conversation = zalo_thread(world, channels, post, run_tasks)
    route = respx.post(f"{ZALO_API}/v3.0/oa/message/cs").mock(
        return_value=httpx.Response(200, json={"data": {"message_id": "z-late"}, "error": 0, "message": "Success"}))
    url = f"/conversations/{conversation.pk}/reply/"
    with time_machine.travel(conversation.last_inbound_at + timedelta(days=6, hours=23)):
        client = login(conversation.customer.owner)
        with django_capture_on_commit_callbacks(execute=True):
            client.post(url, {"text": "Anh còn quan tâm không ạ?"}, **HX)
        run_tasks()
    assert route.call_count == 1
    with time_machine.travel(conversation.last_inbound_at + timedelta(days=7, minutes=1)):
        client = login(conversation.customer.owner)
        html = client.get(f"/conversations/customers/{conversation.customer_id}/", **HX).content.decode()
        assert "Đã quá 7 ngày kể từ lần cuối khách tương tác với OA" in html
        with django_capture_on_commit_callbacks(execute=True):
            client.post(url, {"text": "Anh ơi"}, **HX)
        run_tasks()
    assert route.call_count == 1 and Message.objects.filter(sent_by__isnull=False).count() == 1


def test_the_number_in_a_zalo_message_is_masked_on_the_lead_but_kept_on_the_profile(world, channels, post, run_tasks):
    send(post, channels, user_text("zm1", "Em muốn xem nhà mẫu, sđt 0903 222 333 ạ", NOW_MS))
    run_tasks()
    lead = Lead.objects.get(channel="zalo")
    assert "0903 222 333" not in lead.note and "0903 222 333" not in lead.answers["message"]
    assert lead.note.startswith("Em muốn xem nhà mẫu, sđt ")
    assert lead.customer.phones.get().e164 == "+84903222333"

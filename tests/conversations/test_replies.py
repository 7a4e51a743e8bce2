"""Answering a chat from the customer page: queued, sent by the worker through the Send API, retried, refused late."""

import json
from datetime import timedelta

import httpx
import respx
import time_machine
from django.utils import timezone

from leadpool.conversations.models import Message
from leadpool.conversations.replies import send_reply

GRAPH = "https://graph.facebook.com/v21.0"
HX = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "conversations"}
PSID = "6543210987654321"


def sent_ok(mid="m_REPLY1"):
    return httpx.Response(200, json={"recipient_id": PSID, "message_id": mid})


@respx.mock
def test_owner_replies_and_the_worker_sends_through_the_send_api(world, messenger_chat, login, run_tasks,
                                                                 django_capture_on_commit_callbacks):
    conversation, customer = messenger_chat
    route = respx.post(f"{GRAPH}/me/messages").mock(return_value=sent_ok())
    client = login(customer.owner)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/conversations/{conversation.pk}/reply/", {"text": "Dạ em gửi chị bảng giá ạ"}, **HX)
    assert response.status_code == 200 and "Đã xếp tin nhắn vào hàng gửi." in response.content.decode()
    reply = Message.objects.get(direction="out")
    assert (reply.state, reply.sent_by, reply.text) == ("queued", customer.owner, "Dạ em gửi chị bảng giá ạ")
    run_tasks()
    reply.refresh_from_db()
    assert (reply.state, reply.platform_message_id, reply.attempts) == ("sent", "m_REPLY1", 1)
    request = route.calls.last.request
    assert request.url.params["access_token"] == "PAGE-TOKEN"
    assert json.loads(request.content) == {"recipient": {"id": PSID}, "messaging_type": "RESPONSE",
                                           "message": {"text": "Dạ em gửi chị bảng giá ạ"}}
    # Running the task again sends nothing twice.
    assert send_reply.call(reply.pk) == "sent" and route.call_count == 1


@respx.mock
def test_a_5xx_is_retried_after_a_back_off(world, messenger_chat, login, run_tasks,
                                           django_capture_on_commit_callbacks):
    conversation, customer = messenger_chat
    route = respx.post(f"{GRAPH}/me/messages").mock(side_effect=[
        httpx.Response(500, json={"error": {"message": "An unknown error has occurred.", "type": "OAuthException",
                                            "code": 1, "fbtrace_id": "Abc"}}),
        sent_ok("m_REPLY2"),
    ])
    with django_capture_on_commit_callbacks(execute=True):
        login(customer.owner).post(f"/conversations/{conversation.pk}/reply/", {"text": "Chị rảnh lúc nào ạ?"}, **HX)
    run_tasks()
    reply = Message.objects.get(direction="out")
    assert reply.state == "queued" and reply.attempts == 1 and "500" in reply.error
    run_tasks()  # the retry waits for its back-off
    assert route.call_count == 1
    with time_machine.travel(timezone.now() + timedelta(seconds=31)):
        run_tasks()
    reply.refresh_from_db()
    assert (reply.state, reply.attempts, reply.platform_message_id, reply.error) == ("sent", 2, "m_REPLY2", "")


@respx.mock
def test_a_refusal_fails_at_once_with_the_platforms_reason(world, messenger_chat, login, run_tasks,
                                                           django_capture_on_commit_callbacks):
    conversation, customer = messenger_chat
    respx.post(f"{GRAPH}/me/messages").mock(return_value=httpx.Response(400, json={"error": {
        "message": "(#551) This person isn't available right now.", "type": "OAuthException", "code": 551,
        "error_subcode": 1545041}}))
    with django_capture_on_commit_callbacks(execute=True):
        login(customer.owner).post(f"/conversations/{conversation.pk}/reply/", {"text": "Alo"}, **HX)
    run_tasks()
    reply = Message.objects.get(direction="out")
    assert reply.state == "failed" and "#551" in reply.error
    html = login(customer.owner).get(f"/conversations/customers/{customer.pk}/", **HX).content.decode()
    assert "Gửi lỗi" in html and "#551" in html


@respx.mock
def test_a_closed_window_refuses_plainly_and_sends_nothing(world, messenger_chat, login, run_tasks,
                                                           django_capture_on_commit_callbacks):
    conversation, customer = messenger_chat
    route = respx.post(f"{GRAPH}/me/messages").mock(return_value=sent_ok())
    with time_machine.travel(conversation.last_inbound_at + timedelta(hours=24, minutes=1)):
        client = login(customer.owner)  # a session of the day after
        html = client.get(f"/conversations/customers/{customer.pk}/", **HX).content.decode()
        assert "Đã quá 24 giờ kể từ tin nhắn cuối của khách" in html
        assert f'action="/conversations/{conversation.pk}/reply/"' not in html
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(f"/conversations/{conversation.pk}/reply/", {"text": "Chị ơi"}, **HX)
        assert "hết thời hạn trả lời" in response.content.decode()
        run_tasks()
    assert Message.objects.filter(direction="out").count() == 0 and route.call_count == 0


@respx.mock
def test_a_reply_queued_before_the_window_closed_is_not_attempted_after(world, messenger_chat, login, run_tasks,
                                                                         django_capture_on_commit_callbacks):
    conversation, customer = messenger_chat
    route = respx.post(f"{GRAPH}/me/messages").mock(return_value=httpx.Response(503))
    with django_capture_on_commit_callbacks(execute=True):
        login(customer.owner).post(f"/conversations/{conversation.pk}/reply/", {"text": "Chị ơi"}, **HX)
    run_tasks()
    assert route.call_count == 1
    with time_machine.travel(conversation.last_inbound_at + timedelta(hours=25)):
        run_tasks()
    reply = Message.objects.get(direction="out")
    assert reply.state == "failed" and "reply window closed" in reply.error and route.call_count == 1


def test_only_people_who_may_work_the_customer_read_and_answer(world, messenger_chat, login):
    conversation, customer = messenger_chat
    colleague = world.sale2 if customer.owner != world.sale2 else world.sale3
    for outsider in (colleague, world.mkt, world.leader_b):
        client = login(outsider)
        assert client.get(f"/conversations/customers/{customer.pk}/").status_code == 404
        assert client.post(f"/conversations/{conversation.pk}/reply/", {"text": "x"}).status_code == 404
    assert Message.objects.filter(direction="out").count() == 0
    # Marketing opens the customer page but sees neither the thread nor the chat on the timeline.
    page = login(world.mkt).get(f"/customers/{customer.pk}/").content.decode()
    assert "0912 345 678" not in page and 'id="conversations"' not in page
    for insider in (customer.owner, world.leader_a, world.manager):
        html = login(insider).get(f"/conversations/customers/{customer.pk}/").content.decode()
        assert "Em là Hoa, số 0912 345 678" in html and "Lotus Garden - căn 2PN" in html


def test_the_thread_shows_on_the_customer_page_and_timeline(world, messenger_chat, login):
    conversation, customer = messenger_chat
    html = login(customer.owner).get(f"/customers/{customer.pk}/").content.decode()
    assert f'hx-get="/conversations/customers/{customer.pk}/"' in html
    assert 'class="kind-chat"' in html and "Em là Hoa, số 0912 345 678" in html


def test_without_javascript_the_reply_form_still_works(world, messenger_chat, login):
    conversation, customer = messenger_chat
    response = login(customer.owner).post(f"/conversations/{conversation.pk}/reply/", {"text": "Dạ"})
    assert response.status_code == 302 and response["Location"] == f"/customers/{customer.pk}/"
    empty = login(customer.owner).post(f"/conversations/{conversation.pk}/reply/", {"text": "  "})
    assert empty.status_code == 400 and Message.objects.filter(direction="out").count() == 1


@respx.mock
def test_a_sent_reply_counts_as_the_owners_care_and_shows_once_on_the_timeline(
        world, messenger_chat, login, run_tasks, django_capture_on_commit_callbacks):
    from leadpool.customers.timeline import build
    from leadpool.sales.models import Activity

    conversation, customer = messenger_chat
    respx.post(f"{GRAPH}/me/messages").mock(return_value=sent_ok("m_CARE"))
    with django_capture_on_commit_callbacks(execute=True):
        login(customer.owner).post(f"/conversations/{conversation.pk}/reply/", {"text": "Em gửi chị vị trí căn hộ ạ"}, **HX)
    run_tasks()
    reply = Message.objects.get(direction="out")
    care = Activity.objects.get(customer=customer, kind=Activity.Kind.MESSAGE, author=customer.owner)
    assert (care.body, care.channel, care.occurred_at) == ("Em gửi chị vị trí căn hộ ạ", "messenger", reply.sent_at)
    customer.refresh_from_db()
    assert customer.last_contact_at == reply.sent_at
    entries = build(customer, viewer=customer.owner, chats=True)
    shown = [e for e in entries if getattr(e.obj, "body", getattr(e.obj, "text", None)) == "Em gửi chị vị trí căn hộ ạ"]
    assert [e.kind for e in shown] == ["activity"]
    # Sending again (a re-run task) logs nothing more.
    send_reply.call(reply.pk)
    assert Activity.objects.filter(customer=customer, kind=Activity.Kind.MESSAGE).count() == 1

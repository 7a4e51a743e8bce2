"""Deliveries: Web Push (encrypted, VAPID-signed), e-mail and Telegram, each faked at its HTTP boundary."""

import json
from datetime import timedelta

import http_ece
import httpx
import responses
import respx
from django.core import mail
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from leadpool.notify.models import Delivery, Preference, PushSubscription, VapidKey
from leadpool.notify.service import notify

from .conftest import PUSH_ENDPOINT

TELEGRAM = "https://api.telegram.org/bot123456:TEST-TOKEN/sendMessage"


def _notify(user, django_capture_on_commit_callbacks, **kw):
    with django_capture_on_commit_callbacks(execute=True):
        return notify(user, kind=kw.pop("kind", "customer.assigned"), title=kw.pop("title", "Khách mới: An"),
                      body=kw.pop("body", "Từ Facebook Ads"), url=kw.pop("url", "/customers/1/"), **kw)


def test_vapid_keys_are_generated_at_set_up(db):
    key = VapidKey.objects.get()
    assert key.private_pem.startswith("-----BEGIN PRIVATE KEY-----")
    assert len(key.public_key) == 87  # an uncompressed P-256 point, base64url


@responses.activate
def test_web_push_is_encrypted_for_the_browser_and_signed(world, subscribed, browser_keys, run_tasks,
                                                          django_capture_on_commit_callbacks):
    responses.add(responses.POST, PUSH_ENDPOINT, status=201)
    subscribed(world.sale1)
    note = _notify(world.sale1, django_capture_on_commit_callbacks)
    run_tasks()
    assert len(responses.calls) == 1
    request = responses.calls[0].request
    assert request.headers["Content-Encoding"] == "aes128gcm"
    assert request.headers["Authorization"].startswith("vapid t=")
    assert f"k={VapidKey.objects.get().public_key}" in request.headers["Authorization"]
    body = http_ece.decrypt(request.body, private_key=browser_keys.private, auth_secret=browser_keys.auth_raw,
                            version="aes128gcm")
    payload = json.loads(body)
    assert payload == {"title": "Khách mới: An", "body": "Từ Facebook Ads", "url": "/customers/1/",
                       "kind": "customer.assigned", "id": note.pk}
    assert Delivery.objects.get(notification=note).state == "sent"
    assert PushSubscription.objects.get().last_success_at is not None


@responses.activate
def test_a_delivery_is_never_sent_twice(world, subscribed, run_tasks, django_capture_on_commit_callbacks):
    from leadpool.notify.channels import deliver

    responses.add(responses.POST, PUSH_ENDPOINT, status=201)
    subscribed(world.sale1)
    note = _notify(world.sale1, django_capture_on_commit_callbacks)
    run_tasks()
    deliver.enqueue(note.pk, "push")  # a duplicate run
    run_tasks()
    assert len(responses.calls) == 1


@responses.activate
def test_an_expired_subscription_is_forgotten(world, subscribed, run_tasks, django_capture_on_commit_callbacks):
    responses.add(responses.POST, PUSH_ENDPOINT, status=410, body="push subscription has unsubscribed or expired.")
    subscribed(world.sale1)
    _notify(world.sale1, django_capture_on_commit_callbacks)
    run_tasks()
    assert not PushSubscription.objects.exists()
    assert Delivery.objects.get().state == "gone"


@responses.activate
def test_a_push_service_error_is_retried_later(world, subscribed, run_tasks, django_capture_on_commit_callbacks):
    responses.add(responses.POST, PUSH_ENDPOINT, status=503)
    subscribed(world.sale1)
    _notify(world.sale1, django_capture_on_commit_callbacks)
    run_tasks()
    row = Delivery.objects.get()
    assert (row.state, row.attempts) == ("failed", 1) and "503" in row.error
    retry = DBTaskResult.objects.filter(status="READY").get()
    assert retry.run_after > timezone.now() + timedelta(minutes=1)


def test_email_when_the_person_chose_it(world, run_tasks, django_capture_on_commit_callbacks):
    world.sale1.email = "sale1@example.vn"
    world.sale1.save()
    Preference.objects.create(user=world.sale1, push=False, email=True)
    _notify(world.sale1, django_capture_on_commit_callbacks, title="Đến hạn chăm sóc: An", url="/customers/9/")
    run_tasks()
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["sale1@example.vn"] and "Đến hạn chăm sóc: An" in message.subject
    assert "/customers/9/" in message.body


def test_no_email_unless_chosen(world, run_tasks, django_capture_on_commit_callbacks):
    world.sale1.email = "sale1@example.vn"
    world.sale1.save()
    _notify(world.sale1, django_capture_on_commit_callbacks)
    run_tasks()
    assert mail.outbox == []


@respx.mock
def test_telegram_when_a_token_is_configured(world, settings, run_tasks, django_capture_on_commit_callbacks):
    settings.LEADPOOL = {**settings.LEADPOOL, "TELEGRAM_BOT_TOKEN": "123456:TEST-TOKEN"}
    route = respx.post(TELEGRAM).mock(return_value=httpx.Response(200, json={
        "ok": True, "result": {"message_id": 42, "chat": {"id": 987654321, "type": "private"}, "date": 1763900000,
                               "text": "Cảnh báo"}}))
    Preference.objects.create(user=world.sale1, push=False, telegram=True, telegram_chat_id="987654321")
    _notify(world.sale1, django_capture_on_commit_callbacks, kind="speed_to_lead", title="⚡ Còn 10 phút để gọi An")
    run_tasks()
    assert route.call_count == 1
    sent = json.loads(route.calls[0].request.content)
    assert sent["chat_id"] == "987654321" and sent["text"].startswith("⚡ Còn 10 phút để gọi An")
    assert Delivery.objects.get(channel="telegram").state == "sent"


@respx.mock
def test_telegram_blocked_by_the_person_is_not_retried(world, settings, run_tasks, django_capture_on_commit_callbacks):
    settings.LEADPOOL = {**settings.LEADPOOL, "TELEGRAM_BOT_TOKEN": "123456:TEST-TOKEN"}
    respx.post(TELEGRAM).mock(return_value=httpx.Response(403, json={
        "ok": False, "error_code": 403, "description": "Forbidden: bot was blocked by the user"}))
    Preference.objects.create(user=world.sale1, push=False, telegram=True, telegram_chat_id="1")
    _notify(world.sale1, django_capture_on_commit_callbacks)
    run_tasks()
    row = Delivery.objects.get(channel="telegram")
    assert row.state == "gone" and "blocked" in row.error
    assert not DBTaskResult.objects.filter(status="READY").exists()


@respx.mock
def test_no_telegram_without_a_token(world, run_tasks, django_capture_on_commit_callbacks):
    route = respx.post(TELEGRAM)
    Preference.objects.create(user=world.sale1, push=False, telegram=True, telegram_chat_id="1")
    _notify(world.sale1, django_capture_on_commit_callbacks)
    run_tasks()
    assert route.call_count == 0


@responses.activate
def test_a_new_customer_reaches_the_owners_phone(world, make_customer, subscribed, run_tasks,
                                                 django_capture_on_commit_callbacks):
    responses.add(responses.POST, PUSH_ENDPOINT, status=201)
    for person in (world.sale1, world.sale2, world.sale3):
        subscribed(person, endpoint=f"{PUSH_ENDPOINT}-{person.username}")
        responses.add(responses.POST, f"{PUSH_ENDPOINT}-{person.username}", status=201)
    with django_capture_on_commit_callbacks(execute=True):
        result = make_customer("0912345678", name="Nguyễn Văn An")
    run_tasks()
    urls = [c.request.url for c in responses.calls]
    assert urls == [f"{PUSH_ENDPOINT}-{result.owner.username}"]


@responses.activate
def test_a_captured_customer_reaches_its_owner_by_push_through_the_capture_follow_up(
    world, subscribed, run_tasks, make_customer
):
    from leadpool.notify.models import Notification

    for person in (world.sale1, world.sale2, world.sale3):  # whoever the ranking picks has a browser
        responses.add(responses.POST, f"{PUSH_ENDPOINT}-{person.username}", status=201)
        subscribed(person, endpoint=f"{PUSH_ENDPOINT}-{person.username}")
    customer = make_customer("0912345678", name="Lý Thị Mai").customer
    note = Notification.objects.get(customer=customer, kind="customer.assigned")
    assert note.user == customer.owner  # the bell is written with the capture
    assert not responses.calls  # the push goes out from the worker
    run_tasks()
    assert Delivery.objects.get(notification=note).state == "sent"
    assert [c.request.url for c in responses.calls] == [f"{PUSH_ENDPOINT}-{customer.owner.username}"]

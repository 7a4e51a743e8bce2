"""Outgoing webhooks: what is sent for which event, the signature, retries with back-off, attempts, replay."""

import json
from datetime import timedelta

import httpx
import pytest
import respx
import time_machine
from django.utils import timezone

from leadpool.webhooks import backoff, signing
from leadpool.webhooks.delivery import body_of
from leadpool.webhooks.models import Attempt, Delivery, Event, Subscription

HOOK = "https://crm-partner.example.vn/hooks/leadpool"


@pytest.fixture
def subscribe(world):
    def _subscribe(event: str, url: str = HOOK) -> Subscription:
        return Subscription.objects.create(event=event, url=url, created_by=world.manager)

    return _subscribe


def test_backoff_doubles_and_stops():
    waits = [backoff.next_wait(n) for n in range(1, backoff.MAX_ATTEMPTS + 1)]
    assert waits[0] == timedelta(seconds=30) and waits[1] == timedelta(minutes=1) and waits[2] == timedelta(minutes=2)
    assert all(b >= a for a, b in zip(waits, waits[1:-1], strict=False))
    assert waits[-1] is None
    assert backoff.next_wait(backoff.MAX_ATTEMPTS - 1) <= backoff.LONGEST_WAIT


def test_signature_is_hmac_sha256_of_the_body():
    body = b'{"event":"lead.created"}'
    header = signing.signature("whsec_x", body)
    import hashlib
    import hmac

    assert header == "sha256=" + hmac.new(b"whsec_x", body, hashlib.sha256).hexdigest()
    assert signing.is_valid("whsec_x", body, header)
    assert not signing.is_valid("whsec_y", body, header)
    assert not signing.is_valid("whsec_x", body + b" ", header)


@respx.mock
def test_a_new_lead_is_delivered_signed(world, subscribe, make_customer, run_tasks, django_capture_on_commit_callbacks):
    subscription = subscribe(Event.LEAD_CREATED)
    route = respx.post(HOOK).mock(return_value=httpx.Response(200, text="ok"))
    with django_capture_on_commit_callbacks(execute=True):
        result = make_customer("0912345678", name="Phạm Minh Khoa", campaign="Lotus T11")
    assert run_tasks() >= 1
    assert route.called
    request = route.calls.last.request
    payload = json.loads(request.content)
    assert payload["event"] == "lead.created"
    assert payload["data"]["lead"]["id"] == result.lead.pk
    assert payload["data"]["lead"]["projects"] == ["lotus"]
    assert payload["data"]["customer"]["phones"] == ["+84912345678"]
    assert request.headers["X-Leadpool-Event"] == "lead.created"
    assert signing.is_valid(subscription.secret, request.content, request.headers["X-Leadpool-Signature"])
    delivery = Delivery.objects.get()
    assert delivery.state == Delivery.State.DELIVERED and delivery.attempts == 1
    assert Attempt.objects.get().status_code == 200


@respx.mock
def test_assignment_status_change_and_rotation_events(
    world, subscribe, make_customer, run_tasks, django_capture_on_commit_callbacks
):
    from leadpool.customers.models import Status
    from leadpool.customers.ownership import assign
    from leadpool.sales.actions import change_status

    for event in (Event.CUSTOMER_ASSIGNED, Event.CUSTOMER_STATUS_CHANGED, Event.CUSTOMER_ROTATED):
        subscribe(event)
    respx.post(HOOK).mock(return_value=httpx.Response(204))
    with django_capture_on_commit_callbacks(execute=True):
        customer = make_customer("0912345678").customer
    first_owner = customer.owner
    with django_capture_on_commit_callbacks(execute=True):
        change_status(customer, to=Status.objects.get(key="in_care"), by=first_owner)
    other = world.sale2 if first_owner != world.sale2 else world.sale3
    with django_capture_on_commit_callbacks(execute=True):
        assign(customer, to=other, team=world.team_a, reason="rotation", by=world.leader_a)
    run_tasks()
    events = sorted(Delivery.objects.values_list("event", flat=True))
    assert events == ["customer.assigned", "customer.assigned", "customer.rotated", "customer.status_changed"]
    status = Delivery.objects.get(event="customer.status_changed").payload["data"]
    assert status["from"] == "new" and status["to"] == "in_care"
    rotated = Delivery.objects.get(event="customer.rotated").payload["data"]
    assert rotated["from"] == first_owner.username and rotated["to"] == other.username
    assert set(Delivery.objects.values_list("state", flat=True)) == {"delivered"}


def test_nothing_is_queued_without_subscribers_or_for_a_rolled_back_change(
    world, subscribe, make_customer, django_capture_on_commit_callbacks
):
    from django.db import transaction

    with django_capture_on_commit_callbacks(execute=True):
        make_customer("0912345678")
    assert not Delivery.objects.exists()
    subscribe(Event.LEAD_CREATED)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            make_customer("0912345679")
            raise RuntimeError("rolled back")
    assert callbacks == [] and not Delivery.objects.exists()


@respx.mock
def test_failures_are_retried_with_back_off_and_every_attempt_recorded(
    world, subscribe, make_customer, run_tasks, django_capture_on_commit_callbacks
):
    from leadpool.webhooks.delivery import retry_due

    subscribe(Event.LEAD_CREATED)
    route = respx.post(HOOK).mock(
        side_effect=[httpx.Response(500), httpx.ConnectError("refused"), httpx.Response(200)]
    )
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            make_customer("0912345678")
        run_tasks()
    delivery = Delivery.objects.get()
    assert delivery.state == "pending" and delivery.attempts == 1
    assert delivery.next_attempt_at == start + timedelta(seconds=30)
    with time_machine.travel(start + timedelta(seconds=10), tick=False):
        retry_due.enqueue()
        run_tasks()
    assert Delivery.objects.get().attempts == 1  # not due yet
    with time_machine.travel(start + timedelta(seconds=31), tick=False):
        retry_due.enqueue()
        run_tasks()
    delivery.refresh_from_db()
    assert delivery.attempts == 2 and delivery.next_attempt_at == start + timedelta(seconds=31 + 60)
    with time_machine.travel(start + timedelta(seconds=92), tick=False):
        retry_due.enqueue()
        run_tasks()
    delivery.refresh_from_db()
    assert delivery.state == "delivered" and delivery.attempts == 3 and route.call_count == 3
    attempts = list(delivery.attempt_log.values_list("status_code", "ok"))
    assert attempts == [(500, False), (None, False), (200, True)]
    assert "ConnectError" in delivery.attempt_log.all()[1].error


@respx.mock
def test_a_delivery_gives_up_after_the_last_attempt(world, subscribe, make_customer, django_capture_on_commit_callbacks):
    from leadpool.webhooks.delivery import send

    subscribe(Event.LEAD_CREATED)
    respx.post(HOOK).mock(return_value=httpx.Response(503))
    with django_capture_on_commit_callbacks(execute=True):
        make_customer("0912345678")
    delivery = Delivery.objects.get()
    now = timezone.now()
    for n in range(backoff.MAX_ATTEMPTS):
        with time_machine.travel(now + timedelta(days=n + 1), tick=False):
            assert send(delivery.pk) is not None
    delivery.refresh_from_db()
    assert delivery.state == "failed" and delivery.attempts == backoff.MAX_ATTEMPTS
    assert send(delivery.pk) is None  # nothing more to do


def test_a_leased_delivery_is_not_sent_twice(world, subscribe, make_customer, django_capture_on_commit_callbacks):
    from leadpool.webhooks.delivery import _claim

    subscribe(Event.LEAD_CREATED)
    with django_capture_on_commit_callbacks(execute=True):
        make_customer("0912345678")
    delivery = Delivery.objects.get()
    now = timezone.now() + timedelta(seconds=1)
    assert _claim(delivery.pk, now) is True
    assert _claim(delivery.pk, now) is False


@respx.mock
def test_replay_sends_the_same_payload_again_as_a_new_delivery(
    world, subscribe, make_customer, login, run_tasks, django_capture_on_commit_callbacks
):
    subscribe(Event.LEAD_CREATED)
    route = respx.post(HOOK).mock(return_value=httpx.Response(200))
    with django_capture_on_commit_callbacks(execute=True):
        make_customer("0912345678")
    run_tasks()
    original = Delivery.objects.get()
    client = login(world.manager)
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(f"/webhooks/deliveries/{original.pk}/replay/").status_code == 302
    run_tasks()
    copy = Delivery.objects.exclude(pk=original.pk).get()
    assert copy.replay_of == original and copy.state == "delivered"
    assert route.call_count == 2
    assert route.calls[0].request.content == route.calls[1].request.content == body_of(original)


def test_webhook_pages_are_for_managers(world, login, subscribe):
    subscribe(Event.LEAD_CREATED)
    for user in (world.sale1, world.leader_a, world.mkt):
        assert login(user).get("/webhooks/").status_code == 403
        assert login(user).get("/webhooks/deliveries/").status_code == 403
    client = login(world.manager)
    assert client.get("/webhooks/").status_code == 200
    response = client.post("/webhooks/", {"event": "customer.rotated", "url": "https://x.example/h", "description": "BI"})
    assert response.status_code == 200 and "whsec_" in response.text
    bad = client.post("/webhooks/", {"event": "customer.rotated", "url": "ftp://x.example/h"})
    assert bad.status_code == 400
    assert Subscription.objects.filter(event="customer.rotated").count() == 1


def test_deliveries_page_lists_attempts_with_bounded_queries(world, login, subscribe, django_assert_max_num_queries):
    subscription = subscribe(Event.LEAD_CREATED)
    for n in range(40):
        d = Delivery.objects.create(subscription=subscription, event="lead.created", payload={"n": n})
        Attempt.objects.create(delivery=d, status_code=500)
    client = login(world.manager)
    with django_assert_max_num_queries(10):
        page = client.get("/webhooks/deliveries/")
    assert page.status_code == 200 and "HTTP 500" in page.text
    assert client.get("/webhooks/deliveries/", {"state": "delivered"}).context["page"].paginator.count == 0

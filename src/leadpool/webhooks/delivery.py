"""Sending one delivery: claim it, sign it, POST it, record the attempt, schedule the retry."""

import json
import time
from datetime import timedelta

import httpx
from django.db import transaction
from django.tasks import task
from django.utils import timezone

from leadpool.audit import log as audit

from . import backoff, signing
from .models import Attempt, Delivery

TIMEOUT_SECONDS = 10
# While one worker sends, the delivery is leased so another worker does not send it too.
LEASE = timedelta(seconds=TIMEOUT_SECONDS * 3)
USER_AGENT = "Leadpool-Webhooks/1.0"


def body_of(delivery: Delivery) -> bytes:
    return json.dumps(delivery.payload, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def _claim(delivery_id: int, now) -> bool:
    return bool(
        Delivery.objects.filter(
            pk=delivery_id, state=Delivery.State.PENDING, next_attempt_at__lte=now
        ).update(next_attempt_at=now + LEASE)
    )


def send(delivery_id: int, *, client: httpx.Client | None = None) -> Attempt | None:
    """One attempt, if the delivery is due and nobody else holds it. Returns the recorded attempt."""
    now = timezone.now()
    if not _claim(delivery_id, now):
        return None
    delivery = Delivery.objects.select_related("subscription").get(pk=delivery_id)
    body = body_of(delivery)
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "X-Leadpool-Event": delivery.event,
        "X-Leadpool-Delivery": str(delivery.pk),
        signing.HEADER: signing.signature(delivery.subscription.secret, body),
    }
    started = time.monotonic()
    status_code, error, response_body = None, "", ""
    try:
        if client is None:
            with httpx.Client(timeout=TIMEOUT_SECONDS, follow_redirects=False) as own:
                response = own.post(delivery.subscription.url, content=body, headers=headers)
        else:
            response = client.post(delivery.subscription.url, content=body, headers=headers)
        status_code, response_body = response.status_code, response.text[:1000]
    except httpx.HTTPError as exc:
        error = f"{exc.__class__.__name__}: {exc}"[:300]
    ok = status_code is not None and 200 <= status_code < 300
    finished = timezone.now()
    with transaction.atomic():
        attempt = Attempt.objects.create(
            delivery=delivery, at=now, status_code=status_code, ok=ok, error=error,
            duration_ms=int((time.monotonic() - started) * 1000), response_body=response_body,
        )
        made = delivery.attempts + 1
        if ok:
            Delivery.objects.filter(pk=delivery.pk).update(
                attempts=made, state=Delivery.State.DELIVERED, delivered_at=finished, next_attempt_at=None
            )
        else:
            wait = backoff.next_wait(made)
            Delivery.objects.filter(pk=delivery.pk).update(
                attempts=made,
                state=Delivery.State.PENDING if wait else Delivery.State.FAILED,
                next_attempt_at=finished + wait if wait else None,
            )
    return attempt


@task
def deliver(delivery_id: int) -> bool:
    attempt = send(delivery_id)
    return bool(attempt and attempt.ok)


@task
def retry_due() -> int:
    """Periodic: queue every delivery whose back-off has passed (the claim keeps it to one sender)."""
    due = list(
        Delivery.objects.filter(state=Delivery.State.PENDING, next_attempt_at__lte=timezone.now())
        .values_list("pk", flat=True)[:500]
    )
    for pk in due:
        deliver.enqueue(pk)
    return len(due)


def replay(delivery: Delivery, *, by, ip: str | None = None) -> Delivery:
    """Send the same payload again as a new delivery (the original and its attempts stay on record)."""
    copy = Delivery.objects.create(
        subscription=delivery.subscription, event=delivery.event, customer=delivery.customer,
        payload=delivery.payload, next_attempt_at=timezone.now(), replay_of=delivery,
    )
    audit.record("webhook.replayed", actor=by, target=copy, data={"original": delivery.pk}, ip=ip)
    transaction.on_commit(lambda: deliver.enqueue(copy.pk))
    return copy

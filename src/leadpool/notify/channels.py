"""Fan-out: after an in-app notification is committed, each channel the person chose gets a background delivery.

Configuration (environment): VAPID_PRIVATE_KEY (PEM; otherwise a key pair is generated at migrate time and kept
in the database), VAPID_SUBJECT (mailto: contact for push services), TELEGRAM_BOT_TOKEN (or
LEADPOOL["TELEGRAM_BOT_TOKEN"]; Telegram stays off without it), LEADPOOL_BASE_URL (links in e-mail and Telegram),
and Django's EMAIL_* settings for the mail server.
"""

import hashlib
import logging
from datetime import timedelta

from django.tasks import task
from django.utils import timezone

from . import mail, push, telegram
from .models import Channel, Delivery, Notification, Preference

logger = logging.getLogger("leadpool.notify")
MAX_ATTEMPTS = 3


def preference_for(user) -> Preference:
    pref = Preference.objects.filter(user=user).first()
    return pref or Preference(user=user)


def wanted_channels(user) -> list[str]:
    pref = preference_for(user)
    channels = []
    for channel in pref.channels():
        if channel == Channel.PUSH and not user.push_subscriptions.exists():
            continue
        if channel == Channel.EMAIL and not user.email:
            continue
        if channel == Channel.TELEGRAM and not telegram.configured():
            continue
        channels.append(channel)
    return channels


def enqueue_deliveries(notification_id: int) -> list[str]:
    """Called on commit by notify(): queue one delivery task per chosen channel."""
    note = Notification.objects.select_related("user").filter(pk=notification_id).first()
    if note is None or not note.user.is_active:
        return []
    channels = wanted_channels(note.user)
    for channel in channels:
        deliver.enqueue(notification_id, channel)
    return channels


def payload(note: Notification) -> dict:
    return {"title": note.title, "body": note.body, "url": note.url or "/", "kind": note.kind, "id": note.pk}


def _target(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def _once(note: Notification, channel: str, target: str, send) -> Delivery:
    """Send unless this notification already reached this target; record the outcome either way."""
    row, _ = Delivery.objects.get_or_create(
        notification=note, channel=channel, target=target, defaults={"state": Delivery.State.FAILED}
    )
    if row.state != Delivery.State.FAILED or (row.attempts >= MAX_ATTEMPTS):
        return row
    state, error = send()
    row.state, row.error, row.attempts, row.at = state, error[:300], row.attempts + 1, timezone.now()
    row.save(update_fields=["state", "error", "attempts", "at"])
    return row


@task
def deliver(notification_id: int, channel: str) -> dict:
    """Deliver one notification through one channel. Idempotent: a target already reached is skipped."""
    note = Notification.objects.select_related("user").filter(pk=notification_id).first()
    if note is None:
        return {"skipped": "gone"}
    user = note.user
    rows: list[Delivery] = []
    if channel == Channel.PUSH:
        for sub in list(user.push_subscriptions.all()):
            row = _once(note, channel, sub.endpoint_hash, lambda sub=sub: push.send(sub, payload(note)))
            if row.state == Delivery.State.GONE:
                sub.delete()
            elif row.state == Delivery.State.SENT:
                type(sub).objects.filter(pk=sub.pk).update(last_success_at=row.at)
            rows.append(row)
    elif channel == Channel.EMAIL and user.email:
        rows.append(_once(note, channel, _target(user.email.lower()),
                          lambda: mail.send(user.email, subject=note.title, body=note.body, url=note.url)))
    elif channel == Channel.TELEGRAM and telegram.configured():
        chat = preference_for(user).telegram_chat_id
        if chat:
            text = f"{note.title}\n{note.body}".strip()
            if note.url:
                text += f"\n{mail.base_url()}{note.url}" if note.url.startswith("/") else f"\n{note.url}"
            rows.append(_once(note, channel, _target(chat), lambda: telegram.send(chat, text)))
    failed = [r for r in rows if r.state == Delivery.State.FAILED and r.attempts < MAX_ATTEMPTS]
    if failed:  # try again later, backing off
        delay = timedelta(minutes=2 ** max(r.attempts for r in failed))
        deliver.using(run_after=timezone.now() + delay).enqueue(notification_id, channel)
    return {r.target[:8]: r.state for r in rows}

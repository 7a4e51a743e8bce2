"""Telling people things: an in-app notification first, other channels fan out from it."""

from django.db import transaction

from . import channels
from .models import Notification


def notify(user, *, kind: str, title: str, body: str = "", url: str = "", customer=None) -> Notification | None:
    if user is None:
        return None
    note = Notification.objects.create(user=user, kind=kind, title=title, body=body, url=url, customer=customer)
    # Push, e-mail and Telegram deliveries go out from the worker, once the notification is committed.
    transaction.on_commit(lambda: channels.enqueue_deliveries(note.pk))
    return note


def unread_count(user) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).count()

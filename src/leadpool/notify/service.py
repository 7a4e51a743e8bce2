"""Telling people things: an in-app notification first, other channels fan out from it."""

from django.db import transaction

from .models import Notification


def notify(user, *, kind: str, title: str, body: str = "", url: str = "", customer=None) -> Notification | None:
    if user is None:
        return None
    note = Notification.objects.create(user=user, kind=kind, title=title, body=body, url=url, customer=customer)
    transaction.on_commit(lambda: _fan_out(note.pk))
    return note


def _fan_out(notification_id: int) -> None:
    """Push, e-mail and Telegram deliveries are queued here when those channels are configured."""
    try:
        from leadpool.notify import channels
    except ImportError:
        return
    channels.enqueue_deliveries(notification_id)


def unread_count(user) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).count()

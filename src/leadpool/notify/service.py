"""Telling people things: an in-app notification first, other channels fan out from it."""

from django.tasks import task

from leadpool.worker import enqueue_on_commit

from . import channels
from .models import Notification


def notify(
    user, *, kind: str, title: str, body: str = "", url: str = "", customer=None, deliver: bool = True
) -> Notification | None:
    """Write the in-app notification and queue its other channels.

    `deliver=False`: the caller queues `channels.enqueue_deliveries(note.pk)` itself, inside a task it queues
    anyway (a capture's follow-up work), so the request pays for one queued task instead of two.
    """
    if user is None:
        return None
    note = Notification.objects.create(user=user, kind=kind, title=title, body=body, url=url, customer=customer)
    # Push, e-mail and Telegram deliveries go out from the worker, once the notification is committed. Even
    # choosing the channels (preferences, subscriptions) is the worker's job: the person whose request made the
    # notification (a lead arriving through the API) does not wait for it.
    if deliver:
        enqueue_on_commit(fan_out, note.pk)
    return note


@task()
def fan_out(notification_id: int) -> list[str]:
    return channels.enqueue_deliveries(notification_id)


def unread_count(user) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).count()

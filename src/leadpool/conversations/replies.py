"""Answers written on the customer page: queued here, sent by a background task that retries with back-off."""

from __future__ import annotations

from django.db import transaction
from django.tasks import task
from django.utils import timezone

from leadpool.intake.channels.facebook import backoff  # the same 30 s doubling as every Meta call
from leadpool.intake.process import RetryLater

from . import send_api
from .models import Conversation, Message
from .rules import reply_window

MAX_ATTEMPTS = 5


class WindowClosed(Exception):
    """The platform no longer lets the page/OA answer this person."""


def window_of(conversation: Conversation, now=None):
    return reply_window(conversation.platform, conversation.last_inbound_at, now or timezone.now())


def queue_reply(conversation: Conversation, text: str, *, by) -> Message:
    """Keep the reply and send it after commit. Refused (nothing kept) when the reply window has closed."""
    if not window_of(conversation).open:
        raise WindowClosed
    now = timezone.now()
    message = Message.objects.create(
        conversation=conversation, platform=conversation.platform, direction=Message.Direction.OUT,
        text=text, sent_by=by, state=Message.State.QUEUED, at=now,
    )
    Conversation.objects.filter(pk=conversation.pk).update(last_message_at=now)
    pk = message.pk
    transaction.on_commit(lambda: send_reply.enqueue(pk))
    return message


def _fail(message: Message, error: str) -> str:
    message.state = Message.State.FAILED
    message.error = error
    message.save(update_fields=["state", "error", "attempts"])
    return message.state


@task()
def send_reply(message_id: int) -> str:
    """Send one queued reply. Running it again once it is sent or failed changes nothing."""
    message = Message.objects.select_related("conversation__config").get(pk=message_id)
    if message.state != Message.State.QUEUED:
        return message.state
    conversation = message.conversation
    message.attempts += 1
    if not window_of(conversation).open:
        # Retries can outlive the window: the platform would refuse, so nothing is attempted.
        return _fail(message, "Đã hết thời hạn trả lời của nền tảng (reply window closed).")
    try:
        platform_id = send_api.SENDERS[conversation.platform](conversation.config, conversation.user_id, message.text)
    except RetryLater as exc:
        if message.attempts >= MAX_ATTEMPTS:
            return _fail(message, str(exc))
        message.error = str(exc)
        message.save(update_fields=["attempts", "error"])
        send_reply.using(run_after=timezone.now() + backoff(message.attempts)).enqueue(message_id)
        return "retry"
    except send_api.SendRefused as exc:
        return _fail(message, str(exc))
    message.state = Message.State.SENT
    message.platform_message_id = platform_id
    message.sent_at = timezone.now()
    message.error = ""
    with transaction.atomic():
        # Zalo reports the OA's own messages on the webhook too: if that report came first, this row is the one.
        Message.objects.filter(platform=message.platform, platform_message_id=platform_id).exclude(pk=message.pk).delete()
        message.save(update_fields=["state", "platform_message_id", "sent_at", "error", "attempts"])
        _log_as_care(message)
    return message.state


def _log_as_care(message: Message) -> None:
    """A reply the owner sent is a contact like a logged message: it counts as care (rotation, Đừng quên)."""
    conversation = message.conversation
    if conversation.customer_id is None or message.sent_by_id is None:
        return
    from leadpool.sales.actions import log_activity
    from leadpool.sales.models import Activity

    log_activity(conversation.customer, by=message.sent_by, kind=Activity.Kind.MESSAGE, at=message.sent_at,
                 body=message.text, channel=conversation.platform)

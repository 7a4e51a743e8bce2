"""A chat with one person on one connected page or OA, and every message in it, both ways."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Platform(models.TextChoices):
    MESSENGER = "messenger", "Messenger"
    ZALO = "zalo", "Zalo OA"


class Conversation(models.Model):
    """One person (a PSID or a Zalo user id, both scoped to the page/OA) talking with one page or OA."""

    platform = models.CharField(max_length=16, choices=Platform.choices)
    config = models.ForeignKey("intake.ChannelConfig", on_delete=models.PROTECT, related_name="conversations")
    user_id = models.CharField(_("mã người dùng trên nền tảng"), max_length=64)
    # Empty until the chat has become a lead; then the profile the thread shows on.
    customer = models.ForeignKey(
        "customers.Customer", null=True, blank=True, on_delete=models.SET_NULL, related_name="conversations"
    )
    # The click-to-Messenger ad that opened (or reopened) the thread, and what Meta said about it.
    referral_ad_id = models.CharField(max_length=64, blank=True)
    referral = models.JSONField(default=dict, blank=True)
    # The platform's reply window counts from the person's last message.
    last_inbound_at = models.DateTimeField(null=True, blank=True)
    last_message_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-last_message_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["platform", "config", "user_id"], name="conversation_one_per_person"),
        ]
        verbose_name = _("hội thoại")
        verbose_name_plural = _("hội thoại")

    def __str__(self) -> str:
        return f"{self.get_platform_display()} {self.user_id}"


class Message(models.Model):
    class Direction(models.TextChoices):
        IN = "in", _("Khách gửi")
        OUT = "out", _("Trả lời")

    class Kind(models.TextChoices):
        MESSAGE = "message", _("Tin nhắn")
        POSTBACK = "postback", _("Bấm nút")
        REFERRAL = "referral", _("Đến từ quảng cáo/liên kết")

    class State(models.TextChoices):
        RECEIVED = "received", _("Đã nhận")
        QUEUED = "queued", _("Đang gửi")
        SENT = "sent", _("Đã gửi")
        FAILED = "failed", _("Gửi lỗi")

    # Indexed by message_conversation_time (conversation, at) below.
    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="messages", db_index=False)
    # Copied from the conversation so one platform's message ids can be unique on their own.
    platform = models.CharField(max_length=16, choices=Platform.choices)
    direction = models.CharField(max_length=3, choices=Direction.choices)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.MESSAGE)
    text = models.TextField(blank=True)
    # [{type, url?, name?}]: what was attached, not the files.
    attachments = models.JSONField(default=list, blank=True)
    # The platform's id (Messenger mid, Zalo msg_id): a re-delivered event finds its message. NULL until an
    # outbound one is sent.
    platform_message_id = models.CharField(max_length=200, null=True, blank=True)  # noqa: DJ001
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    state = models.CharField(max_length=10, choices=State.choices, default=State.RECEIVED)
    error = models.TextField(blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    # When the person wrote it (platform time) or when the reply was written here.
    at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    inbox_item = models.ForeignKey(
        "intake.InboxItem", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["platform", "platform_message_id"], name="message_once_per_platform"),
        ]
        indexes = [models.Index(fields=["conversation", "at"], name="message_conversation_time")]
        verbose_name = _("tin nhắn")
        verbose_name_plural = _("tin nhắn")

    def __str__(self) -> str:
        return f"{self.direction} {self.text[:40]}"

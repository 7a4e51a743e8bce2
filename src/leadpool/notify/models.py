"""In-app notifications; other channels (push, e-mail, Telegram) fan out from these."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Notification(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=32)
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    url = models.CharField(max_length=300, blank=True)
    customer = models.ForeignKey("customers.Customer", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "read_at"], name="notification_unread")]

    def __str__(self) -> str:
        return self.title


class Channel(models.TextChoices):
    PUSH = "push", "Web Push"
    EMAIL = "email", "E-mail"
    TELEGRAM = "telegram", "Telegram"


class Preference(models.Model):
    """Which channels a person wants besides the in-app bell (which is always on)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notify_preference")
    push = models.BooleanField(_("thông báo đẩy trên điện thoại"), default=True)
    email = models.BooleanField(_("e-mail"), default=False)
    telegram = models.BooleanField(_("Telegram"), default=False)
    telegram_chat_id = models.CharField(_("Telegram chat id"), max_length=40, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.user}: {', '.join(self.channels()) or 'in-app'}"

    def channels(self) -> list[str]:
        wanted = []
        if self.push:
            wanted.append(Channel.PUSH)
        if self.email:
            wanted.append(Channel.EMAIL)
        if self.telegram and self.telegram_chat_id:
            wanted.append(Channel.TELEGRAM)
        return wanted


class PushSubscription(models.Model):
    """One browser's Web Push subscription (endpoint and keys as the browser's PushManager gives them)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="push_subscriptions")
    endpoint = models.URLField(max_length=1000)
    endpoint_hash = models.CharField(max_length=64, unique=True)
    p256dh = models.CharField(max_length=200)
    auth = models.CharField(max_length=100)
    user_agent = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_success_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.user} · {self.endpoint[:40]}…"

    def info(self) -> dict:
        return {"endpoint": self.endpoint, "keys": {"p256dh": self.p256dh, "auth": self.auth}}


class Delivery(models.Model):
    """One notification sent through one channel to one target; the row makes a re-run send nothing twice."""

    class State(models.TextChoices):
        SENT = "sent", _("Đã gửi")
        FAILED = "failed", _("Lỗi")
        GONE = "gone", _("Đăng ký đã hết hạn")
        SKIPPED = "skipped", _("Bỏ qua")

    notification = models.ForeignKey(Notification, on_delete=models.CASCADE, related_name="deliveries")
    channel = models.CharField(max_length=12, choices=Channel.choices)
    target = models.CharField(max_length=64)
    state = models.CharField(max_length=8, choices=State.choices)
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.CharField(max_length=300, blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["notification", "channel", "target"], name="delivery_once_per_target")
        ]

    def __str__(self) -> str:
        return f"{self.channel} {self.state}"


class VapidKey(models.Model):
    """The server's Web Push identity, generated at set-up and kept in the database (never in the repository)."""

    private_pem = models.TextField()
    public_key = models.CharField(max_length=120)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.public_key[:16]

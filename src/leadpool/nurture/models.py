"""One row per automatic care step and customer (the schedule, the idempotency key and the outcome),
and the per-day sending counter each channel's cap is checked against."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    EMAIL = "email", _("E-mail")
    SMS = "sms", "SMS"
    ZNS = "zns", "Zalo ZNS"


class Send(models.Model):
    """An automatic step for one customer. Unique per (customer, step): a step goes out once per customer."""

    class State(models.TextChoices):
        PENDING = "pending", _("Chờ gửi")
        SENDING = "sending", _("Đang gửi")
        SENT = "sent", _("Đã gửi")
        DELIVERED = "delivered", _("Đã đến khách")
        UNDELIVERED = "undelivered", _("Không đến được khách")
        FAILED = "failed", _("Gửi lỗi")
        SKIPPED = "skipped", _("Không gửi")
        CANCELLED = "cancelled", _("Đã huỷ")

    customer = models.ForeignKey("customers.Customer", on_delete=models.CASCADE, related_name="nurture_sends")
    script = models.ForeignKey("sales.CareScript", null=True, on_delete=models.SET_NULL, related_name="+")
    step = models.ForeignKey("sales.CareStep", null=True, on_delete=models.SET_NULL, related_name="sends")
    channel = models.CharField(max_length=8, choices=Channel.choices)
    state = models.CharField(max_length=12, choices=State.choices, default=State.PENDING)
    due_at = models.DateTimeField()
    # When the next try may happen: the due time, or later after quiet hours, a full cap or a retryable error.
    next_try_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    claimed_at = models.DateTimeField(null=True, blank=True)
    recipient = models.CharField(max_length=254, blank=True)
    provider = models.CharField(max_length=24, blank=True)
    provider_message_id = models.CharField(max_length=80, blank=True)
    error = models.CharField(max_length=300, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-updated_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["customer", "step"], condition=models.Q(step__isnull=False), name="nurture_send_once"
            ),
        ]
        indexes = [
            # The periodic task reads only what is waiting and due.
            models.Index(fields=["next_try_at"], condition=models.Q(state="pending"), name="nurture_send_due"),
            models.Index(fields=["updated_at"], name="nurture_send_updated"),
            models.Index(fields=["provider_message_id"], name="nurture_send_provider_id"),
        ]
        verbose_name = _("tin chăm sóc tự động")
        verbose_name_plural = _("tin chăm sóc tự động")

    def __str__(self) -> str:
        return f"{self.get_channel_display()} #{self.customer_id} {self.state}"


class DailyCount(models.Model):
    """Messages accepted per channel and local day, incremented atomically so two workers never pass the cap."""

    channel = models.CharField(max_length=8, choices=Channel.choices)
    day = models.DateField()
    used = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["channel", "day"], name="nurture_daily_count_once")]

    def __str__(self) -> str:
        return f"{self.channel} {self.day}: {self.used}"

"""The inbox: every inbound request stored verbatim before anything else happens."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class InboxItem(models.Model):
    class State(models.TextChoices):
        RECEIVED = "received", _("Đã nhận")
        PROCESSED = "processed", _("Đã xử lý")
        DUPLICATE = "duplicate", _("Trùng lặp (đã nhận trước đó)")
        FAILED = "failed", _("Lỗi xử lý")
        REJECTED = "rejected", _("Bị từ chối")

    channel = models.CharField(max_length=16)
    source = models.ForeignKey("customers.Source", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    received_at = models.DateTimeField(default=timezone.now, db_index=True)
    method = models.CharField(max_length=8, default="POST")
    path = models.CharField(max_length=300, blank=True)
    content_type = models.CharField(max_length=120, blank=True)
    headers = models.JSONField(default=dict, blank=True)
    body = models.BinaryField(blank=True)
    remote_addr = models.GenericIPAddressField(null=True, blank=True)
    # Re-deliveries carry the same key and change nothing (leadgen_id, lead_id, external_id, payload hash).
    idempotency_key = models.CharField(max_length=200, blank=True, null=True)
    verified = models.BooleanField(null=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.RECEIVED, db_index=True)
    error = models.TextField(blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    processed_at = models.DateTimeField(null=True, blank=True)
    # The answer given the first time, so a re-delivery gets the same one.
    response = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["channel", "idempotency_key"], name="inbox_idempotent_per_channel"),
        ]

    def __str__(self) -> str:
        return f"{self.channel} #{self.pk} {self.state}"

    @property
    def text(self) -> str:
        return bytes(self.body or b"").decode("utf-8", errors="replace")

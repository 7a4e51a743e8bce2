"""Subscribers to Leadpool's events, each delivery made to them, and every attempt of each delivery."""

import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Event(models.TextChoices):
    LEAD_CREATED = "lead.created", _("Có lead mới")
    CUSTOMER_ASSIGNED = "customer.assigned", _("Khách được phân bổ")
    CUSTOMER_STATUS_CHANGED = "customer.status_changed", _("Khách đổi trạng thái")
    CUSTOMER_ROTATED = "customer.rotated", _("Khách bị đảo")


def new_secret() -> str:
    return "whsec_" + secrets.token_urlsafe(32)


class Subscription(models.Model):
    event = models.CharField(_("sự kiện"), max_length=40, choices=Event.choices, db_index=True)
    url = models.URLField(_("địa chỉ nhận"), max_length=500)
    secret = models.CharField(_("khoá ký"), max_length=80, default=new_secret)
    description = models.CharField(_("mô tả"), max_length=200, blank=True)
    active = models.BooleanField(_("đang hoạt động"), default=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["event", "url"]
        verbose_name = _("đăng ký webhook")
        verbose_name_plural = _("đăng ký webhook")

    def __str__(self) -> str:
        return f"{self.event} → {self.url}"


class Delivery(models.Model):
    class State(models.TextChoices):
        PENDING = "pending", _("Đang chờ gửi")
        DELIVERED = "delivered", _("Đã gửi")
        FAILED = "failed", _("Thất bại")

    subscription = models.ForeignKey(Subscription, on_delete=models.CASCADE, related_name="deliveries")
    event = models.CharField(max_length=40)
    customer = models.ForeignKey("customers.Customer", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    payload = models.JSONField(default=dict)
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    replay_of = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="replays")

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["state", "next_attempt_at"], name="webhook_delivery_due")]

    def __str__(self) -> str:
        return f"{self.event} #{self.pk} {self.state}"


class Attempt(models.Model):
    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="attempt_log")
    at = models.DateTimeField(default=timezone.now)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    ok = models.BooleanField(default=False)
    error = models.CharField(max_length=300, blank=True)
    duration_ms = models.PositiveIntegerField(default=0)
    response_body = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.delivery_id} @ {self.at:%H:%M:%S} {self.status_code or self.error}"

"""The record of care: activities (append-only), status changes and follow-ups."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Activity(models.Model):
    """Something that happened with a customer. Never edited: a correction is a new activity."""

    class Kind(models.TextChoices):
        CALL = "call", _("Cuộc gọi")
        NOTE = "note", _("Ghi chú")
        MESSAGE = "message", _("Tin nhắn")
        MEETING = "meeting", _("Gặp mặt")
        FOLLOW_UP = "follow_up", _("Hẹn chăm sóc")
        EMAIL = "email", _("E-mail")
        SMS = "sms", "SMS"
        SYSTEM = "system", _("Hệ thống")
        # Sent by a care script on its own (nurture): shown on the timeline, never counted as a salesperson's care.
        NURTURE = "nurture", _("Chăm sóc tự động")

    class CallOutcome(models.TextChoices):
        REACHED = "reached", _("Nghe máy")
        NO_ANSWER = "no_answer", _("Không nghe máy")
        BUSY = "busy", _("Máy bận")
        WRONG_NUMBER = "wrong_number", _("Sai số")
        CALL_BACK = "call_back", _("Hẹn gọi lại")

    class Direction(models.TextChoices):
        OUTBOUND = "out", _("Gọi đi")
        INBOUND = "in", _("Gọi đến")

    customer = models.ForeignKey("customers.Customer", on_delete=models.CASCADE, related_name="activities")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="activities"
    )
    kind = models.CharField(max_length=12, choices=Kind.choices)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    occurred_at = models.DateTimeField(default=timezone.now)
    body = models.TextField(blank=True)
    call_direction = models.CharField(max_length=3, choices=Direction.choices, blank=True)
    call_outcome = models.CharField(max_length=16, choices=CallOutcome.choices, blank=True)
    duration_seconds = models.PositiveIntegerField(null=True, blank=True)
    recording_url = models.URLField(max_length=500, blank=True)
    meeting_at = models.DateTimeField(null=True, blank=True)
    meeting_place = models.CharField(max_length=200, blank=True)
    meeting_result = models.CharField(max_length=200, blank=True)
    corrects = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="corrections")
    # Why this activity does not count as care (zero-second call, copied note...), set when it is written.
    flagged = models.CharField(max_length=120, blank=True)
    channel = models.CharField(max_length=16, blank=True)

    class Meta:
        ordering = ["-occurred_at", "-id"]
        indexes = [models.Index(fields=["customer", "occurred_at"], name="activity_customer_time")]
        verbose_name = _("hoạt động")
        verbose_name_plural = _("hoạt động")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.occurred_at:%Y-%m-%d %H:%M}"

    def save(self, *args, **kwargs):
        if self.pk and not kwargs.pop("_allow_update", False):
            raise ValueError("Activities are append-only: record a correction instead.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("Activities are append-only and cannot be deleted.")


class StatusChange(models.Model):
    customer = models.ForeignKey("customers.Customer", on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.ForeignKey("customers.Status", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    to_status = models.ForeignKey("customers.Status", on_delete=models.PROTECT, related_name="+")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now, db_index=True)
    reason = models.TextField(blank=True)
    # The fields the target status required (appointment date, amount...), as entered.
    details = models.JSONField(default=dict, blank=True)
    # A raise in rank with no activity behind it does not count as progress (no gaming).
    backed_by_activity = models.BooleanField(default=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["customer", "at"], name="statuschange_customer_time")]

    def __str__(self) -> str:
        return f"{self.from_status} → {self.to_status}"


class FollowUp(models.Model):
    """A scheduled piece of care. Done or missed is recorded; the schedule itself is not rewritten."""

    class Kind(models.TextChoices):
        CALL = "call", _("Gọi")
        MESSAGE = "message", _("Nhắn tin")
        EMAIL = "email", _("E-mail")
        MEETING = "meeting", _("Gặp mặt")
        SMS = "sms", "SMS"
        ZNS = "zns", "Zalo ZNS"

    customer = models.ForeignKey("customers.Customer", on_delete=models.CASCADE, related_name="follow_ups")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="follow_ups")
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.CALL)
    due_at = models.DateTimeField(db_index=True)
    note = models.CharField(max_length=300, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    done_at = models.DateTimeField(null=True, blank=True)
    done_activity = models.ForeignKey(Activity, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    cancelled_at = models.DateTimeField(null=True, blank=True)
    # "script:<script id>/step:<step id>" when a care script scheduled it, so a run can be found and stopped.
    script_step = models.CharField(max_length=80, blank=True)
    # When the owner was told it is due: the reminder task reads only the open, unreminded rows.
    reminded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due_at"]
        indexes = [
            models.Index(fields=["owner", "done_at", "due_at"], name="followup_owner_due"),
            models.Index(fields=["customer", "due_at"], name="followup_customer_due"),
            models.Index(
                fields=["due_at"],
                name="followup_to_remind",
                condition=models.Q(reminded_at__isnull=True, done_at__isnull=True, cancelled_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.due_at:%Y-%m-%d %H:%M}"

    @property
    def is_open(self) -> bool:
        return self.done_at is None and self.cancelled_at is None

    @property
    def on_time(self) -> bool | None:
        if self.done_at is None:
            return None
        return self.done_at.date() <= self.due_at.date()


class CareScript(models.Model):
    """A care schedule (kịch bản chăm sóc): steps with day offsets, started when a customer enters one of
    its statuses or joins one of its projects."""

    name = models.CharField(_("tên kịch bản"), max_length=160)
    description = models.TextField(_("mô tả"), blank=True)
    statuses = models.ManyToManyField(
        "customers.Status", blank=True, related_name="care_scripts", verbose_name=_("khi vào trạng thái")
    )
    projects = models.ManyToManyField(
        "customers.Project", blank=True, related_name="care_scripts", verbose_name=_("khi tham gia dự án")
    )
    active = models.BooleanField(_("đang dùng"), default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]
        verbose_name = _("kịch bản chăm sóc")
        verbose_name_plural = _("kịch bản chăm sóc")

    def __str__(self) -> str:
        return self.name

    def step_key(self, step: "CareStep") -> str:
        return f"script:{self.pk}/step:{step.pk}"

    @property
    def key_prefix(self) -> str:
        return f"script:{self.pk}/"


AUTOMATIC_KINDS = (FollowUp.Kind.EMAIL, FollowUp.Kind.SMS, FollowUp.Kind.ZNS)


class CareStep(models.Model):
    script = models.ForeignKey(CareScript, on_delete=models.CASCADE, related_name="steps")
    day_offset = models.PositiveSmallIntegerField(_("sau số ngày"), default=0)
    kind = models.CharField(_("việc"), max_length=12, choices=FollowUp.Kind.choices, default=FollowUp.Kind.CALL)
    note = models.CharField(_("nội dung"), max_length=300, blank=True)
    # An e-mail, SMS or ZNS step marked automatic is sent by the nurture app on its day instead of
    # becoming a follow-up for the owner.
    automatic = models.BooleanField(
        _("gửi tự động"), default=False,
        help_text=_("Chỉ cho bước E-mail, SMS, Zalo ZNS: hệ thống tự gửi đúng ngày cho khách còn đồng ý nhận."),
    )
    subject = models.CharField(_("tiêu đề e-mail"), max_length=200, blank=True)
    body = models.TextField(
        _("nội dung tin"), blank=True,
        help_text=_("Dùng {{ ten }} (tên khách), {{ du_an }} (dự án), {{ nhan_vien }} (người phụ trách)."),
    )
    zns_template_id = models.CharField(_("mã mẫu ZNS"), max_length=40, blank=True)
    zns_template_data = models.JSONField(
        _("dữ liệu mẫu ZNS"), default=dict, blank=True,
        help_text=_('Tham số của mẫu ZNS, ví dụ {"customer_name": "{{ ten }}", "project": "{{ du_an }}"}.'),
    )

    class Meta:
        ordering = ["day_offset", "id"]
        verbose_name = _("bước chăm sóc")
        verbose_name_plural = _("các bước chăm sóc")

    def __str__(self) -> str:
        return f"+{self.day_offset}d {self.get_kind_display()}"

    @property
    def is_automatic(self) -> bool:
        return self.automatic and self.kind in AUTOMATIC_KINDS

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        if not self.automatic:
            return
        if self.kind not in AUTOMATIC_KINDS:
            raise ValidationError({"automatic": _("Chỉ bước E-mail, SMS hoặc Zalo ZNS mới gửi tự động được.")})
        if self.kind == FollowUp.Kind.EMAIL and not (self.subject.strip() and self.body.strip()):
            raise ValidationError(_("E-mail tự động cần tiêu đề và nội dung."))
        if self.kind == FollowUp.Kind.SMS and not self.body.strip():
            raise ValidationError({"body": _("SMS tự động cần nội dung tin.")})
        if self.kind == FollowUp.Kind.ZNS:
            if not self.zns_template_id.strip():
                raise ValidationError({"zns_template_id": _("Tin ZNS cần mã mẫu đã được Zalo duyệt.")})
            data = self.zns_template_data
            if not isinstance(data, dict) or not all(isinstance(v, str | int | float) for v in data.values()):
                raise ValidationError({"zns_template_data": _("Dữ liệu mẫu ZNS là một đối tượng JSON tên → giá trị.")})

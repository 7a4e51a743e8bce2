"""Rotation's records: the versioned rule set, the working calendar, clocks, candidates, violations."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import rules as rules_mod


class RuleSet(models.Model):
    """One version of the rotation rule. Versions are never edited: a change saves a new version."""

    version = models.PositiveIntegerField(_("phiên bản"), unique=True)
    note = models.CharField(_("ghi chú thay đổi"), max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    first_call_minutes = models.PositiveIntegerField(_("phút gọi đầu tiên (giờ làm việc)"), default=30)
    first_call_warning_minutes = models.PositiveIntegerField(_("cảnh báo trước hạn gọi (phút)"), default=10)
    hold_warning_hours = models.PositiveIntegerField(_("cảnh báo trước hết hạn giữ (giờ)"), default=24)
    # {"in_care": {"hold_days": 3, "rule": "no_progress", "requires": ["call", "interaction", "note"]}, ...}
    statuses = models.JSONField(_("thời gian giữ theo trạng thái"), default=dict)
    # {"launch": 0.5}: the phase of a customer's project scales its hold times.
    phase_factors = models.JSONField(_("hệ số theo giai đoạn dự án"), default=dict, blank=True)
    # {"lotus": 0.5}: a project's own factor overrides its phase's.
    project_factors = models.JSONField(_("hệ số riêng theo dự án"), default=dict, blank=True)
    min_follow_ups = models.PositiveSmallIntegerField(_("số lần follow-up tối thiểu"), default=2)
    decision_hours = models.PositiveIntegerField(_("giờ làm việc để trưởng nhóm quyết định"), default=24)
    auto_rotate = models.BooleanField(_("tự động đảo khi quá hạn quyết định"), default=False)
    open_cap = models.PositiveIntegerField(_("tối đa khách đang xử lý mỗi người"), default=150)
    cooling_off_days = models.PositiveIntegerField(
        _("số ngày người giữ cũ không được nhận lại"), null=True, blank=True, help_text=_("Để trống: không bao giờ nhận lại.")
    )
    status_after_rotation = models.CharField(_("trạng thái sau khi đảo"), max_length=32, default="in_care")
    status_after_rotation_map = models.JSONField(_("trạng thái sau khi đảo theo trạng thái cũ"), default=dict, blank=True)
    require_check_in = models.BooleanField(_("chỉ chia cho người đã chấm công hôm nay"), default=True)
    weights = models.JSONField(_("trọng số xếp hạng"), default=dict, blank=True)
    ranking_band = models.FloatField(_("độ rộng nhóm dẫn đầu"), default=0.15)

    RULE_FIELDS = (
        "first_call_minutes", "first_call_warning_minutes", "hold_warning_hours", "statuses", "phase_factors",
        "project_factors", "min_follow_ups", "decision_hours", "auto_rotate", "open_cap", "cooling_off_days",
        "status_after_rotation", "status_after_rotation_map", "require_check_in", "weights", "ranking_band",
    )

    class Meta:
        ordering = ["-version"]
        verbose_name = _("bộ luật đảo khách")
        verbose_name_plural = _("bộ luật đảo khách")

    def __str__(self) -> str:
        return f"v{self.version}"

    def to_rules(self) -> rules_mod.Rules:
        return rules_mod.Rules(version=self.version, **self.as_dict())

    def as_dict(self) -> dict:
        return {name: getattr(self, name) for name in self.RULE_FIELDS}

    @classmethod
    def current(cls) -> "RuleSet | None":
        return cls.objects.order_by("-version").first()


class WorkingPeriod(models.Model):
    class Weekday(models.IntegerChoices):
        MON = 0, _("Thứ Hai")
        TUE = 1, _("Thứ Ba")
        WED = 2, _("Thứ Tư")
        THU = 3, _("Thứ Năm")
        FRI = 4, _("Thứ Sáu")
        SAT = 5, _("Thứ Bảy")
        SUN = 6, _("Chủ Nhật")

    weekday = models.PositiveSmallIntegerField(_("thứ"), choices=Weekday.choices)
    start = models.TimeField(_("bắt đầu"))
    end = models.TimeField(_("kết thúc"))

    class Meta:
        ordering = ["weekday", "start"]
        constraints = [models.CheckConstraint(condition=Q(end__gt=models.F("start")), name="working_period_positive")]
        verbose_name = _("giờ làm việc")
        verbose_name_plural = _("giờ làm việc")

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.start:%H:%M}–{self.end:%H:%M}"


class CalendarDay(models.Model):
    """A day that breaks the weekly pattern: a holiday, Tết, a company day off, or a make-up working day."""

    class Kind(models.TextChoices):
        HOLIDAY = "holiday", _("Ngày lễ")
        TET = "tet", _("Tết")
        COMPANY_OFF = "company_off", _("Công ty nghỉ")
        WORKING = "working", _("Ngày làm bù")

    day = models.DateField(_("ngày"), unique=True)
    kind = models.CharField(_("loại"), max_length=12, choices=Kind.choices, default=Kind.HOLIDAY)
    name = models.CharField(_("tên"), max_length=120, blank=True)

    class Meta:
        ordering = ["day"]
        verbose_name = _("ngày đặc biệt")
        verbose_name_plural = _("lịch nghỉ lễ và ngày làm bù")

    def __str__(self) -> str:
        return f"{self.day:%d/%m/%Y} {self.name}"


class Clock(models.Model):
    """A customer's rotation clock and the care tallies behind it, kept current on every change."""

    customer = models.OneToOneField("customers.Customer", primary_key=True, on_delete=models.CASCADE, related_name="rotation_clock")
    hold_anchor_at = models.DateTimeField(null=True, blank=True, db_index=True)
    hold_ends_at = models.DateTimeField(null=True, blank=True)
    first_call_due_at = models.DateTimeField(null=True, blank=True)
    appointment_at = models.DateTimeField(null=True, blank=True)
    calls = models.PositiveIntegerField(default=0)
    contacts = models.PositiveIntegerField(default=0)
    interactions = models.PositiveIntegerField(default=0)
    notes = models.PositiveIntegerField(default=0)
    follow_ups_done = models.PositiveIntegerField(default=0)
    follow_up_scheduled = models.BooleanField(default=False)
    contacts_after_appointment = models.PositiveIntegerField(default=0)
    flagged = models.PositiveIntegerField(default=0)
    kept_until = models.DateTimeField(null=True, blank=True)
    kept_at = models.DateTimeField(null=True, blank=True)
    rule_version = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"clock #{self.customer_id}"


class Candidate(models.Model):
    """A customer past its hold time, on its team leader's rotation list until someone decides."""

    class Kind(models.TextChoices):
        HOLD = "hold", _("Hết thời gian giữ")
        NEGLECTED = "neglected", _("Chăm sóc chưa đủ")

    class State(models.TextChoices):
        OPEN = "open", _("Chờ quyết định")
        KEPT = "kept", _("Giữ khách")
        ROTATED = "rotated", _("Đã đảo")
        REASSIGNED = "reassigned", _("Phân lại")
        AUTO_ROTATED = "auto_rotated", _("Tự động đảo")
        VOID = "void", _("Không còn hiệu lực")

    customer = models.ForeignKey("customers.Customer", on_delete=models.CASCADE, related_name="rotation_candidates")
    team = models.ForeignKey("accounts.Team", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    status_key = models.CharField(max_length=32)
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.HOLD)
    state = models.CharField(max_length=16, choices=State.choices, default=State.OPEN)
    rule = models.CharField(max_length=80)
    rule_version = models.PositiveIntegerField(default=0)
    due_at = models.DateTimeField()
    listed_at = models.DateTimeField(default=timezone.now)
    decide_by = models.DateTimeField()
    escalated_at = models.DateTimeField(null=True, blank=True)
    # Days held, the care checklist, what minimum care is missing: as they were when listed.
    evidence = models.JSONField(default=dict, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    decision_reason = models.TextField(blank=True)
    keep_until = models.DateTimeField(null=True, blank=True)
    new_owner = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["due_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["customer"], condition=Q(state="open"), name="one_open_candidate_per_customer")
        ]
        indexes = [
            models.Index(fields=["state", "decide_by"], name="candidate_state_decide"),
            models.Index(fields=["team", "state"], name="candidate_team_state"),
        ]
        verbose_name = _("khách chờ đảo")
        verbose_name_plural = _("danh sách đảo khách")

    def __str__(self) -> str:
        return f"{self.customer_id} ({self.get_kind_display()}, {self.get_state_display()})"


class Violation(models.Model):
    """Something counted against a salesperson: a missed first call, neglected care, or gaming."""

    class Kind(models.TextChoices):
        FIRST_CALL = "first_call", _("Không gọi trong thời hạn")
        NEGLECTED_CARE = "neglected_care", _("Chăm sóc chưa đủ tối thiểu")
        STATUS_WITHOUT_ACTIVITY = "status_no_activity", _("Nâng trạng thái không có hoạt động")
        ZERO_SECOND_CALL = "zero_second_call", _("Cuộc gọi 0 giây")
        COPIED_NOTE = "copied_note", _("Ghi chú sao chép")

    GAMING = (Kind.STATUS_WITHOUT_ACTIVITY, Kind.ZERO_SECOND_CALL, Kind.COPIED_NOTE)

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="rotation_violations")
    customer = models.ForeignKey("customers.Customer", on_delete=models.CASCADE, related_name="rotation_violations")
    team = models.ForeignKey("accounts.Team", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    at = models.DateTimeField(default=timezone.now, db_index=True)
    detail = models.CharField(max_length=300, blank=True)
    activity_id = models.BigIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["user", "kind", "at"], name="violation_user_kind"),
            models.Index(fields=["team", "at"], name="violation_team_time"),
        ]
        verbose_name = _("vi phạm")
        verbose_name_plural = _("vi phạm")

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.user_id} / {self.customer_id}"


class DeadlineWarning(models.Model):
    """One warning sent about one deadline: the sweep never sends the same warning twice."""

    customer = models.ForeignKey("customers.Customer", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=24)
    deadline_at = models.DateTimeField()
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["customer", "kind", "deadline_at"], name="warning_once")]

    def __str__(self) -> str:
        return f"{self.kind} #{self.customer_id} {self.deadline_at}"

"""Forms for the leader's decisions and the manager's rule draft."""

from dataclasses import replace

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from leadpool.customers.models import Project, Status

from .decisions import KEEP, REASSIGN, ROTATE
from .models import RuleSet
from .rules import DEFAULT_PHASE_FACTORS, DEFAULT_STATUSES, Rules

HOLD_STATUSES = ["in_care", "no_answer", "net", "appointment"]


class DecisionForm(forms.Form):
    action = forms.ChoiceField(choices=[(KEEP, "Giữ khách"), (ROTATE, "Đảo khách"), (REASSIGN, "Phân lại")])
    reason = forms.CharField(required=False, max_length=500)
    until = forms.DateTimeField(required=False, input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d"])
    to = forms.ModelChoiceField(queryset=None, required=False)

    def __init__(self, *args, members=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to"].queryset = members

    def clean(self):
        data = super().clean()
        action = data.get("action")
        if action == KEEP:
            if not (data.get("reason") or "").strip():
                self.add_error("reason", "Giữ khách cần có lý do.")
            until = data.get("until")
            if until is None:
                self.add_error("until", "Chọn hạn mới.")
            elif until <= timezone.now():
                self.add_error("until", "Hạn mới phải ở sau thời điểm hiện tại.")
        if action == REASSIGN and data.get("to") is None:
            self.add_error("to", "Chọn người nhận.")
        return data


def _hold_field(label: str) -> forms.FloatField:
    return forms.FloatField(label=label, min_value=0, max_value=365, help_text="ngày làm việc; 0 = không giới hạn")


class RulesForm(forms.Form):
    note = forms.CharField(label="Ghi chú thay đổi", required=False, max_length=300)
    first_call_minutes = forms.IntegerField(label="Gọi đầu tiên trong (phút làm việc)", min_value=1, max_value=1440)
    first_call_warning_minutes = forms.IntegerField(label="Cảnh báo trước hạn gọi (phút)", min_value=0, max_value=1440)
    hold_warning_hours = forms.IntegerField(label="Cảnh báo trước khi hết hạn giữ (giờ)", min_value=0, max_value=720)
    hold_in_care = _hold_field("Đang chăm sóc")
    hold_no_answer = _hold_field("Không nghe máy")
    hold_net = _hold_field("NET")
    hold_appointment = _hold_field("Hẹn gặp (tính từ ngày hẹn)")
    factor_nurture = forms.FloatField(label="Nuôi dưỡng", min_value=0.05, max_value=10)
    factor_pre_launch = forms.FloatField(label="Trước mở bán", min_value=0.05, max_value=10)
    factor_launch = forms.FloatField(label="Mở bán / đẩy hàng", min_value=0.05, max_value=10)
    factor_handover = forms.FloatField(label="Bàn giao", min_value=0.05, max_value=10)
    min_follow_ups = forms.IntegerField(label="Số lần follow-up tối thiểu trước khi đảo", min_value=0, max_value=20)
    decision_hours = forms.IntegerField(label="Giờ làm việc để trưởng nhóm quyết định", min_value=1, max_value=720)
    auto_rotate = forms.BooleanField(label="Tự động đảo khi quá hạn quyết định", required=False)
    open_cap = forms.IntegerField(label="Tối đa khách đang xử lý mỗi người", min_value=1, max_value=100000)
    cooling_off_days = forms.IntegerField(label="Người giữ cũ không nhận lại trong (ngày)", min_value=1, required=False,
                                          help_text="để trống: không bao giờ nhận lại")
    status_after_rotation = forms.ChoiceField(label="Trạng thái sau khi đảo")
    require_check_in = forms.BooleanField(label="Chỉ chia cho người đã chấm công hôm nay", required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status_after_rotation"].choices = list(Status.objects.filter(kind=Status.Kind.OPEN).values_list("key", "label"))
        for field in self.fields.values():
            css = "form-check-input" if isinstance(field.widget, forms.CheckboxInput) else "form-control"
            field.widget.attrs.setdefault("class", css)
        self.fields["status_after_rotation"].widget.attrs["class"] = "form-select"

    @classmethod
    def from_ruleset(cls, row: RuleSet | None) -> "RulesForm":
        rules = row.to_rules() if row else Rules()
        initial = {
            "first_call_minutes": rules.first_call_minutes,
            "first_call_warning_minutes": rules.first_call_warning_minutes,
            "hold_warning_hours": rules.hold_warning_hours,
            "min_follow_ups": rules.min_follow_ups,
            "decision_hours": rules.decision_hours,
            "auto_rotate": rules.auto_rotate,
            "open_cap": rules.open_cap,
            "cooling_off_days": rules.cooling_off_days,
            "status_after_rotation": rules.status_after_rotation,
            "require_check_in": rules.require_check_in,
        }
        for key in HOLD_STATUSES:
            initial[f"hold_{key}"] = rules.hold_days(key) or 0
        for phase in Project.Phase.values:
            initial[f"factor_{phase}"] = rules.phase_factors.get(phase, 1.0)
        return cls(initial=initial)

    def clean_status_after_rotation(self):
        value = self.cleaned_data["status_after_rotation"]
        if not Status.objects.filter(key=value).exists():
            raise ValidationError("Trạng thái không tồn tại.")
        return value

    def rule_data(self, current: RuleSet | None) -> dict:
        d = self.cleaned_data
        base = current.to_rules() if current else Rules()
        statuses = {k: dict(v) for k, v in (base.statuses or DEFAULT_STATUSES).items()}
        for key in HOLD_STATUSES:
            spec = statuses.setdefault(key, dict(DEFAULT_STATUSES.get(key, {"rule": "no_progress", "requires": []})))
            spec["hold_days"] = d[f"hold_{key}"] or None
        factors = dict(base.phase_factors or DEFAULT_PHASE_FACTORS)
        for phase in Project.Phase.values:
            factors[phase] = d[f"factor_{phase}"]
        return {
            "first_call_minutes": d["first_call_minutes"],
            "first_call_warning_minutes": d["first_call_warning_minutes"],
            "hold_warning_hours": d["hold_warning_hours"],
            "statuses": statuses,
            "phase_factors": factors,
            "project_factors": dict(base.project_factors),
            "min_follow_ups": d["min_follow_ups"],
            "decision_hours": d["decision_hours"],
            "auto_rotate": d["auto_rotate"],
            "open_cap": d["open_cap"],
            "cooling_off_days": d["cooling_off_days"],
            "status_after_rotation": d["status_after_rotation"],
            "status_after_rotation_map": dict(base.status_after_rotation_map),
            "require_check_in": d["require_check_in"],
            "weights": dict(base.weights),
            "ranking_band": base.ranking_band,
        }

    def to_rules(self, current: RuleSet | None) -> Rules:
        base = current.to_rules() if current else Rules()
        return replace(base, version=base.version, **self.rule_data(current))

"""The quick-action forms of the customer page: a call, a note, a message, a status move, a follow-up, a meeting."""

from django import forms
from django.utils.translation import gettext_lazy as _

from leadpool.customers.models import Status

from .models import Activity, FollowUp
from .status_fields import FIELDS, clean_details, parse_duration, parse_local_datetime, specs_for


class Styled:
    """Bootstrap classes on every widget, so templates can render fields with `as_widget`."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.style()

    def style(self) -> None:
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.RadioSelect | forms.CheckboxSelectMultiple | forms.CheckboxInput):
                continue
            css = "form-select" if isinstance(widget, forms.Select) else "form-control"
            if css not in widget.attrs.get("class", ""):
                widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()

    def full_clean(self):
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
                widget.attrs["class"] = f"{widget.attrs.get('class', '')} is-invalid".strip()


class CallForm(Styled, forms.Form):
    call_outcome = forms.ChoiceField(
        label=_("Kết quả"), choices=Activity.CallOutcome.choices, widget=forms.RadioSelect, initial="reached"
    )
    duration = forms.CharField(
        label=_("Thời lượng"), required=False, max_length=12,
        help_text=_("Phút (3), phút:giây (3:20) hoặc giây (90s)"),
        widget=forms.TextInput(attrs={"inputmode": "decimal", "placeholder": "3:20", "autocomplete": "off"}),
    )
    direction = forms.ChoiceField(
        label=_("Chiều gọi"), choices=Activity.Direction.choices, initial="out", required=False
    )
    body = forms.CharField(label=_("Ghi chú"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 2}))

    def clean_duration(self):
        raw = self.cleaned_data.get("duration", "")
        if not raw:
            return None
        seconds = parse_duration(raw)
        if seconds is None:
            raise forms.ValidationError(_("Không hiểu thời lượng: ví dụ 3, 3:20 hoặc 90s."))
        if seconds > 6 * 3600:
            raise forms.ValidationError(_("Cuộc gọi dài hơn 6 giờ?"))
        return seconds

    def clean(self):
        data = super().clean()
        if data.get("call_outcome") == Activity.CallOutcome.REACHED and data.get("duration") is None:
            self.add_error("duration", _("Khách nghe máy: cho biết cuộc gọi dài bao lâu."))
        return data


class NoteForm(Styled, forms.Form):
    body = forms.CharField(label=_("Ghi chú"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3}))


class MessageForm(Styled, forms.Form):
    CHANNELS = [("zalo", "Zalo"), ("sms", "SMS"), ("messenger", "Messenger"), ("email", "E-mail"), ("other", _("Khác"))]
    channel = forms.ChoiceField(label=_("Kênh"), choices=CHANNELS, initial="zalo")
    body = forms.CharField(label=_("Nội dung"), max_length=4000, widget=forms.Textarea(attrs={"rows": 2}))


def _when_widget():
    return forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class FollowUpForm(Styled, forms.Form):
    due_at = forms.CharField(label=_("Khi nào"), widget=_when_widget())
    kind = forms.ChoiceField(label=_("Việc"), choices=FollowUp.Kind.choices, initial="call")
    note = forms.CharField(label=_("Ghi chú"), required=False, max_length=300)

    def clean_due_at(self):
        value = parse_local_datetime(self.cleaned_data.get("due_at"))
        if value is None:
            raise forms.ValidationError(_("Chọn ngày giờ."))
        return value


class MeetingResultForm(Styled, forms.Form):
    result = forms.CharField(label=_("Kết quả buổi gặp"), max_length=200,
                             widget=forms.TextInput(attrs={"placeholder": _("Khách ưng căn B12, về bàn với vợ")}))
    body = forms.CharField(label=_("Ghi chú"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 2}))


class CorrectionForm(Styled, forms.Form):
    body = forms.CharField(label=_("Đính chính"), max_length=4000, widget=forms.Textarea(attrs={"rows": 2}))
    call_outcome = forms.ChoiceField(label=_("Kết quả đúng"), choices=[("", "—"), *Activity.CallOutcome.choices],
                                     required=False)
    duration = forms.CharField(label=_("Thời lượng đúng"), required=False, max_length=12)

    def clean_duration(self):
        raw = self.cleaned_data.get("duration", "")
        if not raw:
            return None
        seconds = parse_duration(raw)
        if seconds is None:
            raise forms.ValidationError(_("Không hiểu thời lượng."))
        return seconds


class StatusChangeForm(Styled, forms.Form):
    """Shows exactly the fields the chosen status requires (from the status catalog)."""

    to = forms.CharField(label=_("Chuyển sang"), widget=forms.Select)
    note = forms.CharField(label=_("Ghi chú"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, targets: list[Status], target: Status | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.targets = {s.key: s for s in targets}
        self.to_choices = [("", _("— chọn trạng thái —"))] + [(s.key, s.label) for s in targets]
        self.fields["to"].widget.choices = self.to_choices
        self.target = target
        self.specs = specs_for(target.required_fields) if target else []
        for spec in self.specs:
            self.fields[spec.name] = _field_for(spec)
        self.style()
        self.detail_errors: dict[str, str] = {}

    def clean_to(self):
        key = self.cleaned_data.get("to", "")
        if key not in self.targets:
            raise forms.ValidationError(_("Không thể chuyển sang trạng thái này."))
        return self.targets[key]

    def clean(self):
        data = super().clean()
        target = data.get("to")
        if target is None:
            return data
        raw = {name: self.data.get(name, "") for name in target.required_fields}
        details, errors = clean_details(target.required_fields, raw)
        for name, message in errors.items():
            if name in self.fields:
                self.add_error(name, message)
            else:
                self.add_error(None, f"{name}: {message}")
        data["details"] = details
        return data

    def detail_fields(self):
        return [self[spec.name] for spec in self.specs]


def _field_for(spec) -> forms.Field:
    if spec.kind == "datetime":
        return forms.CharField(label=spec.label, help_text=spec.help, widget=_when_widget())
    if spec.kind == "date":
        return forms.CharField(label=spec.label, help_text=spec.help, widget=forms.DateInput(attrs={"type": "date"}))
    if spec.kind == "money":
        return forms.CharField(label=spec.label, help_text=spec.help,
                               widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}))
    if spec.kind == "textarea":
        return forms.CharField(label=spec.label, help_text=spec.help, widget=forms.Textarea(attrs={"rows": 2}))
    return forms.CharField(label=spec.label, help_text=spec.help, max_length=200)


class StatusRulesForm(forms.ModelForm):
    """The status catalog's admin form: required fields and allowed moves as checkboxes, not raw JSON."""

    required_fields = forms.MultipleChoiceField(
        label=_("Trường bắt buộc khi chuyển vào"), required=False, widget=forms.CheckboxSelectMultiple,
        choices=[(spec.name, spec.label) for spec in FIELDS.values()],
    )
    allowed_next = forms.MultipleChoiceField(
        label=_("Được chuyển tiếp sang"), required=False, widget=forms.CheckboxSelectMultiple,
        help_text=_("Không chọn gì: được chuyển sang mọi trạng thái khác."),
    )

    class Meta:
        model = Status
        fields = ["key", "label", "label_en", "kind", "rank", "hold_rule", "hold_days", "required_fields",
                  "allowed_next", "position", "color"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        keys = Status.objects.exclude(pk=self.instance.pk).values_list("key", "label") if self.instance.pk else \
            Status.objects.values_list("key", "label")
        self.fields["allowed_next"].choices = list(keys)
        self.fields["rank"].help_text = _("Bậc càng cao càng tiến gần giao dịch; lên bậc là tiến triển. Để trống với nuôi dưỡng.")

    def clean(self):
        data = super().clean()
        if data.get("kind") == Status.Kind.OPEN and data.get("rank") is None:
            self.add_error("rank", _("Trạng thái đang xử lý cần có bậc."))
        if data.get("hold_rule") == Status.HoldRule.NO_PROGRESS and not data.get("hold_days"):
            self.add_error("hold_days", _("Luật “không tiến triển” cần số ngày giữ."))
        return data

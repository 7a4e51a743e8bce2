"""Forms of the reports area: one ad spend figure, a spend CSV upload, a monthly target, an audience segment."""

from django import forms
from django.utils.translation import gettext_lazy as _

from leadpool.accounts.models import Team, User
from leadpool.customers.models import Project, Source, Status

from .audiences import PLATFORMS


def _bootstrap(form: forms.Form) -> None:
    for field in form.fields.values():
        widget = field.widget
        css = "form-select" if isinstance(widget, forms.Select) else "form-control"
        widget.attrs.setdefault("class", css)


class SpendForm(forms.Form):
    day = forms.DateField(label=_("Ngày"), widget=forms.DateInput(attrs={"type": "date"}))
    source = forms.ModelChoiceField(label=_("Nguồn"), queryset=Source.objects.filter(active=True))
    campaign = forms.CharField(label=_("Chiến dịch"), required=False, max_length=200)
    project = forms.ModelChoiceField(label=_("Dự án"), queryset=Project.objects.all(), required=False, empty_label=_("(không)"))
    amount = forms.IntegerField(label=_("Số tiền (VND)"), min_value=0, max_value=10**13)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _bootstrap(self)


class SpendImportForm(forms.Form):
    file = forms.FileField(label=_("Tệp CSV"), help_text=_("Cột: ngay, nguon, chien_dich, du_an, so_tien"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _bootstrap(self)

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > 5_000_000:
            raise forms.ValidationError(_("Tệp lớn quá 5 MB."))
        raw = upload.read()
        for encoding in ("utf-8-sig", "cp1258", "latin-1"):
            try:
                return raw.decode(encoding)
            except UnicodeDecodeError:
                continue
        raise forms.ValidationError(_("Không đọc được tệp: hãy lưu dạng CSV UTF-8."))


class TargetForm(forms.Form):
    month = forms.DateField(label=_("Tháng"), widget=forms.DateInput(attrs={"type": "month"}), input_formats=["%Y-%m", "%Y-%m-%d"])
    user = forms.ModelChoiceField(label=_("Nhân viên"), queryset=User.objects.none(), required=False, empty_label=_("(cả đội)"))
    team = forms.ModelChoiceField(label=_("Đội"), queryset=Team.objects.none(), required=False, empty_label=_("(một người)"))
    calls = forms.IntegerField(label=_("Cuộc gọi"), min_value=0, initial=0)
    appointments = forms.IntegerField(label=_("Hẹn gặp"), min_value=0, initial=0)
    deposits = forms.IntegerField(label=_("Cọc"), min_value=0, initial=0)
    bookings = forms.IntegerField(label=_("Booking"), min_value=0, initial=0)

    def __init__(self, *args, users=None, teams=None, **kwargs):
        super().__init__(*args, **kwargs)
        if users is not None:
            self.fields["user"].queryset = users
        if teams is not None:
            self.fields["team"].queryset = teams
        _bootstrap(self)

    def clean(self):
        data = super().clean()
        if bool(data.get("user")) == bool(data.get("team")):
            raise forms.ValidationError(_("Chọn một nhân viên hoặc một đội (không chọn cả hai)."))
        return data


class AudienceForm(forms.Form):
    platform = forms.ChoiceField(label=_("Nền tảng"), choices=[(k, p.label) for k, p in PLATFORMS.items()])
    project = forms.ModelChoiceField(label=_("Dự án"), queryset=Project.objects.all(), required=False, empty_label=_("Mọi dự án"))
    status = forms.ModelChoiceField(label=_("Trạng thái"), queryset=Status.objects.all(), required=False, empty_label=_("Mọi trạng thái"))
    source = forms.ModelChoiceField(label=_("Nguồn"), queryset=Source.objects.all(), required=False, empty_label=_("Mọi nguồn"))
    start = forms.DateField(label=_("Có lead từ ngày"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("đến ngày"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _bootstrap(self)

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if bool(start) != bool(end):
            raise forms.ValidationError(_("Chọn cả ngày bắt đầu và ngày kết thúc, hoặc bỏ trống cả hai."))
        if start and end and start > end:
            raise forms.ValidationError(_("Ngày bắt đầu phải trước ngày kết thúc."))
        return data

"""The filter bar every dashboard shares: date range, project, team, source, campaign."""

from dataclasses import dataclass, replace
from datetime import date, timedelta
from urllib.parse import urlencode

from django import forms
from django.utils.translation import gettext_lazy as _

from leadpool.accounts.models import Team
from leadpool.customers.models import Project, Source

from .scope import Scope
from .summaries import local_today

DEFAULT_DAYS = 30
MAX_DAYS = 3 * 366


@dataclass(frozen=True)
class Filters:
    start: date
    end: date
    project_id: int | None = None
    team_id: int | None = None
    source_id: int | None = None
    campaign: str = ""

    def with_(self, **changes) -> "Filters":
        return replace(self, **changes)

    def params(self) -> dict[str, str]:
        out = {"start": self.start.isoformat(), "end": self.end.isoformat()}
        for key, value in (("project", self.project_id), ("team", self.team_id), ("source", self.source_id)):
            if value:
                out[key] = str(value)
        if self.campaign:
            out["campaign"] = self.campaign
        return out

    def query(self, **extra) -> str:
        params = self.params()
        params.update({k: str(v) for k, v in extra.items() if v not in (None, "")})
        return urlencode(params)


class FilterForm(forms.Form):
    start = forms.DateField(label=_("Từ ngày"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("Đến ngày"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    project = forms.ModelChoiceField(label=_("Dự án"), queryset=Project.objects.all(), required=False, empty_label=_("Mọi dự án"))
    team = forms.ModelChoiceField(label=_("Đội"), queryset=Team.objects.all(), required=False, empty_label=_("Mọi đội"))
    source = forms.ModelChoiceField(label=_("Nguồn"), queryset=Source.objects.all(), required=False, empty_label=_("Mọi nguồn"))
    campaign = forms.CharField(label=_("Chiến dịch"), required=False, max_length=200)

    def __init__(self, *args, scope: Scope | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if scope is not None and scope.team_ids is not None:
            self.fields["team"].queryset = Team.objects.filter(pk__in=scope.team_ids)
        for field in self.fields.values():
            field.widget.attrs.setdefault("class", "form-select" if isinstance(field, forms.ModelChoiceField) else "form-control")

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end and start > end:
            raise forms.ValidationError(_("Ngày bắt đầu phải trước ngày kết thúc."))
        if start and end and (end - start).days > MAX_DAYS:
            raise forms.ValidationError(_("Khoảng thời gian tối đa là 3 năm."))
        return data


def parse(data, scope: Scope | None = None) -> tuple[Filters, FilterForm]:
    """Filters from a query string; invalid parts fall back to defaults (the form shows why)."""
    form = FilterForm(data or None, scope=scope)
    today = local_today()
    # Valid fields still apply when another one is wrong (a team out of reach, a bad date).
    cleaned = form.cleaned_data if form.is_bound and (form.is_valid() or True) else {}
    end = cleaned.get("end") or today
    start = cleaned.get("start") or end - timedelta(days=DEFAULT_DAYS - 1)
    if start > end:
        start = end - timedelta(days=DEFAULT_DAYS - 1)
    filters = Filters(
        start=start,
        end=end,
        project_id=cleaned["project"].pk if cleaned.get("project") else None,
        team_id=cleaned["team"].pk if cleaned.get("team") else None,
        source_id=cleaned["source"].pk if cleaned.get("source") else None,
        campaign=(cleaned.get("campaign") or "").strip(),
    )
    return filters, form

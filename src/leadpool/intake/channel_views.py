"""Connecting channels: marketing and managers list, create, edit and switch off channel connections."""

from __future__ import annotations

import json
import secrets as random_secrets

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.validators import MinValueValidator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from leadpool.audit import log as audit
from leadpool.customers.models import Project, Source

from .models import ChannelConfig
from .views import may_use_inbox

Kind = ChannelConfig.Kind
# Credentials stored on the connection that are never shown again once saved.
WRITE_ONLY = ("secret", "access_token")
# What each kind cannot work without (the endpoint would refuse every request otherwise).
REQUIRED_BY_KIND: dict[str, tuple[str, ...]] = {
    Kind.FACEBOOK: ("external_id", "secret", "access_token"),
    Kind.GOOGLE: ("secret",),
    Kind.ZALO: ("app_id", "secret"),
}
EXAMPLE_LEAD = {"name": "Nguyễn Văn A", "phone": "0912345678", "email": "a@example.com", "note": "Quan tâm căn 2PN"}


def _require(user) -> None:
    # The same people as the inbox; other roles are not told the page exists.
    if not may_use_inbox(user):
        raise Http404


def hook_path(config: ChannelConfig) -> str:
    return reverse("intake:hook", kwargs={"kind": config.kind, "token": config.token})


def example_curl(url: str) -> str:
    body = json.dumps(EXAMPLE_LEAD, ensure_ascii=False)
    return f"curl -X POST '{url}' \\\n  -H 'Content-Type: application/json' \\\n  -d '{body}'"


def paste_guide(config: ChannelConfig, url: str) -> list[dict]:
    """What to paste where on the platform's side, one row per field: {label, value, note, code}."""
    set_or_missing = _("(đã đặt, ẩn sau khi lưu)") if config.secret else _("chưa đặt")
    rows: list[dict] = []
    if config.kind == Kind.FACEBOOK:
        rows += [
            {"label": _("Meta app → Webhooks → Page → Callback URL"), "value": url},
            {"label": _("Verify token"), "value": config.verify_token or _("chưa đặt")},
            {"label": _("Trường đăng ký"), "value": "leadgen, feed, messages, messaging_postbacks, messaging_referrals",
             "note": _("leadgen: form quảng cáo · feed: bình luận · messages, messaging_*: Messenger")},
            {"label": _("App secret"), "note": set_or_missing},
        ]
    elif config.kind == Kind.GOOGLE:
        rows += [
            {"label": _("Google Ads → Biểu mẫu khách hàng tiềm năng → Tích hợp webhook → URL webhook"), "value": url},
            {"label": _("Khóa (key)"), "note": _("khóa bí mật của kết nối này") + " " + set_or_missing},
        ]
        if config.external_id:
            rows.append({"label": _("Chỉ nhận form có mã"), "value": config.external_id})
    elif config.kind == Kind.ZALO:
        rows += [
            {"label": _("Zalo app → Webhook → URL"), "value": url},
            {"label": _("App id"), "value": config.app_id or _("chưa đặt")},
            {"label": _("OA secret key"), "note": set_or_missing},
        ]
    elif config.kind == Kind.TIKTOK:
        rows += [
            {"label": _("TikTok lead webhook → URL"), "value": url},
            {"label": _("Chữ ký X-TikTok-Signature"), "note": set_or_missing if config.secret else _("không bắt buộc")},
        ]
    elif config.kind == Kind.HOTLINE:
        rows += [
            {"label": _("Tổng đài (PBX) → URL gửi bản ghi cuộc gọi"), "value": url},
            {"label": _("Trường gửi kèm"), "value": "caller, callee, start, duration, recording_url, call_id"},
        ]
    else:  # Ladipage and any landing page
        rows += [
            {"label": _("Ladipage → Form → Webhook → URL (hoặc trang bất kỳ POST JSON/form)"), "value": url},
            {"label": _("Ví dụ gửi thử"), "value": example_curl(url), "code": True},
        ]
        if config.secret:
            rows.append({"label": _("Chữ ký X-Leadpool-Signature: sha256=<HMAC>"), "note": set_or_missing})
    return rows


class ChannelForm(forms.ModelForm):
    secret = forms.CharField(
        label=gettext_lazy("Khóa bí mật"), required=False, strip=True,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text=gettext_lazy("Facebook: app secret · Google: key · Zalo: OA secret key · khác: khóa ký (không bắt buộc)."),
    )
    access_token = forms.CharField(
        label=gettext_lazy("Access token (Facebook page / Zalo OA)"), required=False, strip=True,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text=gettext_lazy("Cần để lấy lead, ẩn bình luận và trả lời tin nhắn từ trang khách hàng."),
    )
    ad_campaigns = forms.CharField(
        label=gettext_lazy("Quảng cáo → chiến dịch (Messenger)"), required=False,
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": "120210000000001 = Lotus T11 click-to-Messenger"}),
        help_text=gettext_lazy("Mỗi dòng: mã quảng cáo = tên chiến dịch. Khách nhắn tin từ quảng cáo đó được gắn chiến dịch này."),
    )

    class Meta:
        model = ChannelConfig
        fields = [
            "kind", "name", "source", "project", "external_id", "secret", "app_id", "verify_token",
            "access_token", "lead_on_first_message", "hide_comments_with_phone", "ad_campaigns",
            "rate_limit_per_minute", "active",
        ]
        labels = {"source": gettext_lazy("Nguồn"), "project": gettext_lazy("Dự án")}
        help_texts = {
            "external_id": gettext_lazy("Facebook: id trang · Google: id form (để trống = mọi form) · Zalo: id OA."),
            "verify_token": gettext_lazy("Để trống, hệ thống tự tạo."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["source"].queryset = Source.objects.filter(active=True).order_by("name")
        self.fields["project"].queryset = Project.objects.filter(active=True).order_by("name")
        self.fields["project"].empty_label = _("— Không gắn dự án —")
        self.fields["rate_limit_per_minute"].validators.append(
            MinValueValidator(1, message=_("Ít nhất 1 yêu cầu mỗi phút."))
        )
        for name in WRITE_ONLY:
            if self.instance.pk and getattr(self.instance, name):
                self.fields[name].help_text = _("Đã đặt. Để trống để giữ nguyên, nhập giá trị mới để thay.")

        if self.instance.pk and not self.is_bound:
            self.initial["ad_campaigns"] = "\n".join(f"{ad} = {name}" for ad, name in (self.instance.ad_campaigns or {}).items())

    def clean_ad_campaigns(self) -> dict:
        mapping, bad = {}, []
        for number, line in enumerate((self.cleaned_data.get("ad_campaigns") or "").splitlines(), start=1):
            if not line.strip():
                continue
            ad, sep, name = line.partition("=")
            if not sep or not ad.strip() or not name.strip():
                bad.append(number)
                continue
            mapping[ad.strip()] = name.strip()
        if bad:
            raise forms.ValidationError(
                _("Dòng %(lines)s chưa đúng dạng “mã quảng cáo = tên chiến dịch”.") % {"lines": ", ".join(map(str, bad))}
            )
        return mapping

    def _stored(self, name: str) -> str:
        return getattr(self.instance, name, "") if self.instance.pk else ""

    def clean_secret(self) -> str:
        return self.cleaned_data.get("secret") or self._stored("secret")

    def clean_access_token(self) -> str:
        return self.cleaned_data.get("access_token") or self._stored("access_token")

    def clean(self):
        data = super().clean()
        kind = data.get("kind")
        if kind == Kind.FACEBOOK and not data.get("verify_token"):
            data["verify_token"] = random_secrets.token_urlsafe(16)
        for name in REQUIRED_BY_KIND.get(kind, ()):
            if not data.get(name) and name not in self.errors:
                label = self.fields[name].label
                self.add_error(name, _("Kênh %(kind)s cần “%(field)s”.") % {"kind": Kind(kind).label, "field": label})
        return data


@login_required
def channels(request):
    _require(request.user)
    configs = list(ChannelConfig.objects.select_related("source", "project").order_by("-active", "kind", "name"))
    for config in configs:
        config.webhook_url = request.build_absolute_uri(hook_path(config))
        config.guide = paste_guide(config, config.webhook_url)
    return render(request, "intake/channels.html", {"configs": configs})


def _save(request, form, *, created: bool):
    config = form.save()
    audit.record(
        "intake.channel_created" if created else "intake.channel_changed",
        actor=request.user, target=config,
        data={"kind": config.kind, "name": config.name, "fields": sorted(form.changed_data)},
        ip=audit.client_ip(request),
    )
    if created:
        # No anchor: the new connection's card is listed with its URL, and the message must stay in sight.
        messages.success(request, _("Đã tạo kết nối “%(name)s”. Dán URL webhook bên dưới vào nền tảng.") % {"name": config.name})
        return redirect("intake:channels")
    messages.success(request, _("Đã lưu kết nối “%(name)s”.") % {"name": config.name})
    return redirect(f"{reverse('intake:channels')}#channel-{config.pk}")


@login_required
def channel_new(request):
    _require(request.user)
    initial = {"kind": request.GET.get("kind") or Kind.GENERIC}
    form = ChannelForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        return _save(request, form, created=True)
    return render(request, "intake/channels_form.html", {"form": form, "config": None})


@login_required
def channel_edit(request, config_id: int):
    _require(request.user)
    config = get_object_or_404(ChannelConfig, pk=config_id)
    form = ChannelForm(request.POST or None, instance=config)
    if request.method == "POST" and form.is_valid():
        return _save(request, form, created=False)
    context = {"form": form, "config": config, "webhook_url": request.build_absolute_uri(hook_path(config))}
    return render(request, "intake/channels_form.html", context)


@login_required
@require_POST
def channel_toggle(request, config_id: int):
    _require(request.user)
    config = get_object_or_404(ChannelConfig, pk=config_id)
    config.active = not config.active
    config.save(update_fields=["active"])
    audit.record(
        "intake.channel_activated" if config.active else "intake.channel_deactivated",
        actor=request.user, target=config, data={"kind": config.kind, "name": config.name},
        ip=audit.client_ip(request),
    )
    if config.active:
        messages.success(request, _("Đã bật lại kết nối “%(name)s”.") % {"name": config.name})
    else:
        messages.info(request, _("Đã tắt kết nối “%(name)s”: lead gửi tới URL này sẽ bị từ chối (404).") % {"name": config.name})
    return redirect(f"{reverse('intake:channels')}#channel-{config.pk}")

"""Website capture endpoints: the snippet file, the generic webhook opened to other origins, the hosted form."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlencode

from django import forms
from django.conf import settings
from django.http import Http404, HttpResponse
from django.http.request import RawPostDataException
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET

from leadpool import ratelimit
from leadpool.customers.normalize import normalize_phone

from . import capture_points, endpoints, process
from .inbox import payload_key, store
from .models import ChannelConfig, InboxItem

SNIPPET = Path(__file__).resolve().parent / "static" / "intake" / "capture.js"
# The snippet posts text/plain (no preflight); a sender that posts JSON gets its preflight answered too.
CORS_HEADERS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Methods": "POST, OPTIONS",
    "Access-Control-Allow-Headers": "Content-Type, Idempotency-Key",
    "Access-Control-Max-Age": "86400",
}
TRACKED_QUERY = (*capture_points.UTM_KEYS, *capture_points.CLICK_KEYS, *capture_points.AFFILIATE_KEYS)
CONSENT_TEXT = gettext_lazy(
    "Tôi đồng ý để đơn vị tư vấn lưu các thông tin trên và liên hệ với tôi qua điện thoại, Zalo hoặc e-mail "
    "về dự án. Tôi có thể rút lại sự đồng ý bất cứ lúc nào."
)


@lru_cache(maxsize=1)
def _snippet_cached() -> bytes:
    return SNIPPET.read_bytes()


def snippet_bytes() -> bytes:
    return SNIPPET.read_bytes() if settings.DEBUG else _snippet_cached()


@require_GET
def capture_js(request):
    """The snippet, from Leadpool itself: any landing page may load it (no cookies, cached for an hour)."""
    response = HttpResponse(snippet_bytes(), content_type="text/javascript; charset=utf-8")
    response["Cache-Control"] = "public, max-age=3600"
    response["Access-Control-Allow-Origin"] = "*"
    response["Cross-Origin-Resource-Policy"] = "cross-origin"
    return response


def _for_other_origin(response) -> None:
    """A page on another site may read whether its lead arrived, not whom it was given to."""
    if response.get("Content-Type", "").startswith("application/json"):
        try:
            data = json.loads(response.content)
        except ValueError:
            return
        for item in data.get("items", []) if isinstance(data, dict) else []:
            item.pop("result", None)
        response.content = json.dumps(data).encode()
        response["Content-Length"] = str(len(response.content))


@csrf_exempt
def generic_hook(request, token: str):
    """/intake/hook/generic/<token>/ with CORS, so the snippet on a landing page (another origin) may post."""
    if request.method == "OPTIONS":
        response = HttpResponse(status=204)
    else:
        response = endpoints.hook(request, "generic", token)
        if request.headers.get("Origin"):
            _for_other_origin(response)
    for name, value in CORS_HEADERS.items():
        response[name] = value
    return response


# --- the hosted form ---------------------------------------------------------------------------------------


class HostedForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("Họ và tên"), max_length=160,
        error_messages={"required": gettext_lazy("Vui lòng nhập họ và tên."),
                        "max_length": gettext_lazy("Họ tên quá dài (tối đa 160 ký tự).")},
        widget=forms.TextInput(attrs={"autocomplete": "name", "autofocus": True}),
    )
    phone = forms.CharField(
        label=gettext_lazy("Số điện thoại"), max_length=40,
        error_messages={"required": gettext_lazy("Vui lòng nhập số điện thoại để chúng tôi gọi lại."),
                        "max_length": gettext_lazy("Số điện thoại quá dài.")},
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel", "inputmode": "tel",
                                      "placeholder": "0912 345 678"}),
    )
    email = forms.EmailField(
        label=gettext_lazy("E-mail (không bắt buộc)"), required=False, max_length=254,
        error_messages={"invalid": gettext_lazy("E-mail chưa đúng định dạng, ví dụ ten@example.com.")},
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    note = forms.CharField(
        label=gettext_lazy("Anh/chị quan tâm điều gì? (không bắt buộc)"), required=False, max_length=1000,
        error_messages={"max_length": gettext_lazy("Lời nhắn tối đa 1000 ký tự.")},
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    consent = forms.BooleanField(
        label=CONSENT_TEXT,
        error_messages={"required": gettext_lazy("Vui lòng đánh dấu đồng ý để chúng tôi được liên hệ với anh/chị.")},
    )
    aff = forms.CharField(required=False, max_length=64, widget=forms.HiddenInput)
    # A field people never see: a bot that fills it is kept in the inbox as rejected, not made a lead.
    website = forms.CharField(required=False, max_length=200, label=gettext_lazy("Để trống ô này"),
                              widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            css = "form-check-input" if name == "consent" else "form-control form-control-lg"
            if name in self.errors:
                css += " is-invalid"
                field.widget.attrs["aria-invalid"] = "true"
            field.widget.attrs["class"] = css

    def clean_phone(self) -> str:
        phone = self.cleaned_data["phone"].strip()
        if not normalize_phone(phone).ok:
            raise forms.ValidationError(
                _("Số điện thoại chưa đúng. Vui lòng nhập số di động Việt Nam, ví dụ 0912 345 678 hoặc +84 912 345 678.")
            )
        return phone


def _hosted_config(token: str) -> ChannelConfig:
    config = (ChannelConfig.objects.select_related("source", "project")
              .filter(token=token, kind=ChannelConfig.Kind.GENERIC, active=True).first())
    if config is None:
        raise Http404
    return config


def _tracked(query) -> dict:
    return {name: query.get(name, "")[:300] for name in TRACKED_QUERY if query.get(name)}


def hosted_form(request, token: str):
    """A form page per source for affiliates and partners without a landing page of their own."""
    config = _hosted_config(token)
    tracked = _tracked(request.GET)
    if request.method == "GET" and request.GET.get("sent"):
        return render(request, "intake/hosted_form.html", {"config": config, "sent": True})
    if request.method == "POST":
        tracked = _tracked(request.POST)
        form = HostedForm(request.POST)
        if form.is_valid():
            verdict = ratelimit.hit(f"intake:config:{config.pk}", limit=config.rate_limit_per_minute)
            if not verdict.allowed:
                form.add_error(None, _("Hệ thống đang nhận quá nhiều đăng ký, vui lòng thử lại sau một phút."))
            else:
                _keep(request, config, form)
                return redirect(reverse("intake:hosted_form", args=[token]) + "?" + urlencode({"sent": 1}))
    else:
        code = capture_points.affiliate_code(request.GET)
        form = HostedForm(initial={"aff": code})
    return render(request, "intake/hosted_form.html", {
        "config": config, "form": form, "tracked": [(k, v) for k, v in tracked.items() if k not in ("aff", "ref")],
    })


def _raw_post(request) -> tuple[bytes, str]:
    """The form's urlencoded body as sent; a multipart post (read as a stream) is kept as the same fields urlencoded."""
    urlencoded = "application/x-www-form-urlencoded"
    if request.content_type == urlencoded:
        try:
            return request.body, urlencoded
        except RawPostDataException:  # pragma: no cover - urlencoded bodies are read whole
            pass
    return request.POST.urlencode().encode(), urlencoded


def _keep(request, config: ChannelConfig, form: HostedForm) -> InboxItem:
    """Raw first: the post as it came, marked as the hosted form's, then processed by the worker."""
    body, content_type = _raw_post(request)
    meta = {
        "via": capture_points.HOSTED,
        "consent": str(CONSENT_TEXT),
        "page_url": request.build_absolute_uri()[:1000],
        "referrer": request.headers.get("Referer", "")[:1000],
    }
    if form.cleaned_data.get("website"):
        stored = store(request, channel="generic", body=body, key=payload_key(body), config=config, verified=True,
                       state=InboxItem.State.REJECTED, error="Ô ẩn chống bot đã bị điền (spam).", meta=meta,
                       content_type=content_type)
        return stored.item
    stored = store(request, channel="generic", body=body, key=payload_key(body), config=config, verified=True, meta=meta,
                   content_type=content_type)
    if stored.created:
        process.enqueue(stored.item)
    return stored.item
